/**
 * What a corpus driver and its worker processes say over the IPC channel: one job in (a
 * repository to rebuild), progress and one outcome out. Plain JSON; the worker exits after its
 * outcome, so every repository starts in a fresh process with nothing left of the last one.
 */
import type { RunSettings } from '../cli/run-options.ts';
import type { CorpusEntry } from './inputs.ts';
import type { ModelCalls } from '../accounting/model-calls.ts';

export interface WorkerJob {
  type: 'job';
  entry: CorpusEntry;
  /** The repository's records (`<out-dir>/repos/<key>/records.jsonl.gz`); its checkpoint lies beside it. */
  out: string;
  settings: RunSettings;
  /** The run id, when the entry's key is not its name (two repositories of one name). */
  runId?: string;
  logLevel: string;
}

/** What the driver keeps of a repository's run summary. */
export interface RepoRunFigures {
  files: number;
  steps: number;
  records: number;
  tokens: number;
  trainTokens: number;
  searches: number;
  scorerCalls: number;
  resumedResults: number;
  skipped: number;
  peakRssBytes: number;
  ms: number;
  /** This worker's model calls (a resumed repository's: those since it resumed); absent when no model was called. */
  models?: ModelCalls;
}

export interface RepoFailure {
  /** The error's class (`InputError`, `VerifyMismatch`, `WorkFailed`, `Crashed`, `Timeout`, ...). */
  class: string;
  message: string;
}

export type WorkerMessage =
  | { type: 'file'; done: number; total: number }
  | { type: 'finished'; figures: RepoRunFigures }
  | { type: 'failed'; error: RepoFailure; figures?: RepoRunFigures };

export function isWorkerMessage(m: unknown): m is WorkerMessage {
  const t = (m as { type?: unknown } | null)?.type;
  return t === 'file' || t === 'finished' || t === 'failed';
}
