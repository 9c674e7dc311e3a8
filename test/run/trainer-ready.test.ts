/**
 * The done-when of trainer-ready output, end to end: a run on a git checkout of a real package
 * writes Parquet shards and a card; DuckDB (an independent reader) loads every shard; every record
 * fits the context with trained tokens; the ids decode to the text; the token mask covers exactly
 * the masked blocks; commit, origin and licence are filled.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readRecords } from '../../src/dataset/io/mod.ts';
import { codePoints, renderBlock } from '../../src/dataset/packer.ts';
import type { DatasetRecordV2 } from '../../src/dataset/record.ts';
import { loadTokenizer } from '../../src/dataset/tokenizer.ts';
import { runJob, type RunSummary } from '../../src/run/run-job.ts';
import { duck } from '../dataset/io/duck.ts';
import { tempDir } from '../support/tmp.ts';

const CONTEXT = 16_384;
const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();

describe('a trainer-ready run on a git checkout', () => {
  const tmp = tempDir('retrace-trainer-');
  const repo = join(tmp, 'commander');
  const out = join(tmp, 'shards');
  let summary: RunSummary;
  let records: DatasetRecordV2[];
  beforeAll(async () => {
    cpSync(join(import.meta.dirname, '../../node_modules/commander'), repo, { recursive: true });
    git(repo, 'init', '-q');
    git(repo, 'add', '.');
    git(repo, '-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 'import');
    git(repo, 'remote', 'add', 'origin', 'https://user:secret@example.com/tj/commander.js.git');
    summary = await runJob({ repoPath: repo, out, seed: 1, budget: 2, faultRate: 0.3, resume: false, format: 'parquet', contextTokens: CONTEXT, tokenIds: true, shardTokens: 20_000, card: true });
    records = [];
    for await (const { record } of readRecords(out)) records.push(record as DatasetRecordV2);
  }, 300_000);

  it('verifies, and writes several shards and a card beside them', () => {
    expect(summary.verify?.every((v) => v.ok)).toBe(true);
    const names = readdirSync(out).sort();
    expect(names.filter((n) => n.endsWith('.parquet')).length).toBeGreaterThan(1);
    expect(names).toContain('README.md');
    expect(summary.card[0]).toBe(join(out, 'README.md'));
    const card = readFileSync(join(out, 'README.md'), 'utf8');
    expect(card).toMatch(/^---\nlicense: mit\n/);
    expect(card).toContain('part-00000.parquet');
    expect(existsSync(`${out}.spool.jsonl`)).toBe(false);
  });

  it('is read whole by DuckDB, with the tokens and texts the records hold', async () => {
    const rows = await duck(`SELECT id, text, tokens.count AS n, len(tokens.ids) AS ids FROM read_parquet('${out}/*.parquet') ORDER BY chunk.index`);
    expect(rows.length).toBe(summary.records);
    expect(rows.map((r) => r.id)).toEqual(records.map((r) => r.id));
    expect(rows.map((r) => r.text)).toEqual(records.map((r) => r.text));
    for (const r of rows) expect(r.ids).toBe(r.n);
  });

  it('fits every record in the context with trained tokens, and counts the run exactly', () => {
    for (const r of records) {
      expect(r.tokens.count).toBeLessThanOrEqual(CONTEXT);
      expect(r.tokens.train).toBeGreaterThan(0);
      expect(r.chunk.count).toBe(records.length);
    }
    expect(records.reduce((n, r) => n + r.tokens.count, 0)).toBe(summary.tokens);
  });

  it('decodes the ids to the text, and masks exactly the context and the untrained blocks', () => {
    const tok = loadTokenizer('llama-3');
    for (const r of records) {
      expect(tok.decode(r.tokens.ids!)).toBe(r.text);
      const blocks = [...r.context.map((s) => ({ s, masked: true })), ...r.steps.map((s) => ({ s, masked: !s.train }))];
      let at = 0;
      const expected: Array<[number, number]> = [];
      const points: Array<[number, number]> = [];
      let p = 0;
      blocks.forEach(({ s, masked }, i) => {
        const n = r.tokens.blocks[i]!;
        const cp = codePoints(renderBlock(s));
        if (masked) {
          const last = expected[expected.length - 1];
          if (last && last[1] === at) last[1] = at + n;
          else expected.push([at, at + n]);
          const lp = points[points.length - 1];
          if (lp && lp[1] === p) lp[1] = p + cp;
          else points.push([p, p + cp]);
        }
        at += n;
        p += cp;
      });
      expect(r.tokens.mask).toEqual(expected);
      expect(r.mask).toEqual(points);
    }
  });

  it('names the commit, the origin without credentials, the licence and the policies', () => {
    const head = git(repo, 'rev-parse', 'HEAD');
    for (const r of records) {
      expect(r.repo.commit).toBe(head);
      expect(r.repo.origin).toBe('https://example.com/tj/commander.js.git');
      expect(r.repo.licence).toBe('MIT');
      expect(r.run.tokenizer).toBe('llama-3');
      expect(Object.values(r.run.policies).flat().length).toBeGreaterThan(0);
    }
    const searched = records.flatMap((r) => r.search);
    expect(searched.length).toBeGreaterThan(0);
    for (const s of searched) expect(Number.isFinite(s.baselineLogprob) && Number.isFinite(s.bestLogprob)).toBe(true);
  });
});
