/**
 * What a corpus masks in its shards beyond each repository's own rules: files already trained on
 * (a fork) as `duplicate`, files sharing 13-grams with excluded texts as `contaminated`; the
 * records' masks recomputed exactly as the packer computes them.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCorpus, type CorpusSummary } from '../../src/corpus/corpus.ts';
import { NgramFilter, TrainedContent } from '../../src/corpus/dedup.ts';
import { readRecords } from '../../src/dataset/io/mod.ts';
import { codePoints } from '../../src/dataset/packer.ts';
import type { DatasetRecordV2 } from '../../src/dataset/record.ts';
import { remaskSteps } from '../../src/dataset/remask.ts';
import { tempDir } from '../support/tmp.ts';

const nodeModules = join(import.meta.dirname, '../../node_modules');
const scratch = tempDir('retrace-dedup-');
const settings = { seed: 1, budget: 0, faultRate: 0, contextTokens: 65_536, tokenizer: 'llama-3', tokenIds: false, train: {}, policies: {}, scorer: { kind: 'embedded' as const }, verify: true };
let summary: CorpusSummary;

async function records(path: string): Promise<DatasetRecordV2[]> {
  const out: DatasetRecordV2[] = [];
  for await (const { record } of readRecords(path)) out.push(record as DatasetRecordV2);
  return out;
}

/** The text of `rec` under its code-point spans. */
const spanText = (rec: DatasetRecordV2, [a, b]: [number, number]) => [...rec.text].slice(a, b).join('');

beforeAll(async () => {
  cpSync(join(nodeModules, 'dequal'), join(scratch, 'in/dequal'), { recursive: true });
  cpSync(join(nodeModules, 'dequal'), join(scratch, 'in/dequal-fork'), { recursive: true });
  cpSync(join(nodeModules, 'ansi-regex'), join(scratch, 'in/ansi-regex'), { recursive: true });
  // A "benchmark solution" that is, in another layout, ansi-regex's code.
  const solution = readFileSync(join(nodeModules, 'ansi-regex/index.js'), 'utf8').replace(/\s+/g, ' ').toUpperCase();
  writeFileSync(join(scratch, 'bench.jsonl'), `${JSON.stringify({ id: 'task-7', text: solution })}\n`);
  summary = await runCorpus({ inputs: [join(scratch, 'in')], outDir: join(scratch, 'out'), settings, jobs: 2, format: 'parquet', card: true, excludeNgrams: [join(scratch, 'bench.jsonl')] });
}, 180_000);

describe('duplicates and contamination', () => {
  it("masks a fork's files as duplicates of the first repository's, and the contaminated file, listing each", () => {
    expect(summary.failed).toEqual([]);
    const masked = readFileSync(summary.masked.list, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { repo: string; path: string; reason: string; of: string });
    expect(masked.filter((m) => m.reason === 'contaminated')).toEqual([{ repo: 'ansi-regex', path: 'index.js', reason: 'contaminated', of: expect.stringMatching(/^.*bench\.jsonl:task-7: "/) }]);
    const dups = masked.filter((m) => m.reason === 'duplicate');
    // A copy inside one repository counts too: dequal ships the same index.d.ts twice.
    expect(dups.filter((m) => m.repo === 'dequal')).toEqual([{ repo: 'dequal', path: 'lite/index.d.ts', reason: 'duplicate', of: 'dequal:index.d.ts' }]);
    const fork = dups.filter((m) => m.repo === 'dequal-fork');
    expect(fork.map((m) => m.path)).toEqual(expect.arrayContaining(['package.json', 'dist/index.js', 'index.d.ts', 'license', 'readme.md']));
    expect(fork.every((m) => m.of.startsWith('dequal:'))).toBe(true);
    expect(summary.masked).toMatchObject({ duplicate: dups.length, contaminated: 1 });
  });

  it("trains the fork's shard records on none of its file writes, and counts the masked files in the card", async () => {
    const shards = await records(join(scratch, 'out/data'));
    const fork = shards.filter((r) => r.repo.name === 'dequal_fork' || r.repo.name === 'dequal-fork');
    expect(fork.length).toBeGreaterThan(0);
    const own = await records(join(scratch, 'out/repos/dequal-fork/records.jsonl.gz'));
    expect(fork[0]!.tokens.train).toBeLessThan(own[0]!.tokens.train);
    for (const s of fork.flatMap((r) => r.steps)) if (s.tool === 'write' && s.untrained === 'duplicate') expect(s.train).toBe(false);
    const card = readFileSync(join(scratch, 'out/data/README.md'), 'utf8');
    expect(card).toMatch(/`duplicate`/);
    expect(card).toMatch(/`contaminated`/);
  });

  it('recomputes masks exactly as the packer does, and masks just the steps named', async () => {
    const [rec] = await records(join(scratch, 'out/repos/dequal/records.jsonl.gz'));
    const untrainedAlready = rec!.steps.findIndex((s) => !s.train);
    const same = remaskSteps(rec!, new Map([[untrainedAlready, 'duplicate']]));
    expect({ mask: same.mask, tokens: same.tokens, stats: same.stats }).toEqual({ mask: rec!.mask, tokens: rec!.tokens, stats: rec!.stats });
    const write = rec!.steps.findIndex((s) => s.tool === 'write' && s.train);
    const masked = remaskSteps(rec!, new Map([[write, 'duplicate']]));
    const blockTokens = rec!.tokens.blocks[rec!.context.length + write]!;
    expect(masked.tokens.train).toBe(rec!.tokens.train - blockTokens);
    expect(masked.stats.masked_chars - rec!.stats.masked_chars).toBe(masked.mask.reduce((n, [a, b]) => n + b - a, 0) - rec!.mask.reduce((n, [a, b]) => n + b - a, 0));
    expect(masked.mask.map((m) => spanText(masked, m)).join('')).toContain(rec!.steps[write]!.text);
    expect(codePoints(masked.text)).toBe(masked.stats.chars);
    expect(rec!.steps[write]!.train).toBe(true);
  });
});

describe('n-grams and content', () => {
  const words = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `w${i + from}`).join(' ');

  it('finds a shared run of 13 words whatever the case and punctuation, and not a run of 12', () => {
    const filter = new NgramFilter([{ id: 't', text: words(13) }]);
    expect(filter.firstMatch(`x = "${words(13).toUpperCase().replace(/ /g, ', ')}";`)).toEqual({ id: 't', ngram: words(13) });
    expect(filter.firstMatch(words(12))).toBeNull();
  });

  it('remembers trained content only, and keeps the first copy', () => {
    const seen = new TrainedContent();
    const none = new NgramFilter([]);
    const files = new Map([['a.js', 'same'], ['lock.json', 'locked']]);
    expect(seen.judge('one', files, new Set(['a.js']), ['a.js', 'lock.json'], none)).toEqual([]);
    expect(seen.judge('two', new Map([['b.js', 'same'], ['c.js', 'locked']]), new Set(['b.js', 'c.js']), ['b.js', 'c.js'], none)).toEqual([{ path: 'b.js', reason: 'duplicate', of: 'one:a.js' }]);
  });
});
