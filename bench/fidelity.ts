/**
 * Fidelity per language: `npx tsx bench/fidelity.ts`. Rebuilds one real repository per language
 * (test/support/real-inputs.ts: code nobody here wrote) with the embedded preset (seed 1, budget 8,
 * fault rate 0.3) and prints `retrace stats` figures per language: the boundary figures (which the
 * tests hold at 0), keyword statements, openings (and per 100 thinks), reasoning per code character
 * by write size and before test files, and how the search spent its budget and what it gained.
 * `npx tsx bench/fidelity.ts big` rebuilds the larger inputs instead (test/support/real-inputs.ts).
 */
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { runJob } from '../src/run/run-job.ts';
import { computeStats } from '../src/stats/mod.ts';
import { bigRealInputs, realInputs } from '../test/support/real-inputs.ts';

const dir = mkdtempSync(join(tmpdir(), 'retrace-fidelity-'));
const fmt = (x: number | null | undefined, d = 3) => (x === null || x === undefined ? '-' : x.toFixed(d));
console.log('| language | input | files | segments | violations (name/copy/literal) | designs | keyword statements | unwritten reads | trained drafts | narrated failures | openings 50% (of thinks) · per 100 | reasoning/code <500 · 500–2k · 2k–10k · ≥10k · all ≥2k | test files: reasoned · reasoning/code | searches · median calls · at budget | less log-loss |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
try {
  const inputs = process.argv[2] === 'big' ? bigRealInputs(dir) : realInputs(dir);
  for (const input of inputs) {
    if (!input.dir) {
      console.log(`| ${input.language} | ${input.name} | missing: install ${input.from} |`);
      continue;
    }
    const out = join(dir, `${input.language}.jsonl`);
    await runJob({ repoPath: input.dir, out, seed: 1, budget: 8, faultRate: 0.3, resume: false });
    const t = (await computeStats([out])).total;
    const b = t.boundary;
    const v = (x: typeof b.segments) => `${x.nameViolations}/${x.copyLeaks}/${x.literalLeaks}`;
    const r = t.reasoningPerCode;
    const s = t.search;
    const pct = (x: number | null) => (x === null ? '-' : `${(x * 100).toFixed(1)}%`);
    console.log(
      `| ${input.language} | ${input.name} | ${t.files} | ${b.segments.checked} | ${v(b.segments)} | ${v(b.designs)} | ${t.keywordStatements.count} | ${t.unwrittenReads.count} | ${t.faultyDrafts.trained} | ${t.narratedFailures.count} | ${t.openings.cover50} (${t.openings.thinks}) · ${fmt(t.openings.cover50Per100, 2)} | ${[r.lt500, r.lt2k, r.lt10k, r.ge10k, t.over2k].map((x) => fmt(x.reasoningPerCode)).join(' · ')} | ${fmt(t.testFiles.share, 2)} · ${fmt(t.testFiles.reasoningPerCode)} | ${s.refined} · ${s.medianScorerCalls ?? '-'} · ${pct(s.atBudgetShare)} | ${pct(s.logLossReduction)} |`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
