/**
 * The grounded policy: the one policy suite, then the knowledge boundary on real code. For real
 * repositories (installed packages, the Python standard library) the files are taken in writing
 * order as a run would; before each one, what the grounded policy says (its design, its intent, the
 * proposer's steps for each chunk, a test intent) must pass a guard whose answer is the real file,
 * and must still say something for most files. Its plan cuts milestones by imports and states goals
 * one can check; its thoughts open as varied as the code they are about.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { identifiersOf, Knowledge, SequenceGuard } from '../../src/boundary/mod.ts';
import { chunkFile, fileFacts, summarizeRepo, writingOrder, type FileFacts } from '../../src/agents/facts.ts';
import { MAX_MILESTONES, milestoneGroups } from '../../src/agents/grounded/plan.ts';
import { runEmbedded } from '../../src/run/embedded.ts';
import { openingOf } from '../../src/stats/openings.ts';
import { GroundedPolicy, milestonesFor } from '../../src/agents/grounded/policy.ts';
import { indexRepo, type LanguageId } from '../../src/graph/mod.ts';
import { GroundedProposer } from '../../src/search/grounded-proposer.ts';
import { importBindings } from '../../src/search/facts.ts';
import { designTexts, renderDesign, runPolicyConformance } from './policy-conformance.ts';

runPolicyConformance('grounded', () => new GroundedPolicy({ id: 'grounded', params: {} }), { deterministic: true });

const REPOS: Array<[string, number]> = [
  ['node_modules/commander', 8],
  ['node_modules/fastq', 8],
  ['node_modules/minimist', 8],
  ['node_modules/zod/src/v3', 6],
  ['/usr/lib/python3.11/json', 6],
  ['/usr/lib/python3.11/email', 10],
];

interface Measured {
  files: number;
  withDefinitions: number;
  interfaces: number;
  chunks: number;
  proposed: number;
  tests: number;
  /** Proposed steps, and how many of them the guard refuses. */
  steps: number;
  refused: number;
}

/** What the team is given: the README's head, the manifests, the file tree. */
function briefOf(root: string, files: readonly string[]): string[] {
  const out = [files.join('\n')];
  const readme = files.find((f) => /^readme(\.\w+)?$/i.test(f));
  if (readme) out.push(readFileSync(join(root, readme), 'utf8').split('\n').slice(0, 30).join('\n'));
  for (const m of ['package.json', 'pyproject.toml', 'setup.py']) if (files.includes(m)) out.push(readFileSync(join(root, m), 'utf8'));
  return out;
}

function knowledge(language: LanguageId | null, texts: readonly string[], names: readonly string[]): Knowledge {
  const k = new Knowledge(language);
  for (const t of texts) k.addText(t);
  return k.addNames(names);
}

function declarable(f: FileFacts): string[] {
  return [...f.definitions.map((d) => d.name), ...Object.values(f.importUses).flat()];
}

