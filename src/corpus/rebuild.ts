/**
 * One repository rebuilt in one worker process (`retrace corpus-worker`): the job goes in over
 * the IPC channel, progress and one outcome come back; whatever happens to the process (a crash,
 * a kill, a timeout), the caller gets an outcome.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import type { RunSettings } from '../cli/run-options.ts';
import type { CorpusEntry } from './inputs.ts';
import type { CorpusFolder, RepoOutcome } from './state.ts';
import { isWorkerMessage, type RepoFailure, type WorkerJob, type WorkerMessage } from './worker-protocol.ts';

const WORKER_BIN = resolve(import.meta.dirname, '../../bin/retrace.js');

export interface RebuildOptions {
  settings: RunSettings;
  /** A repository still running after this long is stopped and recorded as failed (0: no limit). */
  repoTimeoutMs?: number;
  logLevel?: string;
  /** The V8 heap of each worker, in MiB (`--max-old-space-size`): bounds a job's memory; unbounded by default. */
  workerHeapMb?: number;
  onFile?: (entry: CorpusEntry, done: number, total: number) => void;
}

function outcomeOf(entry: CorpusEntry, m: Exclude<WorkerMessage, { type: 'file' }>): RepoOutcome {
  const base = { key: entry.key, name: entry.name, path: entry.path, ...(entry.origin ? { origin: entry.origin } : {}), ...(entry.commit ? { commit: entry.commit } : {}) };
  const figures = m.figures ? { figures: m.figures } : {};
  return m.type === 'finished' ? { ...base, status: 'finished', ...figures } : { ...base, status: 'failed', ...figures, error: m.error };
}

/** One repository in one worker process; its outcome, whatever happens to the process. */
export function rebuildOne(folder: CorpusFolder, entry: CorpusEntry, opts: RebuildOptions): Promise<RepoOutcome> {
  const job: WorkerJob = {
    type: 'job',
    entry,
    out: folder.recordsFile(entry.key),
    settings: opts.settings,
    ...(entry.key !== entry.name ? { runId: `${entry.key}-s${opts.settings.seed}` } : {}),
    logLevel: opts.logLevel ?? 'warn',
  };
  return new Promise((resolveOutcome) => {
    const execArgv = opts.workerHeapMb ? [`--max-old-space-size=${opts.workerHeapMb}`] : [];
    const child = fork(WORKER_BIN, ['corpus-worker'], { execArgv, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    const stderr = tail(child);
    let answer: Exclude<WorkerMessage, { type: 'file' }> | undefined;
    const timer = opts.repoTimeoutMs ? setTimeout(() => stop(child, { class: 'Timeout', message: `still running after ${opts.repoTimeoutMs} ms; stopped` }), opts.repoTimeoutMs) : undefined;
    const stop = (c: ChildProcess, error: RepoFailure) => {
      answer ??= { type: 'failed', error };
      c.kill('SIGKILL');
    };
    child.on('message', (m: unknown) => {
      if (!isWorkerMessage(m)) return;
      if (m.type === 'file') opts.onFile?.(entry, m.done, m.total);
      else answer ??= m;
    });
    child.once('spawn', () => child.send(job));
    child.once('error', (err) => stop(child, { class: 'SpawnFailed', message: err.message }));
    child.once('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolveOutcome(outcomeOf(entry, answer ?? { type: 'failed', error: crashed(code, signal, stderr()) }));
    });
  });
}

function crashed(code: number | null, signal: NodeJS.Signals | null, stderr: string): RepoFailure {
  const how = signal ? `killed by ${signal}` : `exited with code ${code}`;
  return { class: 'Crashed', message: `the worker process ${how} before answering${stderr ? `: ${stderr}` : ''}` };
}

/** What the child wrote to stderr, for a crash's message: its first and last 1,000 characters. */
function tail(child: ChildProcess): () => string {
  let head = '';
  let last = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (d: string) => {
    if (head.length < 1000) head += d.slice(0, 1000 - head.length);
    last = (last + d).slice(-1000);
  });
  return () => (head.length < 1000 || last === '' ? head : `${head} ... ${last}`).trim();
}
