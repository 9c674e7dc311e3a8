/**
 * The search service: consumes `retrace.search.refine` jobs from a durable work queue (at least
 * once: a crashed instance's job is delivered again), runs the requested search with the grounded
 * proposer against its scorer (embedded in-process, or a ScoringClient for scoring nodes), sends
 * heartbeats and progress events with the tree after each batch, publishes the result, and
 * registers as the `retrace-search` service (status endpoint) so it can be discovered.
 *
 * A job whose search throws is retried by the queue, then dead-lettered; the failure is also
 * published as a result event with `ok: false` on its last delivery, so callers never wait forever.
 */
import { guardOf } from '../boundary/mod.ts';
import { randomUUID } from 'node:crypto';
import type { Bus, Consumer, Job, ServiceHandle } from '../bus/mod.ts';
import { GroundedProposer } from './grounded-proposer.ts';
import { corpusReader, CorpusScorers, type CorpusReader } from './score/corpus.ts';
import { ScoringClient } from './score/client.ts';
import { searchMethod } from './methods.ts';
import type { Proposer } from './proposer.ts';
import {
  ProgressEvent,
  RefineRequest,
  ResultEvent,
  SEARCH_PROGRESS,
  SEARCH_QUEUE,
  SEARCH_REFINE,
  SEARCH_RESULT,
  SEARCH_SERVICE,
  SEARCH_STATUS,
  SEARCH_STATUS_REQUEST,
  ServiceStatus,
  progressSubject,
  refineSubject,
  resultSubject,
  statusSubject,
} from './protocol.ts';
import type { Scorer } from './score/mod.ts';
import type { SearchProblem } from './types.ts';
import { z } from 'zod';

export interface SearchServiceOptions {
  bus: Bus;
  scorer: Scorer;
  /** Jobs run at once by this instance; 1 by default. */
  concurrency?: number;
  /** Ack wait of the queue (heartbeats keep long searches alive); 30 s by default. */
  ackWaitMs?: number;
  /** Deliveries before a job is dead-lettered; 3 by default. */
  maxDeliver?: number;
  /**
   * Who scores requests that name a corpus (see `RefineRequest.corpus`): embedded scorers trained
   * here per corpus (CorpusScorers), or the scoring nodes, told the corpus with every batch (a
   * ScoringClient). Without it, such requests are scored by `scorer` like the others.
   */
  corpora?: CorpusScorers | ScoringClient;
  /** Reads corpus texts for `corpora` trained here; from the graph service or the file system by default. */
  readCorpus?: CorpusReader;
  /** Another proposer (an LLM policy); the grounded proposer by default. */
  proposerFor?: (req: z.output<typeof RefineRequest>) => Proposer;
  instance?: string;
}

export class SearchService {
  readonly instance: string;
  private consumer: Consumer | undefined;
  private service: ServiceHandle | undefined;
  private readonly counters = { jobs: 0, inFlight: 0, failed: 0, scorerCalls: 0 };

  private constructor(private readonly opts: SearchServiceOptions) {
    this.instance = opts.instance ?? randomUUID().replace(/-/g, '').slice(0, 12);
  }

  static async start(opts: SearchServiceOptions): Promise<SearchService> {
    const svc = new SearchService(opts);
    const queue = await opts.bus.workQueue(SEARCH_QUEUE, {
      subjects: [refineSubject()],
      ackWaitMs: opts.ackWaitMs ?? 30_000,
      maxDeliver: opts.maxDeliver ?? 3,
    });
    svc.service = await opts.bus.service({
      name: SEARCH_SERVICE,
      version: '0.1.0',
      description: 'Search over reasoning steps: MCTS and baselines (retrace.search.refine)',
      metadata: { model: opts.scorer.model, instance: svc.instance },
      endpoints: [
        {
          name: 'status',
          subject: statusSubject(),
          accept: { [SEARCH_STATUS_REQUEST]: z.unknown() },
          handler: async () => ({ type: SEARCH_STATUS, body: svc.status() }),
        },
      ],
    });
    svc.consumer = queue.consume<z.input<typeof RefineRequest>>((job) => svc.handle(job), {
      concurrency: opts.concurrency ?? 1,
      accept: { [SEARCH_REFINE]: RefineRequest },
    });
    return svc;
  }

  status(): ServiceStatus {
    return { instance: this.instance, model: this.opts.scorer.model, ...this.counters };
  }

  /** Stops taking jobs (jobs in flight finish) and leaves the service registry. */
  async stop(): Promise<void> {
    await this.consumer?.stop();
    await this.service?.stop();
    this.consumer = undefined;
    this.service = undefined;
  }

