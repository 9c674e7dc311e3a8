/**
 * The conductor drives one reconstruction over the bus: the plan, the designs milestone by
 * milestone, then every file in writing order — coder, tester, and the debugger while the
 * tester's checks fail on a faulty draft. It hands work to the roles' durable queues and takes
 * their results from the run's durable results queue; the trajectory is the results' steps in the
 * order the work was handed out, so it does not depend on which process did what, or when.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Bus, Consumer, Incoming, WorkQueue } from '../bus/mod.ts';
import { BusError } from '../bus/mod.ts';
import { openResultQueue, openRoleQueue, DEFAULT_QUEUE, type QueueSettings } from '../agents/host.ts';
import { MSG, acceptResult, workSubject, type Work, type WorkResult } from '../agents/protocol.ts';
import type { FileDesign, Plan, RepoRef, Role, Step } from '../agents/types.ts';
import type { Workspaces } from '../agents/workspace.ts';
import { silentLogger } from '../log/logger.ts';

export interface ConductOptions {
  bus: Bus;
  workspaces: Workspaces;
  run: string;
  repo: RepoRef;
  seed: number;
  /** Scorer calls per refined chunk. */
  budget: number;
  /** Share of files whose first draft carries a fault. */
  faultRate: number;
  /** How long to wait for one piece of work's result. */
  jobTimeoutMs?: number;
  /** Debugging rounds per file before moving on. */
  maxDebugRounds?: number;
  queue?: QueueSettings;
  log?: Logger;
  /** Told of each result message as it is taken from the results queue (the trace's recorder). */
  onResultMessage?: (msg: Incoming<WorkResult>) => void;
  /** Called after each result, in order (and awaited): for progress and checkpoints. */
  onResult?: (result: WorkResult, how: { replayed: boolean }) => void | Promise<void>;
  /**
   * Results of work done before an interruption (resume): asked for each job in order; a result
   * given here is used as is and the work is not handed out again.
   */
  replayed?: (job: string) => WorkResult | undefined;
  /** Keep every step in the returned record (tests); a streaming writer turns this off. */
  keepSteps?: boolean;
  /**
   * Which start of the run this is; a new one by default. A resumed run passes its first start's
   * (kept in its checkpoint), so the work it hands out again is deduplicated against the work
   * already queued and the results already queued are its own. Results of other starts under the
   * same run id (an earlier run, not resumed) are dropped.
   */
  attempt?: string;
}

export interface RunRecord {
  run: string;
  repo: RepoRef;
  seed: number;
  plan: Plan;
  steps: Step[];
  /** Files in the order they were written. */
  files: string[];
  /** Files whose first draft carried a fault, and how many debugging rounds each took. */
  episodes: Array<{ path: string; rounds: number; repaired: boolean }>;
  /** Work that failed (its error), for the run to report. */
  failures: Array<{ job: string; error: string }>;
}

export class JobTimeoutError extends BusError {
  override name = 'JobTimeoutError';
}

