/**
 * `retrace verify`: reads a dataset as it streams, replays each run's writes and edits in order,
 * and compares the result with the repository on disk, byte for byte.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { indexRepo } from '../graph/mod.ts';
import { Replayer, verifyFiles, type VerifyReport } from '../run/replay.ts';
import type { DatasetRecord } from './format.ts';

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
  const onProgress = opts.onProgress;
  let replayed = 0;
  let listed = 0;
  const runs = new Map<string, { replayer: Replayer; nextChunk: number; records: number; steps: number; repo: string }>();
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let lineNo = 0;
  for await (const line of lines) {
    lineNo++;
    if (line.trim() === '') continue;
    let rec: DatasetRecord;
    try {
      rec = JSON.parse(line) as DatasetRecord;
    } catch (err) {
      throw new DatasetFormatError(`${file}:${lineNo}: not JSON (${(err as Error).message})`);
    }
    if (!rec || typeof rec !== 'object' || !Array.isArray(rec.steps) || !rec.run?.id || !rec.chunk) {
      throw new DatasetFormatError(`${file}:${lineNo}: not a Retrace dataset record`);
    }
    const key = `${rec.repo.name}/${rec.run.id}`;
    let r = runs.get(key);
    if (!r) {
      r = { replayer: new Replayer(), nextChunk: 0, records: 0, steps: 0, repo: rec.repo.name };
      runs.set(key, r);
      if (onProgress && Array.isArray(rec.repo.files)) {
        listed += rec.repo.files.length;
        onProgress(Math.min(replayed, listed), listed);
      }
    }
    if (rec.chunk.index !== r.nextChunk) {
      throw new DatasetFormatError(`${file}:${lineNo}: ${key} chunk ${rec.chunk.index} where chunk ${r.nextChunk} was due`);
    }
    r.nextChunk++;
    r.records++;
    if (onProgress) {
      const files = r.replayer.files;
      for (const s of rec.steps) {
        const before = files.size;
        r.replayer.apply(s);
        if (files.size !== before) {
          replayed += files.size - before;
          if (replayed <= listed) onProgress(replayed, listed);
        }
      }
    } else for (const s of rec.steps) r.replayer.apply(s);
    r.steps += rec.steps.length;
  }
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