  private withScorer<T>(req: z.output<typeof RefineRequest>, fn: (scorer: Scorer) => Promise<T>): Promise<T> {
    const c = req.corpus;
    const corpora = this.opts.corpora;
    if (!c || !corpora) return fn(this.opts.scorer);
    if (corpora instanceof ScoringClient) return fn(corpora.withCorpus(c));
    return corpora.useRef(c, this.opts.readCorpus ?? corpusReader(this.opts.bus), fn);
  }

  private async handle(job: Job<z.input<typeof RefineRequest>>): Promise<void> {
    const req = RefineRequest.parse(job.body);
    const bus = this.opts.bus;
    const meta = { traceparent: job.traceparent, ...(job.run ? { run: job.run } : {}), sender: `${SEARCH_SERVICE}/${this.instance}` };
    this.counters.inFlight++;
    try {
      const proposer = this.opts.proposerFor?.(req) ?? groundedFor(req);
      let lastProgress = -Infinity;
      const pending: Promise<void>[] = [];
      const result = await this.withScorer(req, (scorer) => {
        const problem: SearchProblem = { context: req.context, target: req.target, proposer, scorer };
        if (req.seed !== undefined) problem.seed = req.seed;
        if (req.maxSteps !== undefined) problem.maxSteps = req.maxSteps;
        if (req.minSteps !== undefined) problem.minSteps = req.minSteps;
        if (req.lambda !== undefined) problem.objective = { lambda: req.lambda };
        if (req.boundary) problem.guard = guardOf(req.boundary);
        return searchMethod(req.method).search(problem, {
          ...req.budget,
          onProgress: (p) => {
            job.working();
            const now = performance.now();
            if (!req.progress || now - lastProgress < req.progressMs) return;
            lastProgress = now;
            const body: ProgressEvent = { id: req.id, method: p.method, scorerCalls: p.scorerCalls, bestReward: p.bestReward, bestSteps: [...p.bestSteps] };
            if (p.tree) body.tree = p.tree;
            pending.push(bus.publish(progressSubject(job.run), { type: SEARCH_PROGRESS, body, ...meta }));
          },
        });
      });
      await Promise.all(pending);
      this.counters.scorerCalls += result.scorerCalls;
      const body: ResultEvent = {
        id: req.id,
        ok: true,
        result: {
          method: result.method,
          steps: result.steps,
          reward: result.reward,
          logprob: result.logprob,
          baseline: result.baseline,
          scorerCalls: result.scorerCalls,
          batches: result.batches,
          stopped: result.stopped,
          wallMs: result.wallMs,
          proposals: result.proposals,
          tree: result.tree,
        },
      };
      await bus.publish(resultSubject(job.run), { type: SEARCH_RESULT, body, ...meta });
      this.counters.jobs++;
    } catch (err) {
      this.counters.failed++;
      if (job.deliveryCount >= (this.opts.maxDeliver ?? 3)) {
        const body: ResultEvent = { id: req.id, ok: false, error: err instanceof Error ? err.message : String(err) };
        await bus.publish(resultSubject(job.run), { type: SEARCH_RESULT, body, ...meta }).catch(() => undefined);
      }
      throw err;
    } finally {
      this.counters.inFlight--;
    }
  }
}

function groundedFor(req: z.output<typeof RefineRequest>): Proposer {
  const opts: ConstructorParameters<typeof GroundedProposer>[0] = {};
  if (req.language) opts.language = req.language;
  if (req.preceding !== undefined) opts.preceding = req.preceding;
  if (req.path !== undefined) opts.path = req.path;
  if (req.imports) opts.imports = req.imports;
  if (req.knownIdentifiers) opts.knownIdentifiers = new Set(req.knownIdentifiers);
  if (req.design) opts.design = req.design;
  return new GroundedProposer(opts);
}

export interface RefineMeta {
  run?: string;
  traceparent?: string;
  /** Must match the service's queue settings (30 s and 3 by default). */
  ackWaitMs?: number;
  maxDeliver?: number;
}

/**
 * Enqueues a refinement (deduplicated by its id) and returns the job's sequence number. The queue
 * is opened as a producer: the search services (or the driver's `retrace setup`) set it up, and a
 * requester's user may only publish into it.
 */
export async function requestRefine(bus: Bus, req: RefineRequest, meta: RefineMeta = {}): Promise<number> {
  const queue = await bus.workQueue(SEARCH_QUEUE, { subjects: [refineSubject()], ackWaitMs: meta.ackWaitMs ?? 30_000, maxDeliver: meta.maxDeliver ?? 3, produceOnly: true });
  const envelope: Parameters<typeof queue.enqueue>[1] = { type: SEARCH_REFINE, body: req };
  if (meta.run) envelope.run = meta.run;
  if (meta.traceparent) envelope.traceparent = meta.traceparent;
  const r = await queue.enqueue(refineSubject(), envelope, { msgId: `search-${req.id}` });
  return r.seq;
}