async function walkRun(root: string, maxFiles: number): Promise<Measured> {
  const graph = await indexRepo(root, { workers: 0, cache: false });
  const files = graph.data.files.map((f) => f.path);
  const brief = briefOf(root, files);
  const policy = new GroundedPolicy();
  const m: Measured = { files: 0, withDefinitions: 0, interfaces: 0, chunks: 0, proposed: 0, tests: 0, steps: 0, refused: 0 };
  const written: string[] = [];
  const milestone = { title: 'Milestone 1', goal: 'Rebuild it.', files: [] };
  for (const path of writingOrder(graph).filter((p) => graph.data.facts.has(p))) {
    if (m.files >= maxFiles) break;
    const content = readFileSync(join(root, path), 'utf8');
    if (content.length > 60_000) continue;
    const facts = fileFacts(graph, path, content);
    const names = declarable(facts);
    m.files++;

    // The architect designs before the milestone's files are written: only the brief is known.
    const designGuard = new SequenceGuard(knowledge(facts.language, brief, names).answer(content));
    const { thought, design } = await policy.design({ overview: 'Rebuild the repository.', milestone, file: facts, declarable: names, guard: designGuard }, 5);
    expect(designGuard.violations(designTexts(thought, design)), `${path}: ${thought}`).toEqual([]);
    expect(design.responsibility.trim().length, path).toBeGreaterThan(0);
    if (facts.definitions.length > 0) m.withDefinitions++;
    if (design.publicInterface.length > 0) m.interfaces++;

    const known = [...brief, ...written, renderDesign(design)];
    const intentGuard = new SequenceGuard(knowledge(facts.language, known, names).answer(content));
    const reads = facts.imports.map((p) => ({ path: p, written: written.length > 0 }));
    const intent = facts.isTest
      ? await policy.testIntent({ file: facts, subjects: facts.imports, guard: intentGuard }, 5)
      : await policy.fileIntent({ file: facts, design, chunks: 2, reads, guard: intentGuard }, 5);
    expect(intentGuard.violations([intent]), `${path}: ${intent}`).toEqual([]);
    expect(intent.trim().length, path).toBeGreaterThan(0);
    if (facts.isTest) m.tests++;

    // The proposer at each chunk: what is written of the file so far is known, the rest is the answer.
    // Chunks concatenate to the file: what precedes one is the text of those before it.
    let before = '';
    for (const chunk of chunkFile(content, facts, 40).slice(0, 8)) {
      const texts = [...known, intent, before];
      const ids = new Set(names);
      for (const t of texts) for (const n of identifiersOf(t)) ids.add(n);
      const proposer = new GroundedProposer({
        ...(facts.language ? { language: facts.language, imports: importBindings(before.slice(0, 8192), facts.language) } : {}),
        preceding: before.slice(-4096),
        knownIdentifiers: ids,
        design,
      });
      const guard = new SequenceGuard(knowledge(facts.language, texts, names).answer(content.slice(before.length)));
      const steps = proposer.proposeSync({ context: '', target: chunk.text, steps: [], k: 40, seed: 3 });
      m.chunks++;
      if (steps.length > 0) m.proposed++;
      // The proposer sees the chunk, not the rest of the file: a literal further down can be what a
      // step quotes (the search's guard refuses it). A name outside the boundary or a copy, never.
      for (const s of steps) {
        const v = guard.violations([s.text]);
        m.steps++;
        if (v.length > 0) m.refused++;
        expect(v.filter((x) => x.kind !== 'literal'), `${path}#${chunk.index}: ${s.text}`).toEqual([]);
      }
      // The search says several of them in a row: together they copy nothing either.
      expect(guard.violations(steps.slice(0, 4).map((s) => s.text)).filter((x) => x.kind === 'copy'), `${path}#${chunk.index}`).toEqual([]);
      before += chunk.text;
    }
    written.push(content);
  }
  return m;
}

describe('the grounded policy on real code stays inside the knowledge boundary', { timeout: 120_000 }, () => {
  const all: Measured = { files: 0, withDefinitions: 0, interfaces: 0, chunks: 0, proposed: 0, tests: 0, steps: 0, refused: 0 };
  for (const [dir, maxFiles] of REPOS) {
    it.skipIf(!existsSync(dir))(`${dir}: designs, intents and proposals pass the guard and say something`, async () => {
      const m = await walkRun(dir, maxFiles);
      console.log(
        `${dir}: ${m.files} files, interface for ${m.interfaces}/${m.withDefinitions} with definitions, proposals for ${m.proposed}/${m.chunks} chunks, ${m.refused}/${m.steps} steps refused by the guard, ${m.tests} test files`,
      );
      expect(m.files).toBeGreaterThan(0);
      expect(m.interfaces).toBeGreaterThanOrEqual(Math.ceil(m.withDefinitions * 0.8));
      expect(m.proposed).toBeGreaterThanOrEqual(Math.ceil(m.chunks * 0.8));
      expect(m.refused).toBeLessThanOrEqual(m.steps * 0.02);
      for (const k of Object.keys(all) as Array<keyof Measured>) all[k] += m[k];
    });
  }
  it.skipIf(!REPOS.some(([d]) => existsSync(d)))('covers test files too', () => {
    expect(all.tests).toBeGreaterThan(0);
  });
});

