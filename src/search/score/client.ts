/**
 * The client side of scoring nodes: a Scorer that sends a batch over the bus in chunks, one
 * request per chunk, so the model's queue group spreads the chunks across its nodes. Results come
 * back in order. A chunk that times out is sent again (`retries`); nobody listening is a
 * ScorerUnreachableError; a node's failure comes back as the scorer error class it threw.
 */
import pLimit from 'p-limit';
import { NoRespondersError, outageBoundMs, RemoteError, requestThroughOutage, TimeoutError, type Bus } from '../../bus/mod.ts';
import { ScorerUnreachableError } from './errors.ts';
import {
  decodeResults,
  errorFromFailure,
  NodeStatsBody,
  SCORE_REQUEST,
  SCORE_RESULT,
  SCORE_STATS,
  SCORE_STATS_REQUEST,
  SCORE_TRAIN,
  SCORING_SERVICE,
  scoreSubject,
  ScoreResultBody,
  trainSubject,
  type CorpusRef,
  type NodeStats,
} from './protocol.ts';
import type { ScoreItem, ScoreOptions, ScoreResult, Scorer } from './types.ts';

export interface ScoringClientOptions {
  bus: Bus;
  model: string;
  /** Items per request; 16 by default. */
  chunkSize?: number;
  /** Requests in flight; 8 by default. */
  concurrency?: number;
  /** Per request; 60 s by default. */
  timeoutMs?: number;
  /** Resends of a chunk that timed out; 1 by default. */
  retries?: number;
  /** Sender name on the envelopes. */
  sender?: string;
  /** How long no scoring node may answer (one restarting) before scoring fails; RETRACE_OUTAGE_MS, 60 s by default. */
  outageMs?: number;
}

export class ScoringClient implements Scorer {
  readonly model: string;
  private readonly bus: Bus;
  private readonly chunkSize: number;
  private readonly limit: ReturnType<typeof pLimit>;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly sender: string;
  private readonly outageMs: number;

  constructor(opts: ScoringClientOptions) {
    this.bus = opts.bus;
    this.model = opts.model;
    this.chunkSize = Math.max(1, opts.chunkSize ?? 16);
    this.limit = pLimit(Math.max(1, opts.concurrency ?? 8));
    this.timeoutMs = opts.timeoutMs ?? 60_000;
    this.retries = opts.retries ?? 1;
    this.sender = opts.sender ?? 'score-client';
    this.outageMs = opts.outageMs ?? outageBoundMs();
  }

  async scoreBatch(items: readonly ScoreItem[], opts: ScoreOptions = {}): Promise<ScoreResult[]> {
    return this.scoreWith(items, opts, undefined);
  }

  /**
   * This client as a Scorer whose every request names `corpus`: embedded nodes score with a
   * scorer trained on it (as an agent's own search would); nodes of a served model ignore it.
   */
  withCorpus(corpus: CorpusRef): Scorer {
    return {
      model: this.model,
      scoreBatch: (items, opts = {}) => this.scoreWith(items, opts, corpus),
      close: async () => {},
    };
  }

  private async scoreWith(items: readonly ScoreItem[], opts: ScoreOptions, corpus: CorpusRef | undefined): Promise<ScoreResult[]> {
    const chunks: ScoreItem[][] = [];
    for (let k = 0; k < items.length; k += this.chunkSize) chunks.push(items.slice(k, k + this.chunkSize));
    const parts = await Promise.all(chunks.map((chunk) => this.limit(() => this.scoreChunk(chunk, opts.signal, corpus))));
    return parts.flat();
  }

  /** Publishes one more written document to every node of the model. */
  async train(code: string): Promise<void> {
    await this.bus.publish(trainSubject(this.model), { type: SCORE_TRAIN, body: { code }, sender: this.sender });
  }

  /** Counters of every running node of this model. */
  async nodeStats(timeoutMs = 2000): Promise<NodeStats[]> {
    const services = await this.bus.discover(SCORING_SERVICE, { timeoutMs });
    const out: NodeStats[] = [];
    for (const service of services) {
      const ep = service.endpoints.find((e) => e.subject.startsWith(`${scoreSubject(this.model)}.stats.`));
      if (!ep) continue;
      const reply = await this.bus.request(ep.subject, { type: SCORE_STATS_REQUEST, body: {}, sender: this.sender }, { timeoutMs, accept: { [SCORE_STATS]: NodeStatsBody } });
      out.push(reply.body as NodeStats);
    }
    return out;
  }

  async close(): Promise<void> {}

  private async scoreChunk(items: ScoreItem[], signal: AbortSignal | undefined, corpus: CorpusRef | undefined): Promise<ScoreResult[]> {
    const subject = scoreSubject(this.model);
    for (let attempt = 0; ; attempt++) {
      signal?.throwIfAborted();
      try {
        // A scoring node restarting has no responders for a moment: waited out up to the bound.
        const reply = await requestThroughOutage<ScoreResultBody>(
          this.bus,
          subject,
          { type: SCORE_REQUEST, body: corpus ? { items, corpus } : { items }, sender: this.sender },
          { timeoutMs: this.timeoutMs, accept: { [SCORE_RESULT]: ScoreResultBody } },
          this.outageMs,
        );
        return decodeResults(items, reply.body);
      } catch (err) {
        if (err instanceof NoRespondersError) {
          throw new ScorerUnreachableError(`no scoring node serves ${this.model} (${subject}), after waiting ${Math.round(this.outageMs / 1000)} s for one`, { cause: err });
        }
        if (err instanceof RemoteError) throw errorFromFailure(err.remoteMessage, err);
        if (err instanceof TimeoutError) {
          if (attempt < this.retries) continue;
          throw new ScorerUnreachableError(`scoring nodes of ${this.model} did not answer within ${this.timeoutMs} ms`, { cause: err });
        }
        throw err;
      }
    }
  }
}
