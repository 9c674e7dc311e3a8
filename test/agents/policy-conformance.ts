/**
 * The one policy suite (docs/policies.md): every policy passes it, whatever produces its words.
 * It holds a policy to the facts, not to any wording: a plan covers the writing order exactly once
 * and in order; a design names only dependencies the facts list; every thought names the file or a
 * real name; the proposer returns at most k non-empty steps. With `deterministic`, the same input
 * and seed must give the same output (grounded policies; an LLM only behind a deterministic fake).
 *
 * And it holds every policy to the knowledge boundary (docs/reasoning.md): every text it returns
 * passes the guard it was given; a design's interface is not the file's lines; a review of findings
 * the real file has too narrates no failure; an intent never calls a file not written yet "already
 * written".
 *
 * The facts are hand-written: a small TypeScript repository, "tally", described as the graph
 * would describe it, with its files' contents (`TALLY`) for the guards.
 */
import { basename } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identifiersOf, Knowledge, SequenceGuard } from '../../src/boundary/mod.ts';
import type { DefinitionFacts, FileFacts, RepoSummary } from '../../src/agents/facts.ts';
import type { DesignInput, Policy, ProposerContext } from '../../src/agents/policy.ts';
import { fileDesignSchema, planSchema, type FileDesign, type Finding, type Plan } from '../../src/agents/types.ts';

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
  lines: 7,
  isTest: false,
  definitions: [def('formatTable', 'function', 4, 7, 'export function formatTable(rows: Array<[string, number]>): string {', 'Aligned two-column table.')],
  imports: ['src/count.ts'],
  importUses: { 'src/count.ts': ['topWords'] },
  externals: ['picocolors'],
  dependents: ['src/index.ts'],
};

export const INDEX: FileFacts = {
  path: 'src/index.ts',
  language: 'typescript',
  lines: 14,
  isTest: false,
  headerDoc: 'Prints the most frequent words of the file named on the command line.',
  definitions: [def('main', 'function', 5, 14, 'export async function main(argv: string[]): Promise<number> {', 'Prints the most frequent words of the file named on the command line.')],
  imports: ['src/count.ts', 'src/format.ts'],
  importUses: { 'src/count.ts': ['splitWords', 'countWords', 'topWords'], 'src/format.ts': ['formatTable'] },
  externals: ['node:fs/promises'],
  dependents: [],
};

