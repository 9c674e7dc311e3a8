/**
 * A real run (commander from node_modules, with debugging episodes) goes through every figure, with
 * figures in the ranges a grounded run gives: every file written and checked, no read of the
 * future, no trained faulty draft, characters adding up to the dataset's.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { codePoints, renderBlock } from '../../src/dataset/packer.ts';
import type { DatasetRecordV2 } from '../../src/dataset/record.ts';
import { runJob } from '../../src/run/run-job.ts';
import { computeStats, formatStats, type StatsReport } from '../../src/stats/mod.ts';
import { tempDir } from '../support/tmp.ts';

const root = join(import.meta.dirname, '../..');

describe('the figures of a real run', () => {
  let report: StatsReport;
  let records: DatasetRecordV2[];
  let files: number;
  beforeAll(async () => {
    const out = join(tempDir(), 'commander.jsonl');
    const s = await runJob({ repoPath: join(root, 'node_modules', 'commander'), out, seed: 1, budget: 4, faultRate: 0.5, contextTokens: 8192, resume: false });
    files = s.files;
    records = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as DatasetRecordV2);
    report = await computeStats([out]);
  }, 120_000);

  it('checks every file and segment, and sums to the dataset', () => {
    const t = report.total;
    expect(report.runs).toHaveLength(1);
    expect(t.files).toBe(files);
    expect(t.steps).toBe(records.reduce((n, r) => n + r.steps.length, 0));
    expect(t.boundary.designs.checked).toBe(files);
    expect(t.boundary.plan.checked).toBe(files);
    expect(t.boundary.segments.checked).toBeGreaterThan(files / 2);
    expect(t.boundary.segments.checked).toBeLessThanOrEqual(t.writes);
    expect(t.chars.trained.total).toBe(records.reduce((n, r) => n + r.stats.train_chars, 0));
    const contextChars = (r: DatasetRecordV2) => r.context.reduce((n, c) => n + codePoints(renderBlock(c)), 0);
    expect(t.chars.masked.total).toBe(records.reduce((n, r) => n + r.stats.masked_chars - contextChars(r), 0));
    expect(t.search.refined).toBe(records.reduce((n, r) => n + r.search.length, 0));
    expect(t.search.refined).toBeGreaterThan(0);
  });

  it('gives figures in sane ranges', () => {
    const t = report.total;
    const reasoning = Object.values(t.reasoningPerCode);
    expect(reasoning.reduce((n, b) => n + b.writes, 0)).toBe(t.writes);
    for (const b of reasoning) if (b.writes > 0) expect(b.noReasoningShare!).toBeLessThanOrEqual(1);
    expect(t.openings.thinks).toBeGreaterThan(50);
    expect(t.openings.distinct).toBeGreaterThan(5);
    expect(t.openings.cover50).toBeLessThanOrEqual(t.openings.cover90);
    expect(t.unwrittenReads.count).toBe(0);
    expect(t.falseAlreadyWritten.count).toBe(0);
    expect(t.faultyDrafts).toMatchObject({ inconsistent: 0 });
    expect(t.keywordStatements.count).toBe(0);
    for (const l of [t.boundary.segments, t.boundary.designs]) {
      expect(l.copyLeaks).toBeLessThanOrEqual(l.ngramCopies);
      expect(l.ngramCopies).toBeLessThanOrEqual(l.checked);
    }
    expect(formatStats(report)).toContain(`1 run: ${records.length} records`);
  });
});
