/**
 * Reading datasets for `retrace stats`: plain or gzipped JSON Lines, streamed, each line checked
 * against the record's schema, records grouped into runs (`repo.name` + `run.id`) with their steps
 * in index order. A bad file is an input error naming the file and, for a bad line, the line.
 */
import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { z } from 'zod';
import { stepSchema } from '../agents/types.ts';
import type { DatasetRecord } from '../dataset/format.ts';
import type { RunSteps, StatStep } from './types.ts';

export class DatasetInputError extends Error {
  override name = 'DatasetInputError';
}

/** What the figures read of a record; its flattened `text` and `mask` are left out (they repeat the steps). */
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

function openLines(file: string): AsyncIterable<string> {
  let input: Readable = createReadStream(file);
  if (file.endsWith('.gz')) input = input.pipe(createGunzip());
  input.setEncoding('utf8');
  return createInterface({ input, crlfDelay: Infinity });
}

function checkFile(file: string): void {
  if (!file.endsWith('.jsonl') && !file.endsWith('.jsonl.gz')) throw new DatasetInputError(`${file}: not a dataset (.jsonl or .jsonl.gz)`);
  let isFile = false;
  try {
    isFile = statSync(file).isFile();
  } catch {
    throw new DatasetInputError(`${file}: no such file`);
  }
  if (!isFile) throw new DatasetInputError(`${file}: not a file`);
}

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
    checkFile(file);
    let lineNo = 0;
    try {
      for await (const line of openLines(file)) {
        lineNo++;
        if (line.trim() === '') continue;
        let raw: unknown;
        try {
          raw = JSON.parse(line);
        } catch (err) {
          throw new DatasetInputError(`${file}:${lineNo}: not JSON (${(err as Error).message})`);
        }
        const parsed = recordSchema.safeParse(raw);
        if (!parsed.success) throw new DatasetInputError(`${file}:${lineNo}: not a Retrace dataset record (${describeIssue(parsed.error)})`);
        addRecord(runs, parsed.data);
      }
    } catch (err) {
      if (err instanceof DatasetInputError) throw err;
      // A truncated gzip stream, a read error: still the file's fault, and the line says where.
      throw new DatasetInputError(`${file}:${lineNo + 1}: unreadable (${(err as Error).message})`);
    }
    if (lineNo === 0) throw new DatasetInputError(`${file}: no records`);
  }
  const out = [...runs.values()];
  for (const r of out) r.steps.sort((a, b) => a.index - b.index);
  return out;
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
