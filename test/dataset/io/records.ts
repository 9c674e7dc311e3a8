/**
 * Hand-written format-2 records, as the packer makes them: `text` rendered from `context` then
 * `steps`, masks in code points, a token count per block. Between them they hold non-BMP text
 * (emoji), CJK, token ids, every nullable field null and not, and a second chunk opening with
 * context. The steps replay to `FILES` (and the context, if it were replayed, would not).
 */
import type { Step } from '../../../src/agents/types.ts';
import { approxTokens, DATASET_VERSION, flatten, type DatasetRecord } from '../../../src/dataset/format.ts';
import { codePoints, renderBlock } from '../../../src/dataset/packer.ts';
import { DATASET_FORMAT, type DatasetRecordV2, type IndexedStep, type RepoProvenance, type RunProvenance } from '../../../src/dataset/record.ts';

const P = 'hand@1';

/** The repository the `greet` run rebuilds: path -> bytes as text. */
export const FILES: Record<string, string> = {
  'src/greet.ts': "// 挨拶 — greets in two scripts 👋\nexport const greet = (name: string): string => `こんにちは, ${name} 🎉`;\n",
  'src/count.ts': 'export function countPoints(s: string): number {\n  return [...s].length; // 𝄞 counts once\n}\n',
};

const brief: Step = { role: 'planner', kind: 'observation', tool: 'brief', text: 'README: 你好世界 — a greeter.\nsrc/greet.ts\nsrc/count.ts', train: false, policy: P };
const plan: Step = { role: 'planner', kind: 'action', tool: 'plan', text: 'Write greet, then countPoints.', train: true, policy: P };
const think = (path: string, text: string): Step => ({ role: 'coder', kind: 'think', path, text, train: true, policy: P });
const write = (path: string, text: string): Step => ({ role: 'coder', kind: 'action', tool: 'write', path, text, train: true, policy: P, write: { mode: 'create' } });

const greetWrite: Step = {
  ...write('src/greet.ts', FILES['src/greet.ts']!),
  search: { method: 'best-of-n', scorerCalls: 4, reward: 0.375, baselineLogprob: -41.25, bestLogprob: -38.5, targetTokens: 37 },
};
const checkObservation: Step = { role: 'tester', kind: 'observation', tool: 'check', path: 'src/greet.ts', text: 'syntax: ok ✓', train: false, policy: 'tester@2', check: { findings: 0, baseline: 0 } };

const indexed = (steps: readonly Step[], first: number): IndexedStep[] => steps.map((s, i) => ({ ...s, index: first + i }));

/** A run's records, packed by hand: `chunks` lists each record's context and steps. */
function pack(repo: RepoProvenance, run: RunProvenance, chunks: Array<{ context: Step[]; steps: Step[] }>, tokenIds: boolean): DatasetRecordV2[] {
  let first = 0;
  return chunks.map(({ context, steps }, index) => {
    const ctx = indexed(context, 0);
    const own = indexed(steps, first);
    first += steps.length;
    let text = '';
    const mask: Array<[number, number]> = [];
    const tokenMask: Array<[number, number]> = [];
    const blocks: number[] = [];
    [...ctx.map((s) => [s, true] as const), ...own.map((s) => [s, !s.train] as const)].forEach(([s, masked]) => {
      const block = renderBlock(s);
      const start = codePoints(text);
      const tokens = Math.ceil(codePoints(block) / 3);
      const tokenStart = blocks.reduce((n, b) => n + b, 0);
      if (masked) mask.push([start, start + codePoints(block)]);
      if (masked) tokenMask.push([tokenStart, tokenStart + tokens]);
      blocks.push(tokens);
      text += block;
    });
    const count = blocks.reduce((n, b) => n + b, 0);
    const masked = tokenMask.reduce((n, [a, b]) => n + b - a, 0);
    const maskedChars = mask.reduce((n, [a, b]) => n + b - a, 0);
    return {
      id: `${repo.name}/${run.id}#${index}`,
      format: DATASET_FORMAT,
      repo,
      run,
      chunk: { index, count: chunks.length, first_step: own[0]?.index ?? first },
      context: ctx,
      steps: own,
      search: own.filter((s) => s.search).map((s) => ({ ...s.search!, step: s.index, path: s.path ?? null })),
      text,
      mask,
      tokens: {
        count,
        train: count - masked,
        masked,
        mask: tokenMask,
        blocks,
        ...(tokenIds ? { ids: Array.from({ length: count }, (_, i) => (i * 7919 + 128_000) % 128_256) } : {}),
      },
      stats: { steps: own.length, chars: codePoints(text), train_chars: codePoints(text) - maskedChars, masked_chars: maskedChars },
    };
  });
}

