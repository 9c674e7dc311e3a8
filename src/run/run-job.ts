/**
 * The main job: a repository in, a dataset out. Its phases, each in its own module:
 *
 *   1. input      (job-input.ts)    what it works on and where it writes, checked
 *   2. index      (job-session.ts)  the repository indexed
 *   3. team       (job-session.ts)  the in-process team, or the agents on NATS
 *   4. checkpoint (here)            an interrupted run's results taken back; the dataset opened
 *   5. conduct    (job-conduct.ts)  the reconstruction, streamed to the checkpoint and dataset
 *   6. verify     (here)            the dataset replayed against the repository
 *
 * The CLI (`retrace run`) is a thin shell on this.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import type { Bus } from '../bus/mod.ts';
import type { Workspace } from '../agents/workspace.ts';
import { DatasetOutput, repoProvenance, untrainedFiles } from '../dataset/output.ts';
import { verifyDataset, type RunVerification } from '../dataset/verify.ts';
import { silentLogger } from '../log/logger.ts';
import { resolveInRepo } from '../paths/repo-path.ts';
import { Checkpoint } from './checkpoint.ts';
import { conductJob, type ConductedJob } from './job-conduct.ts';
import { checkJobInput, withStatedOrigin, type JobInput } from './job-input.ts';
import { indexRepository, JobSession } from './job-session.ts';
import type { RunJobOptions, RunSummary } from './job-types.ts';

export * from './job-types.ts';

const now = () => performance.now();

export async function runJob(opts: RunJobOptions): Promise<RunSummary> {
  const log = opts.log ?? silentLogger;
  const t0 = now();
  const input = await checkJobInput(opts);
  const indexed = await indexRepository(opts, input);
  const tIndex = now();
  const session = await JobSession.open(opts, input, log, indexed);
  const { checkpoint, writer } = await openCheckpointAndDataset(opts, input, session);
  const job = await conductJob(opts, input, session, checkpoint, writer, log);
  const tFiles = now();
  // The run is complete: its checkpoint has served its purpose.
  rmSync(checkpoint.path, { force: true });
  const verification = await verifyRun(opts, input, session.ws);
  const tEnd = now();
  const ms = { index: tIndex - t0, plan: (job.tPlanned || tFiles) - tIndex, files: tFiles - (job.tPlanned || tFiles), verify: tEnd - tFiles, total: tEnd - t0, search: session.refiner.stats.ms, io: job.ioMs };
  return summarise(input, session, checkpoint, job, verification, ms);
}

/**
 * The checkpoint (an interrupted run's results, with `resume`) and the dataset the results
 * stream into, with the repository's provenance; the session is released if either fails.
 */
async function openCheckpointAndDataset(opts: RunJobOptions, input: JobInput, session: JobSession & { bus: Bus; ws: Workspace }): Promise<{ checkpoint: Checkpoint; writer: DatasetOutput }> {
  const ws = session.ws;
  let checkpoint: Checkpoint | undefined;
  try {
    checkpoint = Checkpoint.open(
      `${input.output.out}.checkpoint`,
      { checkpoint: 1, run: input.run, repo: input.where, seed: opts.seed, budget: opts.budget, faultRate: opts.faultRate, policies: session.policies, attempt: randomBytes(6).toString('hex') },
      opts.resume,
    );
    const languages: Record<string, number> = {};
    for (const f of ws.graph.data.files) if (f.language) languages[f.language] = (languages[f.language] ?? 0) + 1;
    const facts = { name: input.name, languages, order: ws.order, read: (p: string) => ws.read(p), ...(input.root !== undefined ? { root: input.root } : {}), ...(ws.servedGit ? { git: ws.servedGit } : {}) };
    const provenance = withStatedOrigin(await repoProvenance(facts), opts);
    const writer = new DatasetOutput(input.output, input.tokenizer, {
      repo: provenance,
      run: {
        id: input.run,
        seed: opts.seed,
        budget: opts.budget,
        fault_rate: opts.faultRate,
        scorer: opts.scorer && opts.scorer.kind !== 'embedded' ? { kind: opts.scorer.kind, model: opts.scorer.model } : { kind: 'embedded', model: null },
        search: opts.budget > 0 ? { method: 'mcts', batch: 8 } : null,
      },
      untrained: untrainedFiles(facts, input.output.train),
    });
    return { checkpoint, writer };
  } catch (err) {
    checkpoint?.close();
    await session.release();
    throw err;
  }
}

async function verifyRun(opts: RunJobOptions, input: JobInput, served: Workspace | undefined): Promise<RunVerification[] | null> {
  if (opts.verify === false) return null;
  opts.progress?.phase('verify');
  const onVerify = opts.progress?.verify?.bind(opts.progress);
  // Against the files the run rebuilt (its own index: indexing the repository again would hold a
  // second graph of it), their bytes as the graph service serves them or as they are on disk.
  const files = served!.graph.data.files.map((f) => f.path);
  const root = input.root;
  const against = opts.graph || root === undefined ? { files, read: (p: string) => Buffer.from(served!.read(p), 'utf8') } : { files, read: (p: string) => readFileSync(resolveInRepo(root, p)) };
  return verifyDataset(input.output.out, against, onVerify ? { onProgress: onVerify } : {});
}

function summarise(input: JobInput, session: JobSession, checkpoint: Checkpoint, job: ConductedJob, verification: RunVerification[] | null, ms: RunSummary['ms']): RunSummary {
  const { conducted, finished } = job;
  return {
    run: input.run,
    repo: input.where,
    out: input.output.out,
    files: conducted.files.length,
    steps: finished.steps,
    records: finished.records,
    tokens: finished.tokens,
    trainTokens: finished.trainTokens,
    maskedTokens: finished.maskedTokens,
    trainChars: finished.trainChars,
    maskedChars: finished.maskedChars,
    zeroTrainRecords: finished.zeroTrainRecords,
    outputs: finished.files,
    card: finished.card,
    searches: job.searches,
    scorerCalls: job.scorerCalls,
    meanSearchReward: job.searches > 0 ? job.rewardSum / job.searches : null,
    episodes: { total: conducted.episodes.length, repaired: conducted.episodes.filter((e) => e.repaired).length },
    failures: conducted.failures,
    deadLetters: session.deadLetters,
    skipped: skippedPaths(session.ws!.graph.data),
    resumedResults: checkpoint.resumed,
    ms,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    verify: verification,
    models: session.models,
  };
}

/** Files left out of the rebuild and why: skipped by the graph, or not in the git repository. */
function skippedPaths(data: Workspace['graph']['data']): RunSummary['skipped'] {
  const all = [...data.skipped, ...(data.excluded ?? [])].map((s) => ({ path: s.path, reason: s.reason }));
  return all.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

