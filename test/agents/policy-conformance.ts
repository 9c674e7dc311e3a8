/**
 * The one policy suite (docs/policies.md): every policy passes it, whatever produces its words.
 * It holds a policy to the facts, not to any wording: a plan covers the writing order exactly once
 * and in order; a design names only dependencies the facts list; every thought names the file or a
 * real name; the proposer returns at most k non-empty steps. With `deterministic`, the same input
 * and seed must give the same output (grounded policies; an LLM only behind a deterministic fake).
 *
 * The facts are hand-written: a small TypeScript repository, "tally", described as the graph
 * would describe it.
 */
import { basename } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DefinitionFacts, FileFacts, RepoSummary } from '../../src/agents/facts.ts';
import type { Policy, ProposerContext } from '../../src/agents/policy.ts';
import { fileDesignSchema, planSchema, type FileDesign, type Finding } from '../../src/agents/types.ts';

export interface ConformanceOptions {
  /** Same input and seed, same output: checked only when the policy promises it. */
  deterministic?: boolean;
  /** Per-test timeout in ms, for policies behind a network. */
  timeoutMs?: number;
}

const def = (name: string, kind: DefinitionFacts['kind'], startLine: number, endLine: number, signature: string, doc?: string): DefinitionFacts => ({
  name,
  kind,
  startLine,
  endLine,
  signature,
  ...(doc ? { doc } : {}),
});

export const SUMMARY: RepoSummary = {
  name: 'tally',
  // Alphabetical, as walked: the writing order below differs from it.
  files: ['README.md', 'package.json', 'src/count.ts', 'src/format.ts', 'src/index.ts', 'test/count.test.ts', 'tsconfig.json'],
  languages: { typescript: 4 },
  order: ['package.json', 'tsconfig.json', 'src/count.ts', 'src/format.ts', 'src/index.ts', 'test/count.test.ts', 'README.md'],
  readme: '# tally\n\nCounts words in text and prints a table of the most frequent ones.',
  manifests: [{ path: 'package.json', name: 'tally', description: 'Word frequency tables' }],
  tests: ['test/count.test.ts'],
  topDirs: ['src', 'test'],
};

export const COUNT: FileFacts = {
  path: 'src/count.ts',
  language: 'typescript',
  lines: 24,
  isTest: false,
  headerDoc: 'Word counting: splitting text into words and tallying them.',
  definitions: [
    def('splitWords', 'function', 3, 6, 'export function splitWords(text: string): string[] {', 'Lower-cased words of text, punctuation dropped.'),
    def('countWords', 'function', 9, 16, 'export function countWords(words: readonly string[]): Map<string, number> {', 'How many times each word occurs.'),
    def('topWords', 'function', 18, 24, 'export function topWords(counts: Map<string, number>, n: number): Array<[string, number]> {'),
  ],
  imports: [],
  importUses: {},
  externals: [],
  dependents: ['src/format.ts', 'src/index.ts', 'test/count.test.ts'],
};

export const FORMAT: FileFacts = {
  path: 'src/format.ts',
  language: 'typescript',
  lines: 18,
  isTest: false,
  definitions: [def('formatTable', 'function', 4, 18, 'export function formatTable(rows: Array<[string, number]>): string {', 'Aligned two-column table.')],
  imports: ['src/count.ts'],
  importUses: { 'src/count.ts': ['topWords'] },
  externals: ['picocolors'],
  dependents: ['src/index.ts'],
};

export const INDEX: FileFacts = {
  path: 'src/index.ts',
  language: 'typescript',
  lines: 12,
  isTest: false,
  definitions: [def('main', 'function', 5, 12, 'export async function main(argv: string[]): Promise<number> {')],
  imports: ['src/count.ts', 'src/format.ts'],
  importUses: { 'src/count.ts': ['splitWords', 'countWords', 'topWords'], 'src/format.ts': ['formatTable'] },
  externals: ['node:fs/promises'],
  dependents: [],
};

export const COUNT_TEST: FileFacts = {
  path: 'test/count.test.ts',
  language: 'typescript',
  lines: 20,
  isTest: true,
  definitions: [],
  imports: ['src/count.ts'],
  importUses: { 'src/count.ts': ['splitWords', 'countWords'] },
  externals: ['vitest'],
  dependents: [],
};

