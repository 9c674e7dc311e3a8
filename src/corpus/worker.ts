/**
 * A corpus worker process (`retrace corpus-worker`, started by the driver with an IPC channel):
 * takes one repository, rebuilds it with runJob exactly as `retrace run` would (same settings,
 * JSON Lines records, no card), reports files as they are written, and answers with the outcome.
 * The run resumes from the repository's checkpoint when an earlier worker left one.
 */
import { createLogger } from '../log/logger.ts';
import { runJob, type RunSummary } from '../run/run-job.ts';
import { calledModels } from '../accounting/model-calls.ts';
import type { RepoFailure, RepoRunFigures, WorkerJob, WorkerMessage } from './worker-protocol.ts';

export async function serveCorpusJob(): Promise<void> {
  if (!process.send) throw new Error('retrace corpus-worker runs under `retrace corpus` (it needs an IPC channel)');
  const job = await nextJob();
  // A driver that dies (even by SIGKILL) closes the channel: stop at once, so a rerun never meets
  // this process still writing; the checkpoint keeps what was done.
  const driverGone = () => process.exit(130);
  process.once('disconnect', driverGone);
  const message = await rebuild(job);
  await send(message);
  process.off('disconnect', driverGone);
  process.disconnect?.();
}

function nextJob(): Promise<WorkerJob> {
  return new Promise((resolve, reject) => {
    process.once('message', (m: WorkerJob) => (m?.type === 'job' ? resolve(m) : reject(new Error(`corpus-worker: expected a job, got ${JSON.stringify(m).slice(0, 200)}`))));
    process.once('disconnect', () => reject(new Error('corpus-worker: the driver went away before sending a job')));
  });
}

async function rebuild(job: WorkerJob): Promise<WorkerMessage> {
  const { entry, settings } = job;
  let summary: RunSummary;
  try {
    summary = await runJob({
      repoPath: entry.path,
      name: entry.name,
      ...(entry.origin ? { origin: entry.origin } : {}),
      ...(entry.commit ? { commit: entry.commit } : {}),
      ...(job.runId ? { runId: job.runId } : {}),
      out: job.out,
      ...settings,
      format: 'jsonl',
      card: false,
      resume: true,
      log: createLogger({ level: job.logLevel }),
      progress: { phase() {}, file: (done, total) => void send({ type: 'file', done, total }) },
    });
  } catch (err) {
    return { type: 'failed', error: failureOf(err) };
  }
  const figures = figuresOf(summary);
  const mismatch = summary.verify?.find((v) => !v.ok);
  if (mismatch) {
    return { type: 'failed', figures, error: { class: 'VerifyMismatch', message: `the dataset does not reproduce the repository: ${mismatch.different.length} different, ${mismatch.missing.length} missing, ${mismatch.extra.length} extra` } };
  }
  if (summary.failures.length > 0) {
    const first = summary.failures[0]!;
    return { type: 'failed', figures, error: { class: 'WorkFailed', message: `${summary.failures.length} pieces of work failed; first ${first.job}: ${first.error}` } };
  }
  return { type: 'finished', figures };
}

function figuresOf(s: RunSummary): RepoRunFigures {
  return {
    files: s.files,
    steps: s.steps,
    records: s.records,
    tokens: s.tokens,
    trainTokens: s.trainTokens,
    searches: s.searches,
    scorerCalls: s.scorerCalls,
    resumedResults: s.resumedResults,
    skipped: s.skipped.length,
    peakRssBytes: s.peakRssBytes,
    ms: Math.round(s.ms.total),
    ...(calledModels(s.models) ? { models: s.models } : {}),
  };
}

function failureOf(err: unknown): RepoFailure {
  if (err instanceof Error) return { class: err.name || 'Error', message: err.message };
  return { class: 'Error', message: String(err) };
}

function send(m: WorkerMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.connected) return resolve();
    process.send!(m, undefined, {}, () => resolve());
  });
}
