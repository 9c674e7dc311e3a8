/**
 * A scoring node: one scorer served on the bus as the `retrace-score` service, in the model's
 * queue group, so starting more nodes spreads the load. It counts requests, items, target tokens,
 * errors and latency (its own stats endpoint), on top of the bus service's request counts and
 * processing times (`$SRV.STATS` on NATS). Scorers that learn (`train`) get every document
 * published on the model's train subject, on every node.
 */
import { randomUUID } from 'node:crypto';
import type { Bus, ServiceHandle, ServiceStats, Subscription } from '../../bus/mod.ts';
import {
  encodeResults,
  failureMessage,
  SCORE_REQUEST,
  SCORE_RESULT,
  SCORE_STATS,
  SCORE_STATS_REQUEST,
  SCORE_TRAIN,
  scoreQueue,
  ScoreRequestBody,
  SCORING_SERVICE,
  scoreSubject,
  statsSubject,
  TrainBody,
  trainSubject,
  type NodeStats,
  type ScoreResultBody,
} from './protocol.ts';
import { z } from 'zod';
import type { Scorer } from './types.ts';
import { corpusReader, type CorpusReader, type CorpusScorers } from './corpus.ts';

/** A scorer that can also learn from written code (the embedded one). */
export interface TrainableScorer extends Scorer {
  train(code: string): void;
}

function isTrainable(scorer: Scorer): scorer is TrainableScorer {
  return typeof (scorer as Partial<TrainableScorer>).train === 'function';
}

export interface ScoringNodeOptions {
  bus: Bus;
  scorer: Scorer;
  /** `embedded` or `openai`, for stats and discovery. */
  backend: string;
  /** Batches handled at once; 1 for a CPU scorer (the default), more for a server-backed one. */
  concurrency?: number;
  /** Node id; random by default. */
  id?: string;
  /**
   * Embedded scorers trained per corpus, for requests that name one (`ScoreRequestBody.corpus`):
   * an embedded node scores those as an agent's own search would. Without it a request's corpus is
   * ignored (a served model already knows code).
   */
  corpora?: CorpusScorers;
  /** Reads corpus texts; from the graph service or the file system by default. */
  readCorpus?: CorpusReader;
}

export class ScoringNode {
  readonly id: string;
  readonly model: string;
  private readonly counters: NodeStats;
  private constructor(
    private readonly opts: ScoringNodeOptions,
    private service: ServiceHandle | undefined,
    private trainSub: Subscription | undefined,
    id: string,
  ) {
    this.id = id;
    this.model = opts.scorer.model;
    this.counters = {
      node: id,
      model: this.model,
      backend: opts.backend,
      requests: 0,
      items: 0,
      targetTokens: 0,
      errors: 0,
      latencyMsTotal: 0,
      latencyMsMax: 0,
      latencyMsMean: 0,
      trainedDocuments: 0,
    };
  }

  static async start(opts: ScoringNodeOptions): Promise<ScoringNode> {
    const id = opts.id ?? randomUUID().replace(/-/g, '').slice(0, 16);
    const node = new ScoringNode(opts, undefined, undefined, id);
    const model = opts.scorer.model;
    const scorer = opts.scorer;
    if (isTrainable(scorer)) {
      node.trainSub = opts.bus.subscribe<z.infer<typeof TrainBody>>(
        trainSubject(model),
        (msg) => {
          scorer.train(msg.body.code);
          node.counters.trainedDocuments++;
        },
        { accept: { [SCORE_TRAIN]: TrainBody } },
      );
    }
    node.service = await opts.bus.service({
      name: SCORING_SERVICE,
      version: '0.1.0',
      description: `log P(code | context) from ${model}`,
      queue: scoreQueue(model),
      metadata: { model, backend: opts.backend, node: id },
      endpoints: [
        {
          name: 'score',
          subject: scoreSubject(model),
          accept: { [SCORE_REQUEST]: ScoreRequestBody },
          concurrency: opts.concurrency ?? 1,
          handler: async (msg) => ({ type: SCORE_RESULT, body: await node.handle(msg.body as ScoreRequestBody) }),
        },
        {
          name: 'stats',
          subject: statsSubject(model, id),
          accept: { [SCORE_STATS_REQUEST]: z.unknown() },
          handler: async () => ({ type: SCORE_STATS, body: node.stats() }),
        },
      ],
    });
    return node;
  }

  /** This node's counters. */
  stats(): NodeStats {
    const c = this.counters;
    return { ...c, latencyMsMean: c.requests > 0 ? c.latencyMsTotal / c.requests : 0 };
  }

  /** The bus service's view: requests, errors, processing time per endpoint. */
  async serviceStats(): Promise<ServiceStats | undefined> {
    return this.service?.stats();
  }

  async stop(): Promise<void> {
    await this.service?.stop();
    await this.trainSub?.unsubscribe();
    this.service = undefined;
    this.trainSub = undefined;
  }

  private async handle(body: ScoreRequestBody): Promise<ScoreResultBody> {
    const { items, corpus } = body;
    const start = performance.now();
    const c = this.counters;
    c.requests++;
    c.items += items.length;
    try {
      const corpora = this.opts.corpora;
      const results =
        corpus && corpora
          ? await corpora.useRef(corpus, this.opts.readCorpus ?? corpusReader(this.opts.bus), (scorer) => scorer.scoreBatch(items))
          : await this.opts.scorer.scoreBatch(items);
      for (const r of results) c.targetTokens += r.tokens.length;
      return encodeResults(items, results);
    } catch (err) {
      c.errors++;
      throw new Error(failureMessage(err), { cause: err });
    } finally {
      const ms = performance.now() - start;
      c.latencyMsTotal += ms;
      c.latencyMsMax = Math.max(c.latencyMsMax, ms);
    }
  }
}