export const SOURCES = [COUNT, FORMAT, INDEX, COUNT_TEST];

/** A top-level definition as the search sees it: the code to explain. */
export const TARGET = [
  '/** Aligned two-column table. */',
  'export function formatTable(rows: Array<[string, number]>): string {',
  '  const width = Math.max(0, ...rows.map(([word]) => word.length));',
  '  return rows.map(([word, count]) => `${word.padEnd(width)}  ${pc.bold(String(count))}`).join("\\n");',
  '}',
].join('\n');

const CONTEXT = "import pc from 'picocolors';\nimport { topWords } from './count.ts';\n";

function proposerContext(): ProposerContext {
  return {
    path: FORMAT.path,
    language: 'typescript',
    preceding: CONTEXT,
    knownIdentifiers: new Set(SOURCES.flatMap((f) => f.definitions.map((d) => d.name))),
    design: designFor(FORMAT),
  };
}

const FINDINGS: Finding[] = [
  { check: 'undefined-name', line: 3, message: "'splitWord' is not defined (did you mean 'splitWords'?)" },
  { check: 'arity', line: 7, message: "'topWords' takes 2 arguments, called with 1" },
];

function designFor(file: FileFacts): FileDesign {
  return {
    path: file.path,
    responsibility: file.headerDoc ?? `Defines ${file.definitions.map((d) => d.name).join(', ')}.`,
    publicInterface: file.definitions.map((d) => d.signature),
    dependencies: [...file.imports, ...file.externals].map((path) => ({ path, why: `${file.path} uses it` })),
  };
}

/** What a thought about `file` may name: the path, the file name, its definitions, its imports. */
function realNames(file: FileFacts): string[] {
  return [file.path, basename(file.path), ...file.definitions.map((d) => d.name), ...file.imports, ...file.externals];
}

function expectMentions(text: string, names: readonly string[]): void {
  expect(typeof text).toBe('string');
  expect(text.trim().length).toBeGreaterThan(0);
  const hit = names.some((n) => text.includes(n));
  expect(hit, `"${text.slice(0, 200)}" names none of ${names.join(', ')}`).toBe(true);
}