describe('the grounded plan: milestones that deliver something checkable', () => {
  it('cuts the writing order by its imports, not at every change of directory, into at most twelve runs', () => {
    // Two clusters that each span directories: a/x <- b/y <- a/z, then c/p <- d/q <- c/r.
    const order = ['a/x.ts', 'b/y.ts', 'a/z.ts', 'c/p.ts', 'd/q.ts', 'c/r.ts', 'e/s.ts', 'f/t.ts', 'e/u.ts', 'g/v.ts', 'h/w.ts', 'g/o.ts'];
    const imports = { 'a/x.ts': [], 'b/y.ts': ['a/x.ts'], 'a/z.ts': ['b/y.ts', 'a/x.ts'], 'c/p.ts': [], 'd/q.ts': ['c/p.ts'], 'c/r.ts': ['d/q.ts', 'c/p.ts'], 'e/s.ts': [], 'f/t.ts': ['e/s.ts'], 'e/u.ts': ['f/t.ts', 'e/s.ts'], 'g/v.ts': [], 'h/w.ts': ['g/v.ts'], 'g/o.ts': ['h/w.ts', 'g/v.ts'] };
    const groups = milestoneGroups(order, { imports });
    expect(groups).toEqual([order.slice(0, 6), order.slice(6)]);
    const long = Array.from({ length: 475 }, (_, i) => `d${i % 40}/f${i}.ts`);
    const milestones = milestonesFor(long, undefined, 3);
    expect(milestones.length).toBeLessThanOrEqual(MAX_MILESTONES);
    expect(milestones.flatMap((m) => m.files)).toEqual(long);
  });

  for (const dir of ['/usr/lib/python3.11/email', 'node_modules/zod/src/v3']) {
    it.skipIf(!existsSync(dir))(`${dir}: milestones name what they provide and state a goal one can check`, async () => {
      const graph = await indexRepo(dir, { workers: 0, cache: false });
      const summary = summarizeRepo(graph, 'repo');
      const guard = new SequenceGuard(new Knowledge(null).addText(briefOf(dir, summary.files).join('\n')).answer(''));
      const { plan } = await new GroundedPolicy().plan({ summary, guard }, 1);
      expect(plan.milestones.length).toBeGreaterThan(1);
      expect(plan.milestones.length).toBeLessThanOrEqual(MAX_MILESTONES);
      expect(plan.milestones.flatMap((m) => m.files)).toEqual(summary.order);
      for (const m of plan.milestones) {
        expect(m.title, m.title).toMatch(/^Milestone \d+: ./);
        expect(m.goal, m.goal).toMatch(/pass|can be imported|is ready for|in place/);
      }
      // Requirements say what the code provides, not how many files a directory holds.
      expect(plan.requirements.some((r) => /holds \d+ files/.test(r))).toBe(false);
    });
  }
});

describe('the grounded policy reads like engineers at work', { timeout: 240_000 }, () => {
  const go = existsSync('/usr/share') ? readdirSync('/usr/share').find((d) => /^go-\d/.test(d)) : undefined;
  const inputs = ['/usr/lib/python3.11/json', ...(go ? [`/usr/share/${go}/src/strings`] : [])];
  for (const dir of inputs) {
    it.skipIf(!existsSync(dir))(`${dir}: the openings covering half the thinks are at least 4 per 100 thinks, and no name is glossed as nonsense`, async () => {
      const record = await runEmbedded({ run: 'variety', repo: { name: 'repo', root: dir }, seed: 1, budget: 8, faultRate: 0.3 });
      const thinks = record.steps.filter((s) => s.kind === 'think' && s.train).map((s) => s.text);
      const counts = new Map<string, number>();
      for (const t of thinks) counts.set(openingOf(t), (counts.get(openingOf(t)) ?? 0) + 1);
      const ranked = [...counts.values()].sort((a, b) => b - a);
      let covered = 0;
      let cover50 = 0;
      while (covered < thinks.length / 2) covered += ranked[cover50++]!;
      console.log(`${dir}: ${thinks.length} thinks, ${counts.size} openings, ${cover50} cover half (${((cover50 * 100) / thinks.length).toFixed(1)} per 100)`);
      expect(thinks.length).toBeGreaterThan(50);
      expect((cover50 * 100) / thinks.length).toBeGreaterThanOrEqual(4);
      expect(thinks.filter((t) => /is a (function|method) to /.test(t))).toEqual([]);
    });
  }
});
