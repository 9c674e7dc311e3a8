/**
 * `retrace verify`: reads a dataset as it streams (any format readRecords reads), replays each
 * run's writes and edits in order, and compares the result with the repository on disk, byte for
 * byte. A format-2 record's `context` repeats earlier steps and is never replayed: only `steps`.
 */
import { indexRepo } from '../graph/mod.ts';
import { Replayer, ReplayError, verifyFiles, type VerifyReport } from '../run/replay.ts';
import { DatasetReadError } from './io/errors.ts';
import { readRecords, type ReadRecord } from './io/reader.ts';

export class DatasetFormatError extends Error {
  override name = 'DatasetFormatError';
}

export interface RunVerification extends VerifyReport {
  run: string;
  repo: string;
  records: number;
  steps: number;
}

export interface VerifyOptions {
  /**
   * Told as files are replayed: `done`, the files written so far by the dataset's runs (at most
   * `total`); `total`, the files their records list (summed over runs, growing as a run's first
   * record arrives). Called when `done` or `total` changes.
   */
  onProgress?: (done: number, total: number) => void;
}

/** A repository to verify against without a copy on disk: its kept files and their bytes. */
export interface RepoFiles {
  files: readonly string[];
  read(path: string): Buffer;
}

export async function verifyDataset(file: string, repo: string | RepoFiles, opts: VerifyOptions = {}): Promise<RunVerification[]> {
  const runs = await replayDataset(file, opts.onProgress);
  if (runs.size === 0) throw new DatasetFormatError(`${file}: no records`);
  // The repository as a run sees it: indexing decides what is kept (gitignore, binaries,
  // oversized, generated and vendored files are skipped); its facts cache makes this cheap.
  const expected = typeof repo === 'string' ? (await indexRepo(repo)).data.files.map((f) => f.path) : repo.files;
  const source = typeof repo === 'string' ? repo : (path: string) => repo.read(path);
  const out: RunVerification[] = [];
  for (const [key, r] of runs) {
    out.push({ run: key, repo: r.repo, records: r.records, steps: r.steps, ...verifyFiles(r.replayer.files, source, expected) });
  }
  return out;
}

interface RunReplay {
  replayer: Replayer;
  nextChunk: number;
  records: number;
  steps: number;
  repo: string;
}

/** Files replayed so far and files listed, told to `onProgress` as they change. */
interface Progress {
  replayed: number;
  listed: number;
  onProgress: (done: number, total: number) => void;
}

/** Each run's replay, keyed `<repo>/<run>`, in the order runs first appear. */
async function replayDataset(file: string, onProgress: VerifyOptions['onProgress']): Promise<Map<string, RunReplay>> {
  const runs = new Map<string, RunReplay>();
  const progress = onProgress ? { replayed: 0, listed: 0, onProgress } : null;
  try {
    for await (const { record, where } of readRecords(file)) replayRecord(runs, record, where, progress);
  } catch (err) {
    throw err instanceof DatasetReadError ? new DatasetFormatError(err.message, { cause: err }) : err;
  }
  return runs;
}

function replayRecord(runs: Map<string, RunReplay>, record: unknown, where: string, progress: Progress | null): void {
  const rec = record as Partial<ReadRecord['record']> | null;
  if (!rec || typeof rec !== 'object' || !Array.isArray(rec.steps) || !rec.run?.id || !rec.chunk || !rec.repo?.name) {
    throw new DatasetFormatError(`${where}: not a Retrace dataset record`);
  }
  const key = `${rec.repo.name}/${rec.run.id}`;
  let r = runs.get(key);
  if (!r) {
    r = { replayer: new Replayer(), nextChunk: 0, records: 0, steps: 0, repo: rec.repo.name };
    runs.set(key, r);
    if (progress && Array.isArray(rec.repo.files)) {
      progress.listed += rec.repo.files.length;
      progress.onProgress(Math.min(progress.replayed, progress.listed), progress.listed);
    }
  }
  if (rec.chunk.index !== r.nextChunk) {
    throw new DatasetFormatError(`${where}: ${key} chunk ${rec.chunk.index} where chunk ${r.nextChunk} was due`);
  }
  r.nextChunk++;
  r.records++;
  // `steps` only: a format-2 record's `context` was replayed with the record it came from.
  for (const s of rec.steps) {
    const before = r.replayer.files.size;
    applyStep(r.replayer, s, `${where}: ${key}`);
    const added = r.replayer.files.size - before;
    if (progress && added > 0) {
      progress.replayed += added;
      if (progress.replayed <= progress.listed) progress.onProgress(progress.replayed, progress.listed);
    }
  }
  r.steps += rec.steps.length;
}

/** One step replayed; a step the replay refuses (a path out of the repository, ...) is a format error of the record. */
function applyStep(replayer: Replayer, step: Parameters<Replayer['apply']>[0], where: string): void {
  try {
    replayer.apply(step);
  } catch (err) {
    if (err instanceof ReplayError) throw new DatasetFormatError(`${where}: ${err.message}`, { cause: err });
    throw err;
  }
}
