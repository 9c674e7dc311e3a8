/**
 * A corpus's folder, and what in it survives a crash:
 *
 *   <out-dir>/corpus.json              the settings the corpus is made with (a rerun must match)
 *   <out-dir>/lock                     the pid of the driver using the folder
 *   <out-dir>/repos/<key>/records.jsonl.gz   a repository's records, exactly `retrace run`'s
 *   <out-dir>/repos/<key>/records.jsonl.gz.checkpoint   while it is being rebuilt
 *   <out-dir>/repos/<key>/outcome.json finished or failed, with figures or the error
 *   <out-dir>/manifest.jsonl           every repository's outcome, in input order
 *   <out-dir>/masked-files.jsonl       files the shards mask as duplicates or contaminated
 *   <out-dir>/data/part-*.parquet      the shards (or data.jsonl.zst), with the card beside them
 *
 * Outcomes are written whole (to a temporary name, then renamed), so a repository is finished
 * exactly when its outcome says so; everything else about it is redone or resumed.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../run/run-job.ts';
import type { CorpusEntry } from './inputs.ts';
import type { RepoFailure, RepoRunFigures } from './worker-protocol.ts';

export interface RepoOutcome {
  key: string;
  name: string;
  path: string;
  origin?: string;
  commit?: string;
  status: 'finished' | 'failed';
  figures?: RepoRunFigures;
  error?: RepoFailure;
  /** On a cluster: the driver that rebuilt it (`host:pid`). */
  driver?: string;
}

export class CorpusFolder {
  constructor(readonly dir: string) {}

  readonly settingsFile = (): string => join(this.dir, 'corpus.json');
  readonly manifestFile = (): string => join(this.dir, 'manifest.jsonl');
  /** Files the shards mask beyond their repositories' own rules (duplicates, contaminated), with why. */
  readonly maskedFile = (): string => join(this.dir, 'masked-files.jsonl');
  readonly repoDir = (key: string): string => join(this.dir, 'repos', key);
  readonly recordsFile = (key: string): string => join(this.repoDir(key), 'records.jsonl.gz');
  readonly outcomeFile = (key: string): string => join(this.repoDir(key), 'outcome.json');
  /** Where the shards go: a directory of Parquet shards, or one zstd JSON Lines file. */
  readonly dataPath = (format: 'jsonl' | 'parquet'): string => join(this.dir, format === 'parquet' ? 'data' : 'data.jsonl.zst');

  /**
   * Makes the folder, or checks that the corpus already there was made with `settings`: a rerun
   * with other settings would mix two datasets in one set of shards.
   */
  open(settings: object): void {
    mkdirSync(join(this.dir, 'repos'), { recursive: true });
    const file = this.settingsFile();
    const wanted = JSON.stringify(settings);
    if (existsSync(file)) {
      const held = readFileSync(file, 'utf8').trim();
      if (held !== wanted) throw new InputError(`${this.dir} holds a corpus made with other settings (${describeDifference(held, wanted)}); give another --out-dir, or the same options`);
      return;
    }
    writeWhole(file, wanted + '\n');
  }

  /** Takes the folder for this process; a folder held by a live driver is refused. */
  lock(): () => void {
    const file = join(this.dir, 'lock');
    const holder = existsSync(file) ? Number(readFileSync(file, 'utf8')) : NaN;
    if (Number.isInteger(holder) && holder !== process.pid && alive(holder)) {
      throw new InputError(`${this.dir} is in use by another retrace corpus (pid ${holder})`);
    }
    writeFileSync(file, String(process.pid));
    return () => rmSync(file, { force: true });
  }

  /** The outcome of an earlier attempt at this repository, if it got that far. */
  outcome(entry: CorpusEntry): RepoOutcome | undefined {
    const file = this.outcomeFile(entry.key);
    if (!existsSync(file)) return undefined;
    const o = JSON.parse(readFileSync(file, 'utf8')) as RepoOutcome;
    // The same key for another directory (the inputs changed): not this repository's outcome.
    return o.path === entry.path ? o : undefined;
  }

  /** Finished, with its records on disk. */
  isFinished(entry: CorpusEntry): boolean {
    return this.outcome(entry)?.status === 'finished' && existsSync(this.recordsFile(entry.key));
  }

  saveOutcome(o: RepoOutcome): void {
    writeWhole(this.outcomeFile(o.key), JSON.stringify(o) + '\n');
  }

  /** Starts a repository over: its outcome goes (a failed attempt), its checkpoint stays. */
  clearOutcome(entry: CorpusEntry): void {
    mkdirSync(this.repoDir(entry.key), { recursive: true });
    rmSync(this.outcomeFile(entry.key), { force: true });
  }

  writeManifest(outcomes: readonly RepoOutcome[]): string {
    const file = this.manifestFile();
    writeWhole(file, jsonLines(outcomes));
    return file;
  }

  writeMasked(rows: readonly object[]): void {
    writeWhole(this.maskedFile(), jsonLines(rows));
  }
}

export function jsonLines(rows: readonly object[]): string {
  return rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : '');
}

function writeWhole(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The first setting that differs, as `key: held -> wanted`. */
function describeDifference(held: string, wanted: string): string {
  let a: Record<string, unknown>;
  let b: Record<string, unknown>;
  try {
    a = JSON.parse(held) as Record<string, unknown>;
    b = JSON.parse(wanted) as Record<string, unknown>;
  } catch {
    return 'corpus.json does not parse';
  }
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const x = JSON.stringify(a[k]);
    const y = JSON.stringify(b[k]);
    if (x !== y) return `${k}: ${x} there, ${y} here`;
  }
  return 'same keys, other order';
}
