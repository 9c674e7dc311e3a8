/**
 * The text report of `retrace stats`: one block per figure, the total's line first, then one line
 * per run when there are several, and a few examples where the figure has them.
 */
import type { Figures, StatsReport } from './compute.ts';
import { BUCKETS } from './reasoning.ts';
import type { Example } from './types.ts';
import type { LeakTally } from './violations.ts';

const SHOWN_EXAMPLES = 3;
const num = (n: number) => n.toLocaleString('en-US');
const pct = (x: number | null) => (x === null ? 'n/a' : `${(x * 100).toFixed(1)}%`);
const fixed = (x: number | null, d = 2) => (x === null ? 'n/a' : x.toFixed(d));

const BUCKET_LABELS: Record<(typeof BUCKETS)[number]['key'], string> = { lt500: '< 500', lt2k: '500-2k', lt10k: '2k-10k', ge10k: '>= 10k' };

function leakLine(l: LeakTally, what: string): string {
  return `${num(l.checked)} ${what} checked, ${num(l.copyLeaks)} with a copy leak (${num(l.ngramCopies)} at the guard's n-gram), ${num(l.literalLeaks)} literal leaks, ${num(l.nameViolations)} boundary violations`;
}

interface Block {
  title: string;
  line(f: Figures): string;
  examples?(f: Figures): Example[];
  /** Lines after the per-run lines, from the total. */
  more?(f: Figures): string[];
}

const BLOCKS: Block[] = [
  {
    title: 'boundary: segments (reasoning between two writes, against the next write and the rest of its file)',
    line: (f) => leakLine(f.boundary.segments, 'segments'),
    examples: (f) => [...f.boundary.segments.examples.copy, ...f.boundary.segments.examples.literal, ...f.boundary.segments.examples.name],
  },
  {
    title: "boundary: designs (each against its file's final text)",
    line: (f) => leakLine(f.boundary.designs, 'designs'),
    examples: (f) => [...f.boundary.designs.examples.copy, ...f.boundary.designs.examples.literal, ...f.boundary.designs.examples.name],
  },
  {
    title: 'boundary: plan (against every file, copies and literals)',
    line: (f) => `${num(f.boundary.plan.checked)} files checked, ${num(f.boundary.plan.copyLeaks)} with a copy leak, ${num(f.boundary.plan.literalLeaks)} literal leaks`,
    examples: (f) => [...f.boundary.plan.examples.copy, ...f.boundary.plan.examples.literal],
  },
  { title: 'invented names (in no file, no earlier step, not the language)', line: (f) => num(f.inventedNames.count), examples: (f) => f.inventedNames.examples },
  { title: 'definitions stated about keywords', line: (f) => num(f.keywordStatements.count), examples: (f) => f.keywordStatements.examples },
  {
    title: 'openings (first three words of thinks)',
    line: (f) =>
      `${num(f.openings.thinks)} thinks, ${num(f.openings.distinct)} distinct openings; ${num(f.openings.cover50)} cover 50% (${fixed(f.openings.cover50Per100)} per 100 thinks), ${num(f.openings.cover90)} cover 90%`,
    more: (f) => f.openings.top.map((o) => `    ${String(o.count).padStart(6)}  ${o.opening}`),
  },
  {
    title: 'reasoning per code (chars of reasoning / chars of code, by the write\'s length; share of writes with none)',
    line: (f) =>
      `${BUCKETS.map(({ key }) => `${BUCKET_LABELS[key]}: ${num(f.reasoningPerCode[key].writes)} writes ${fixed(f.reasoningPerCode[key].reasoningPerCode)} (${pct(f.reasoningPerCode[key].noReasoningShare)} none)`).join('; ')}; all >= 2k: ${fixed(f.over2k.reasoningPerCode, 3)}`,
  },
  {
    title: 'test files (share of test code preceded by reasoning, by chars; reasoning per code)',
    line: (f) => `${pct(f.testFiles.share)} of ${num(f.testFiles.codeChars)} chars in ${num(f.testFiles.writes)} writes; ${fixed(f.testFiles.reasoningPerCode, 3)} reasoning chars per code char`,
  },
  {
    title: 'characters trained on (masked)',
    line: (f) => `${num(f.chars.trained.total)} trained, ${num(f.chars.masked.total)} masked`,
    more: (f) =>
      Object.entries(f.chars.trained.byRole).map(
        ([role, kinds]) =>
          `    ${role.padEnd(10)} ${Object.entries(kinds).map(([k, n]) => `${k} ${num(n)}`).join(', ')}${f.chars.masked.byRole[role] ? ` (masked: ${Object.entries(f.chars.masked.byRole[role]).map(([k, n]) => `${k} ${num(n)}`).join(', ')})` : ''}`,
      ),
  },
  { title: 'checks narrated as failures on real, unmodified code', line: (f) => num(f.narratedFailures.count), examples: (f) => f.narratedFailures.examples },
  {
    title: 'reads of files not yet written (not a design); false "already written"',
    line: (f) => `${num(f.unwrittenReads.count)} reads; ${num(f.falseAlreadyWritten.count)} claims`,
    examples: (f) => [...f.unwrittenReads.examples, ...f.falseAlreadyWritten.examples],
  },
  {
    title: 'faulty drafts trained on',
    line: (f) => `${num(f.faultyDrafts.trained)} trained, ${num(f.faultyDrafts.inconsistent)} marked untrained yet trained`,
    examples: (f) => f.faultyDrafts.examples,
  },
  {
    title: 'search',
    line: (f) =>
      `${num(f.search.refined)} searches, ${num(f.search.scorerCalls)} scorer calls (median ${f.search.medianScorerCalls ?? 'n/a'} per search, ${pct(f.search.atBudgetShare)} used the whole budget), mean reward ${fixed(f.search.meanReward, 4)}, ${pct(f.search.logLossReduction)} less log-loss`,
  },
];

export function formatStats(report: StatsReport): string {
  const t = report.total;
  const lines = [`${num(t.runs)} run${t.runs === 1 ? '' : 's'}: ${num(t.records)} records, ${num(t.steps)} steps, ${num(t.files)} files, ${num(t.writes)} writes`];
  if (report.runs.length > 1) for (const r of report.runs) lines.push(`  ${r.run}: ${num(r.records)} records, ${num(r.steps)} steps, ${num(r.files)} files`);
  for (const b of BLOCKS) {
    lines.push('', b.title, `  ${b.line(t)}`);
    if (report.runs.length > 1) for (const r of report.runs) lines.push(`    ${r.run}: ${b.line(r)}`);
    for (const e of (b.examples?.(t) ?? []).slice(0, SHOWN_EXAMPLES)) lines.push(`    e.g. step ${e.step}${e.path ? ` ${e.path}` : ''}: ${e.detail.replace(/\s+/g, ' ')}`);
    lines.push(...(b.more?.(t) ?? []));
  }
  return lines.join('\n') + '\n';
}