const greetRepo: RepoProvenance = {
  name: 'greet',
  origin: 'https://github.com/example/greet.git',
  commit: '0123456789abcdef0123456789abcdef01234567',
  licence: 'Apache-2.0 OR MIT',
  licence_source: 'LICENSE',
  languages: { typescript: 2, markdown: 1 },
  files: Object.keys(FILES),
};

const greetRun: RunProvenance = {
  id: 'greet-s7',
  seed: 7,
  budget: 4,
  fault_rate: 0.25,
  policies: { planner: ['hand@1'], coder: ['hand@1', 'coder-llm@3'], tester: ['tester@2'] },
  scorer: { kind: 'openai', model: 'qwen2.5-coder-7b' },
  search: { method: 'best-of-n', batch: 8 },
  tokenizer: 'llama-3',
  context_tokens: 65_536,
};

/**
 * Run `greet`: two records. The second opens with the brief and the plan, and (to prove it is
 * never replayed) a context write that would spoil `src/greet.ts`.
 */
export const greetRecords = (tokenIds = true): DatasetRecordV2[] =>
  pack(
    greetRepo,
    greetRun,
    [
      { context: [], steps: [brief, plan, think('src/greet.ts', 'Greet in Japanese, with an emoji 🎉.'), greetWrite, checkObservation] },
      {
        context: [brief, plan, write('src/greet.ts', 'spoiled if replayed\n')],
        steps: [think('src/count.ts', 'Count code points, not UTF-16 units: "𝄞".length is 2.'), write('src/count.ts', FILES['src/count.ts']!)],
      },
    ],
    tokenIds,
  );

/** Run `bare`: every nullable field null, no search, no token ids, no languages. */
export const bareRecords = (): DatasetRecordV2[] =>
  pack(
    { name: 'bare', origin: null, commit: null, licence: null, licence_source: null, languages: {}, files: ['a.txt'] },
    { ...greetRun, id: 'bare-s1', seed: 1, budget: 0, fault_rate: 0, policies: { coder: ['hand@1'] }, scorer: { kind: 'embedded', model: null }, search: null },
    [{ context: [], steps: [write('a.txt', 'plain ascii\n')] }],
    false,
  );

export const BARE_FILES: Record<string, string> = { 'a.txt': 'plain ascii\n' };

/** A record of about `tokens` tokens, for shard sizes: `n` tells them apart. */
export function sizedRecord(n: number, tokens: number): DatasetRecordV2 {
  const [rec] = bareRecords();
  const text = `record ${n} `.padEnd(tokens * 3, '.');
  return { ...rec!, id: `bare/bare-s1#${n}`, chunk: { ...rec!.chunk, index: n }, text, mask: [], tokens: { count: tokens, train: tokens, masked: 0, mask: [], blocks: [tokens] } };
}

/** Like sizedRecord, but its text barely compresses (a deterministic pseudo-random stream of words). */
export function noisyRecord(n: number, tokens: number): DatasetRecordV2 {
  let state = n + 1;
  const next = (): number => (state = (state * 1_103_515_245 + 12_345) % 2_147_483_648);
  let text = '';
  while (text.length < tokens * 3) text += next().toString(36) + (next() % 8 === 0 ? '\n' : ' ');
  return { ...sizedRecord(n, tokens), text };
}

/** A format-1 record (an old dataset's), as the first writer made it. */
export function formatOneRecord(): DatasetRecord {
  const steps = [{ ...write('a.txt', BARE_FILES['a.txt']!), index: 0 }];
  const { text, mask } = flatten(steps);
  return {
    id: 'bare/old#0',
    format: DATASET_VERSION,
    repo: { name: 'bare', commit: null, languages: { text: 1 }, files: ['a.txt'] },
    run: { id: 'old', seed: 1, budget: 0, faultRate: 0, policies: { coder: 'hand@1' } },
    chunk: { index: 0, count: 1, first_step: 0 },
    steps,
    search: [],
    text,
    mask,
    stats: { steps: 1, chars: text.length, train_chars: text.length, masked_chars: 0, approx_tokens: approxTokens(text.length) },
  };
}