export const COUNT_TEST: FileFacts = {
  path: 'test/count.test.ts',
  language: 'typescript',
  lines: 16,
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

const lines = (...ls: string[]): string => `${ls.join('\n')}\n`;

/** The contents of tally's files: what is known once they are written, and the answer before. */
export const TALLY: Record<string, string> = {
  'README.md': lines(
    '# tally',
    '',
    'Counts words in text and prints a table of the most frequent ones.',
    '',
    '```',
    'tally notes.txt 5',
    '```',
  ),
  'package.json': lines(
    '{',
    '  "name": "tally",',
    '  "description": "Word frequency tables",',
    '  "type": "module",',
    '  "bin": { "tally": "dist/index.js" },',
    '  "dependencies": { "picocolors": "^1.0.0" },',
    '  "devDependencies": { "vitest": "^1.0.0" }',
    '}',
  ),
  'tsconfig.json': lines(
    '{ "compilerOptions": { "strict": true, "module": "nodenext", "target": "es2022" } }',
  ),
  'src/count.ts': lines(
    '/** Word counting: splitting text into words and tallying them. */',
    '/** Lower-cased words of text, punctuation dropped. */',
    'export function splitWords(text: string): string[] {',
    '  const lowered = text.toLowerCase();',
    "  return lowered.split(/[^a-z0-9']+/).filter((word) => word.length > 0);",
    '}',
    '',
    '/** How many times each word occurs. */',
    'export function countWords(words: readonly string[]): Map<string, number> {',
    '  const counts = new Map<string, number>();',
    '  for (const word of words) {',
    '    const seen = counts.get(word) ?? 0;',
    '    counts.set(word, seen + 1);',
    '  }',
    '  return counts;',
    '}',
    '',
    'export function topWords(counts: Map<string, number>, n: number): Array<[string, number]> {',
    "  if (n <= 0) throw new RangeError('the number of words must be positive');",
    '  const entries = [...counts.entries()];',
    '  entries.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));',
    '  const limit = Math.min(n, entries.length);',
    '  return entries.slice(0, limit);',
    '}',
  ),
  'src/format.ts': `${CONTEXT}${TARGET}\n`,
  'src/index.ts': lines(
    "import { readFile } from 'node:fs/promises';",
    "import { countWords, splitWords, topWords } from './count.ts';",
    "import { formatTable } from './format.ts';",
    '/** Prints the most frequent words of the file named on the command line. */',
    'export async function main(argv: string[]): Promise<number> {',
    "  const [file, top = '10'] = argv;",
    '  if (!file) {',
    "    console.error('usage: tally <file> [top]');",
    '    return 2;',
    '  }',
    "  const text = await readFile(file, 'utf8');",
    '  console.log(formatTable(topWords(countWords(splitWords(text)), Number(top))));',
    '  return 0;',
    '}',
  ),
  'test/count.test.ts': lines(
    "import { describe, expect, it } from 'vitest';",
    "import { countWords, splitWords } from '../src/count.ts';",
    '',
    "describe('splitWords', () => {",
    "  it('lower-cases and drops punctuation', () => {",
    "    expect(splitWords('Hello, hello world!')).toEqual(['hello', 'hello', 'world']);",
    '  });',
    '});',
    '',
    "describe('countWords', () => {",
    "  it('counts each word', () => {",
    "    const counts = countWords(['a', 'b', 'a']);",
    "    expect(counts.get('a')).toBe(2);",
    "    expect(counts.get('b')).toBe(1);",
    '  });',
    '});',
  ),
};

/** What the team is given before anything is written: the README, the manifests, the file tree. */
const BRIEF = [TALLY['README.md']!, TALLY['package.json']!, TALLY['tsconfig.json']!, SUMMARY.files.join('\n')];

const factsOf = (path: string): FileFacts | undefined => SOURCES.find((f) => f.path === path);

/** The names a design of `path` may declare: its definitions and what it imports from the repository. */
export function declarableOf(path: string): string[] {
  const f = factsOf(path);
  return f ? [...f.definitions.map((d) => d.name), ...Object.values(f.importUses).flat()] : [];
}

export interface BoundaryAt {
  /** Files written before (default: those before `path` in the writing order). */
  written?: readonly string[];
  /** Other texts seen: designs, a faulty draft. */
  seen?: readonly string[];
  /** Names declared for the file (default: `declarableOf(path)`). */
  declared?: readonly string[];
}

/**
 * The boundary before `path` is written: the brief, the files written before it, its declared
 * names and what else was seen. Less than the executor knows, so stricter.
 */
export function knowledgeBefore(path: string, at: BoundaryAt = {}): Knowledge {
  const k = new Knowledge('typescript');
  for (const t of knownTexts(path, at)) k.addText(t);
  return k.addNames(at.declared ?? declarableOf(path));
}

function knownTexts(path: string, at: BoundaryAt): string[] {
  const written = at.written ?? SUMMARY.order.slice(0, Math.max(0, SUMMARY.order.indexOf(path)));
  return [...BRIEF, ...written.map((p) => TALLY[p] ?? ''), ...(at.seen ?? [])];
}

/** The names inside the boundary before `path` (for a proposer's `knownIdentifiers`). */
export function knownNamesBefore(path: string, at: BoundaryAt = {}): Set<string> {
  const names = new Set(at.declared ?? declarableOf(path));
  for (const t of knownTexts(path, at)) for (const n of identifiersOf(t)) names.add(n);
  return names;
}

/** The guard on what is said before `path` is written: its whole content is the answer. */
export function guardBefore(path: string, at: BoundaryAt = {}): SequenceGuard {
  return new SequenceGuard(knowledgeBefore(path, at).answer(TALLY[path] ?? ''));
}

/** A design as the lead renders it (docs/reasoning.md: designs are known once written). */
export function renderDesign(d: FileDesign): string {
  return [`${d.path}: ${d.responsibility}`, ...d.publicInterface.map((e) => `- ${e}`), ...d.dependencies.map((x) => `- ${x.path}: ${x.why}`)].join('\n');
}

/** The design a file would have: kinds and names, never its lines. */
export function designFor(file: FileFacts): FileDesign {
  return {
    path: file.path,
    responsibility: file.definitions.length > 0 ? `Defines ${file.definitions.map((d) => `\`${d.name}\``).join(', ')}.` : 'Tests for what it imports.',
    publicInterface: file.definitions.map((d) => `${d.kind} \`${d.name}\``),
    dependencies: file.imports.map((path) => ({ path, why: `uses ${(file.importUses[path] ?? []).map((n) => `\`${n}\``).join(', ')}` })),
  };
}

function proposerContext(): ProposerContext {
  return {
    path: FORMAT.path,
    language: 'typescript',
    preceding: CONTEXT,
    knownIdentifiers: knownNamesBefore(FORMAT.path, { seen: [CONTEXT] }),
    design: designFor(FORMAT),
  };
}

const FINDINGS: Finding[] = [
  { check: 'undefined-name', line: 3, message: "'splitWord' is not defined (did you mean 'splitWords'?)" },
  { check: 'arity', line: 7, message: "'topWords' takes 2 arguments, called with 1" },
];

/** The faulty first draft of `src/index.ts` the findings are about (known: it was written). */
const FAULTY_INDEX = TALLY['src/index.ts']!.replace('splitWords(text)', 'splitWord(text)').replace(', Number(top))', ')');
const FAULTY_EXCERPT = 'export function countWords(words: readonly string[]): Map<string, number> {\n  const parts = splitWord(words.join(" "));';

/** Findings the real, unmodified file has too: the checker's limits. */
const BASELINE: Finding[] = [{ check: 'undefined-name', line: 8, message: "'console' is not defined" }];

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

/** Every text passes its guard, as one sequence. */
export function expectInside(guard: SequenceGuard, texts: readonly string[]): void {
  expect(guard.violations(texts), texts.join(' | ').slice(0, 400)).toEqual([]);
}

/** The texts of a plan, in the order they are trained on. */
export function planTexts(thoughts: readonly string[], plan: Plan): string[] {
  return [...thoughts, plan.overview, ...plan.requirements, ...plan.milestones.flatMap((m) => [m.title, m.goal])];
}

/** The texts of a design, in the order they are trained on. */
export function designTexts(thought: string, d: FileDesign): string[] {
  return [thought, d.responsibility, ...d.publicInterface, ...d.dependencies.map((x) => `${x.path}: ${x.why}`)];
}

/** Words that narrate a failure: never said of findings the real code has too. */
export const FAILURE_WORDS = /\bfail(s|ed|ing|ure)?\b|has to be fixed|must be fixed|does not stand|\bbroken\b|\bwrong\b/i;

const MILESTONE = { title: 'Counting and formatting', goal: 'Count words and print them', files: SOURCES.map((f) => f.path) };

function designInput(file: FileFacts, overview = 'tally counts words and prints a table.'): DesignInput {
  // Designs come before any source is written: only the brief is known.
  return { overview, milestone: MILESTONE, file, declarable: declarableOf(file.path), guard: guardBefore(file.path, { written: [] }) };
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

    const planGuard = () => guardBefore('src/count.ts', { written: [], declared: [] });
    const intentInput = (file: FileFacts, reads = file.imports.map((path) => ({ path, written: true }))) => ({
      file,
      design: designFor(file),
      chunks: file.definitions.length,
      reads,
      guard: guardBefore(file.path, { seen: [renderDesign(designFor(file))] }),
    });
    const failedReview = () => ({
      path: INDEX.path,
      findings: FINDINGS,
      baseline: [],
      checks: ['syntax', 'undefined-name', 'arity'],
      guard: guardBefore(INDEX.path, { seen: [FAULTY_INDEX] }),
    });
    // After a clean write, what is said precedes the next file's write.
    const cleanReview = (baseline: Finding[] = []) => ({
      path: COUNT.path,
      findings: [],
      baseline,
      checks: ['syntax', 'undefined-name', 'arity'],
      guard: guardBefore(FORMAT.path),
    });
    const diagnoseInput = () => ({
      path: COUNT.path,
      findings: [FINDINGS[0]!],
      excerpt: FAULTY_EXCERPT,
      definition: COUNT.definitions[1]!,
      guard: guardBefore(COUNT.path, { seen: [FAULTY_EXCERPT] }),
    });
    const testInput = () => ({ file: COUNT_TEST, subjects: ['src/count.ts'], guard: guardBefore(COUNT_TEST.path) });

    it('has an id', () => {
      expect(policy.id.length).toBeGreaterThan(0);
    });

    it('plans milestones that cover every file of the summary exactly once, in writing order', async () => {
      const out = await policy.plan({ summary: SUMMARY, guard: planGuard() }, 7);
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
      for (const file of SOURCES) {
        const out = await policy.design(designInput(file), 11);
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

    it('states a file intent naming the file or a real name', async () => {
      for (const file of [COUNT, FORMAT]) {
        const text = await policy.fileIntent(intentInput(file), 3);
        expectMentions(text, realNames(file));
      }
    });

    it('reviews checks, failed and passed, naming the file or a real name', async () => {
      const failed = await policy.reviewChecks(failedReview(), 5);
      expectMentions(failed, [...realNames(INDEX), 'splitWords', 'topWords', 'syntax', 'undefined-name', 'arity']);
      const passed = await policy.reviewChecks(cleanReview(), 5);
      expectMentions(passed, [...realNames(COUNT), 'syntax', 'undefined-name', 'arity']);
    });

    it('diagnoses a fault naming the file or a real name', async () => {
      const text = await policy.diagnose(diagnoseInput(), 9);
      expectMentions(text, [...realNames(COUNT), 'splitWord']);
      const bare = await policy.diagnose(
        { path: 'src/format.ts', findings: [{ check: 'syntax', line: 9, message: "expected '}'" }], excerpt: '  return rows\n', guard: guardBefore(FORMAT.path, { seen: ['  return rows\n'] }) },
        9,
      );
      expectMentions(bare, realNames(FORMAT));
    });

    it('states a test intent naming the test file or a real name', async () => {
      const text = await policy.testIntent(testInput(), 13);
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

    describe('the knowledge boundary', () => {
      it('says nothing past its guard: plan, designs, intents, reviews, diagnoses, test intents', async () => {
        for (const seed of [1, 7]) {
          const guard = planGuard();
          const plan = await policy.plan({ summary: SUMMARY, guard }, seed);
          expectInside(guard, planTexts(plan.thoughts, plan.plan));
          for (const file of SOURCES) {
            const input = designInput(file);
            const out = await policy.design(input, seed);
            expectInside(input.guard, designTexts(out.thought, out.design));
          }
          for (const file of [COUNT, FORMAT, INDEX]) {
            const input = intentInput(file);
            expectInside(input.guard, [await policy.fileIntent(input, seed)]);
          }
          for (const input of [failedReview(), cleanReview(), cleanReview(BASELINE)]) {
            expectInside(input.guard, [await policy.reviewChecks(input, seed)]);
          }
          const d = diagnoseInput();
          expectInside(d.guard, [await policy.diagnose(d, seed)]);
          const t = testInput();
          expectInside(t.guard, [await policy.testIntent(t, seed)]);
        }
      });

      it("declares a design's interface without the file's lines", async () => {
        for (const file of SOURCES) {
          const out = await policy.design(designInput(file), 3);
          const fileLines = (TALLY[file.path] ?? '').split('\n').map((l) => l.trim()).filter((l) => l.length >= 12);
          for (const entry of out.design.publicInterface) {
            for (const line of fileLines) expect(entry, `${file.path}: the interface quotes "${line}"`).not.toContain(line.replace(/\s*\{$/, ''));
          }
          for (const d of file.definitions) expect(out.design.publicInterface.join('\n')).not.toContain(d.signature.replace(/\s*\{$/, ''));
        }
      });

      it('reads findings the real file has too as the checker\'s limit, not as a failure', async () => {
        const text = await policy.reviewChecks(cleanReview(BASELINE), 5);
        expect(text.trim().length).toBeGreaterThan(0);
        expect(text).not.toMatch(FAILURE_WORDS);
        const mixed = await policy.reviewChecks({ ...failedReview(), baseline: BASELINE }, 5);
        expect(mixed).toMatch(FAILURE_WORDS);
      });

      it('never calls a file that is not written yet "already written"', async () => {
        const reads = [
          { path: COUNT.path, written: true },
          { path: INDEX.path, written: false },
        ];
        const text = await policy.fileIntent(intentInput(FORMAT, reads), 3);
        for (const sentence of text.split(/(?<=[.:;])\s+/)) {
          if (/already written/i.test(sentence)) expect(sentence, text).not.toContain(INDEX.path);
        }
        const none = await policy.fileIntent(intentInput(FORMAT, [{ path: INDEX.path, written: false }]), 3);
        expect(none).not.toMatch(/already written/i);
      });
    });

    it.runIf(opts.deterministic === true)('gives the same output for the same input and seed', async () => {
      const twice = async <T>(f: () => Promise<T>) => {
        const a = await f();
        const b = await f();
        expect(b).toEqual(a);
      };
      await twice(() => policy.plan({ summary: SUMMARY, guard: planGuard() }, 42));
      await twice(() => policy.design(designInput(FORMAT, 'tally'), 42));
      await twice(() => policy.fileIntent(intentInput(FORMAT), 42));
      await twice(() => policy.reviewChecks(failedReview(), 42));
      await twice(() => policy.diagnose(diagnoseInput(), 42));
      await twice(() => policy.testIntent(testInput(), 42));
      await twice(() => policy.proposer(proposerContext()).propose({ context: CONTEXT, target: TARGET, steps: [], k: 3, seed: 42 }));
    });
  });
}