export function runPolicyConformance(name: string, make: () => Policy | Promise<Policy>, opts: ConformanceOptions = {}): void {
  describe(`policy conformance: ${name}`, { timeout: opts.timeoutMs ?? 20_000 }, () => {
    let policy: Policy;

    beforeAll(async () => {
      policy = await make();
    });
    afterAll(async () => {
      await policy?.close();
    });

    it('has an id', () => {
      expect(policy.id.length).toBeGreaterThan(0);
    });

    it('plans milestones that cover every file of the summary exactly once, in writing order', async () => {
      const out = await policy.plan(SUMMARY, 7);
      expect(planSchema.safeParse(out.plan).success).toBe(true);
      expect(out.plan.overview.trim().length).toBeGreaterThan(0);
      expect(out.plan.milestones.length).toBeGreaterThan(0);
      for (const m of out.plan.milestones) {
        expect(m.title.trim().length).toBeGreaterThan(0);
        expect(m.files.length).toBeGreaterThan(0);
      }
      const listed = out.plan.milestones.flatMap((m) => m.files);
      expect(listed).toEqual(SUMMARY.order);
      expect([...listed].sort()).toEqual([...SUMMARY.files].sort());
      expect(out.thoughts.every((t) => typeof t === 'string')).toBe(true);
    });

    it('designs each file naming only dependencies from its facts', async () => {
      const milestone = { title: 'Counting and formatting', goal: 'Count words and print them', files: SOURCES.map((f) => f.path) };
      for (const file of SOURCES) {
        const out = await policy.design({ overview: 'tally counts words and prints a table.', milestone, file }, 11);
        expect(fileDesignSchema.safeParse(out.design).success).toBe(true);
        expect(out.design.path).toBe(file.path);
        const allowed = new Set([...file.imports, ...file.externals]);
        for (const d of out.design.dependencies) {
          expect(allowed.has(d.path), `${file.path}: dependency ${d.path} is not in the facts`).toBe(true);
        }
        expect(out.design.responsibility.trim().length).toBeGreaterThan(0);
        expect(out.thought.trim().length).toBeGreaterThan(0);
      }
    });

    it("states a file intent naming the file or a real name", async () => {
      for (const file of [COUNT, FORMAT]) {
        const text = await policy.fileIntent({ file, design: designFor(file), chunks: file.definitions.length }, 3);
        expectMentions(text, realNames(file));
      }
    });

    it('reviews checks, failed and passed, naming the file or a real name', async () => {
      const failed = await policy.reviewChecks({ path: 'src/index.ts', findings: FINDINGS, checks: ['syntax', 'undefined-name', 'arity'] }, 5);
      expectMentions(failed, [...realNames(INDEX), 'splitWords', 'topWords', 'syntax', 'undefined-name', 'arity']);
      const passed = await policy.reviewChecks({ path: 'src/count.ts', findings: [], checks: ['syntax', 'undefined-name', 'arity'] }, 5);
      expectMentions(passed, [...realNames(COUNT), 'syntax', 'undefined-name', 'arity']);
    });

    it('diagnoses a fault naming the file or a real name', async () => {
      const text = await policy.diagnose(
        {
          path: 'src/count.ts',
          findings: [FINDINGS[0]!],
          excerpt: 'export function countWords(words: readonly string[]): Map<string, number> {\n  const parts = splitWord(words.join(" "));',
          definition: COUNT.definitions[1]!,
        },
        9,
      );
      expectMentions(text, [...realNames(COUNT), 'splitWord']);
      const bare = await policy.diagnose({ path: 'src/format.ts', findings: [{ check: 'syntax', line: 9, message: "expected '}'" }], excerpt: '  return rows\n' }, 9);
      expectMentions(bare, realNames(FORMAT));
    });

    it('states a test intent naming the test file or a real name', async () => {
      const text = await policy.testIntent({ file: COUNT_TEST, subjects: ['src/count.ts'] }, 13);
      expectMentions(text, [...realNames(COUNT_TEST), ...realNames(COUNT)]);
    });

    it('proposes at most k non-empty reasoning steps', async () => {
      const proposer = policy.proposer(proposerContext());
      expect(proposer.name.length).toBeGreaterThan(0);
      for (const k of [1, 3]) {
        for (const steps of [[], ['We need a table whose first column fits the longest word.']]) {
          const proposals = await proposer.propose({ context: CONTEXT, target: TARGET, steps, k, seed: 21 });
          expect(proposals.length).toBeGreaterThan(0);
          expect(proposals.length).toBeLessThanOrEqual(k);
          for (const p of proposals) {
            expect(p.text.trim().length).toBeGreaterThan(0);
            if (p.prior !== undefined) expect(Number.isFinite(p.prior) && p.prior > 0).toBe(true);
          }
        }
      }
    });

    it.runIf(opts.deterministic === true)('gives the same output for the same input and seed', async () => {
      const twice = async <T>(f: () => Promise<T>) => {
        const a = await f();
        const b = await f();
        expect(b).toEqual(a);
      };
      const milestone = { title: 'Core', goal: 'Count', files: [COUNT.path] };
      await twice(() => policy.plan(SUMMARY, 42));
      await twice(() => policy.design({ overview: 'tally', milestone, file: FORMAT }, 42));
      await twice(() => policy.fileIntent({ file: FORMAT, design: designFor(FORMAT), chunks: 1 }, 42));
      await twice(() => policy.reviewChecks({ path: INDEX.path, findings: FINDINGS, checks: ['arity'] }, 42));
      await twice(() => policy.diagnose({ path: COUNT.path, findings: [FINDINGS[0]!], excerpt: 'splitWord(text)', definition: COUNT.definitions[1]! }, 42));
      await twice(() => policy.testIntent({ file: COUNT_TEST, subjects: [COUNT.path] }, 42));
      await twice(() => policy.proposer(proposerContext()).propose({ context: CONTEXT, target: TARGET, steps: [], k: 3, seed: 42 }));
    });
  });
}
