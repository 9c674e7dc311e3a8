/**
 * Reading datasets for `retrace stats`: any format readRecords reads (JSON Lines plain, gzip or
 * zstd; Parquet shards), streamed, each record checked against the schema of what the figures
 * read, records grouped into runs (`repo.name` + `run.id`) with their steps in index order. Format
 * 1 and 2 both pass: a format-2 record's `context` (steps repeated from earlier records) is not
 * read. A bad file is an input error naming the file and, for a bad record, its line or row.
 */
import { z } from 'zod';
import { stepSchema } from '../agents/types.ts';
import type { DatasetRecord } from '../dataset/format.ts';
import { DatasetReadError } from '../dataset/io/errors.ts';
import { readRecords } from '../dataset/io/reader.ts';
import type { RunSteps, StatStep } from './types.ts';

export class DatasetInputError extends Error {
  override name = 'DatasetInputError';
}

/**
 * What the figures read of a record; its flattened `text` and `mask` are left out (they repeat the
 * steps), and so is a format-2 record's `context`.
 */
const recordSchema = z.object({
  id: z.string(),
  repo: z.object({ name: z.string(), files: z.array(z.string()).default([]) }),
  run: z.object({ id: z.string(), budget: z.number().optional() }),
  chunk: z.object({ index: z.number().int() }),
  steps: z.array(stepSchema.extend({ index: z.number().int().min(0) })),
  search: z
    .array(z.object({ step: z.number(), scorerCalls: z.number(), reward: z.number(), baselineLogprob: z.number().optional(), bestLogprob: z.number().optional() }))
    .default([]),
});

function describeIssue(err: z.ZodError): string {
  const issue = err.issues[0];
  if (!issue) return err.message;
  return `${issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''}${issue.message}`;
}

/** Records of the given files, as runs: one entry per `repo.name` + `run.id`, in the order first seen. */
export async function loadRuns(files: readonly string[]): Promise<RunSteps[]> {
  if (files.length === 0) throw new DatasetInputError('no dataset given');
  const runs = new Map<string, RunSteps>();
  for (const file of files) {
    if ((await loadFile(runs, file)) === 0) throw new DatasetInputError(`${file}: no records`);
  }
  const out = [...runs.values()];
  for (const r of out) r.steps.sort((a, b) => a.index - b.index);
  return out;
}

/** Adds the file's records to `runs`; how many it had. */
async function loadFile(runs: Map<string, RunSteps>, file: string): Promise<number> {
  let records = 0;
  try {
    for await (const { record, where } of readRecords(file)) {
      const parsed = recordSchema.safeParse(record);
      if (!parsed.success) throw new DatasetInputError(`${where}: not a Retrace dataset record (${describeIssue(parsed.error)})`);
      addRecord(runs, parsed.data);
      records++;
    }
  } catch (err) {
    throw err instanceof DatasetReadError ? new DatasetInputError(err.message, { cause: err }) : err;
  }
  return records;
}

type ParsedRecord = z.infer<typeof recordSchema>;

/** Records already in memory (tests, benchmarks): grouped and ordered as files are. */
export function runsOfRecords(records: readonly DatasetRecord[]): RunSteps[] {
  const runs = new Map<string, RunSteps>();
  records.forEach((rec, i) => {
    const parsed = recordSchema.safeParse(rec);
    if (!parsed.success) throw new DatasetInputError(`record ${i}: not a Retrace dataset record (${describeIssue(parsed.error)})`);
    addRecord(runs, parsed.data);
  });
  const out = [...runs.values()];
  for (const r of out) r.steps.sort((a, b) => a.index - b.index);
  return out;
}

function addRecord(runs: Map<string, RunSteps>, rec: ParsedRecord): void {
  const key = `${rec.repo.name}/${rec.run.id}`;
  let run = runs.get(key);
  if (!run) {
    run = { key, repo: rec.repo.name, files: rec.repo.files, records: 0, steps: [], search: [], ...(rec.run.budget !== undefined ? { budget: rec.run.budget } : {}) };
    runs.set(key, run);
  }
  run.records++;
  for (const s of rec.steps) run.steps.push(s as StatStep);
  for (const s of rec.search) {
    const entry: RunSteps['search'][number] = { step: s.step, scorerCalls: s.scorerCalls, reward: s.reward };
    if (s.baselineLogprob !== undefined && s.bestLogprob !== undefined) Object.assign(entry, { baselineLogprob: s.baselineLogprob, bestLogprob: s.bestLogprob });
    run.search.push(entry);
  }
}