export async function conduct(opts: ConductOptions): Promise<RunRecord> {
  const log = (opts.log ?? silentLogger).child({ component: 'conductor', run: opts.run });
  const settings = opts.queue ?? DEFAULT_QUEUE;
  const timeoutMs = opts.jobTimeoutMs ?? 10 * 60_000;
  const ws = await opts.workspaces.get(opts.repo);
  const queues = new Map<Role, Promise<WorkQueue>>();
  const arrived = new Map<string, WorkResult>();
  const waiting = new Map<string, (r: WorkResult) => void>();

  const attempt = opts.attempt ?? randomBytes(6).toString('hex');
  const results = await openResultQueue(opts.bus, opts.run, settings);
  const consumer: Consumer = results.consume<WorkResult>(
    async (job) => {
      opts.onResultMessage?.(job);
      const r = job.body;
      if (r.attempt !== attempt) {
        log.debug({ job: r.job, attempt: r.attempt }, 'result of another start of this run dropped');
        return;
      }
      const w = waiting.get(r.job);
      if (w) {
        waiting.delete(r.job);
        w(r);
      } else {
        arrived.set(r.job, r);
      }
    },
    { accept: acceptResult },
  );

  const record: RunRecord = { run: opts.run, repo: opts.repo, seed: opts.seed, plan: { overview: '', requirements: [], milestones: [] }, steps: [], files: [], episodes: [], failures: [] };
  // Every piece of work names the version it is about (agents refuse, or re-index, another one).
  const repo = opts.repo.digest ? opts.repo : { ...opts.repo, digest: ws.digest() };
  const common = { run: opts.run, seed: opts.seed, repo, budget: opts.budget, attempt };

  type WorkBody<R extends Role> = Omit<Extract<Work, { role: R }>, 'run' | 'seed' | 'repo' | 'budget' | 'job' | 'role'>;
  const dispatch = async <R extends Role>(role: R, key: string, body: WorkBody<R>): Promise<WorkResult> => {
    const job = `${role}:${key}`;
    const before = opts.replayed?.(job);
    if (before) {
      if (opts.keepSteps !== false) record.steps.push(...before.steps);
      if (before.error) record.failures.push({ job, error: before.error });
      await opts.onResult?.(before, { replayed: true });
      return before;
    }
    let q = queues.get(role);
    if (!q) {
      q = openRoleQueue(opts.bus, role, settings);
      queues.set(role, q);
    }
    let timer: NodeJS.Timeout | undefined;
    const done = new Promise<WorkResult>((resolve, reject) => {
      const early = arrived.get(job);
      if (early) {
        arrived.delete(job);
        resolve(early);
        return;
      }
      timer = setTimeout(() => {
        waiting.delete(job);
        reject(new JobTimeoutError(`no result for ${job} within ${timeoutMs} ms: is a ${role} agent running?`));
      }, timeoutMs);
      waiting.set(job, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
    });
    const work = { ...common, ...body, role, job } as Work;
    try {
      await (await q).enqueue(workSubject(opts.run, role), { type: MSG.work, body: work, run: opts.run, sender: 'conductor' }, { msgId: `${opts.run}:${attempt}:${job}` });
    } catch (err) {
      // Nothing will answer work that was never queued: no timer may hold the process for it.
      clearTimeout(timer);
      waiting.delete(job);
      throw err;
    }
    const r = await done;
    if (opts.keepSteps !== false) record.steps.push(...r.steps);
    if (r.error) record.failures.push({ job, error: r.error });
    await opts.onResult?.(r, { replayed: false });
    return r;
  };

  try {
    const planned = await dispatch('planner', 'plan', {});
    if (!planned.plan) throw new Error(`the planner gave no plan${planned.error ? `: ${planned.error}` : ''}`);
    record.plan = planned.plan;
    const designs = new Map<string, FileDesign>();
    for (const [i, milestone] of planned.plan.milestones.entries()) {
      const r = await dispatch('architect', `milestone-${i + 1}`, { overview: planned.plan.overview, milestone });
      for (const d of r.designs ?? []) designs.set(d.path, d);
    }
    const order = planned.plan.milestones.flatMap((m) => m.files);
    const written = new Set<string>();
    // A Read of a file not written yet (an import cycle) returns its design, never its text.
    const readDesigns = (path: string) => ws.readsFor(path).filter((p) => !written.has(p) && designs.has(p)).map((p) => designs.get(p)!);
    for (const path of order) {
      record.files.push(path);
      if (ws.isTest(path)) {
        await dispatch('tester', `write:${path}`, { path, mode: 'write-test', readDesigns: readDesigns(path) });
        written.add(path);
        continue;
      }
      const design = designs.get(path) ?? { path, responsibility: '', publicInterface: [], dependencies: [] };
      const coded = await dispatch('coder', `code:${path}`, { path, design, faultRate: opts.faultRate, readDesigns: readDesigns(path) });
      written.add(path);
      if (coded.content === undefined || ws.facts(path).language === null) continue;
      let content = coded.content;
      let checked = await dispatch('tester', `check:${path}:0`, { path, mode: 'check', content });
      if (!coded.faulty) continue; // real code the checks flag stays as it is: there is nothing to repair
      let rounds = 0;
      const max = opts.maxDebugRounds ?? 2;
      while (!checked.passed && rounds < max) {
        rounds++;
        const fixed = await dispatch('debugger', `debug:${path}:${rounds}`, { path, content, findings: checked.findings ?? [] });
        if (fixed.content === undefined || fixed.content === content) break;
        content = fixed.content;
        checked = await dispatch('tester', `check:${path}:${rounds}`, { path, mode: 'check', content });
      }
      record.episodes.push({ path, rounds, repaired: checked.passed === true });
    }
    log.info({ files: record.files.length, steps: record.steps.length }, 'run complete');
    return record;
  } finally {
    await consumer.stop();
  }
}
