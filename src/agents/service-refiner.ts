/**
 * Refining through the search service: the agent sends the search as durable work on
 * `retrace.search.refine` and waits for its result event, so search scales with the number of
 * search services, not agents. The request carries what the agent's own search would use — the
 * grounded proposer's inputs and the corpus the scorer trains on (files served by the graph
 * service, or on a file system the processes share) — so the result is the same as a local search's, and a run's dataset does not
 * depend on where its searches ran. Searches the service cannot reproduce (another policy's
 * proposer, no search at all) run locally.
 */
import { randomUUID } from 'node:crypto';
import type { Bus, Subscription } from '../bus/mod.ts';
import { BusError } from '../bus/mod.ts';
import { requestRefine } from '../search/service.ts';
import { ResultEvent, SEARCH_RESULT, resultSubject } from '../search/protocol.ts';
import { groundedOptionsFor } from './grounded/proposer.ts';
import type { Refined, RefineRequest, Refiner } from './refiner.ts';

export interface ServiceRefinerOptions {
  /** How long to wait for a search's result; 10 minutes by default. */
  timeoutMs?: number;
  /** Must match the search services' queue settings. */
  ackWaitMs?: number;
  maxDeliver?: number;
}

export class SearchTimeoutError extends BusError {
  override name = 'SearchTimeoutError';
}

export class ServiceRefiner implements Refiner {
  private readonly waiters = new Map<string, (e: ResultEvent) => void>();
  private readonly subs = new Map<string, Subscription>();
  readonly stats = { remote: 0, local: 0 };

  constructor(
    private readonly bus: Bus,
    private readonly local: Refiner,
    private readonly opts: ServiceRefinerOptions = {},
  ) {}

  async refine(req: RefineRequest): Promise<Refined> {
    const remote = req.remote;
    if (!remote || req.budget === 0 || remote.policyId !== 'grounded' || req.target.trim().length === 0) {
      this.stats.local++;
      return this.local.refine(req);
    }
    this.stats.remote++;
    this.listen(remote.run);
    const g = groundedOptionsFor(remote.proposerContext);
    const id = `${req.corpusKey}:${randomUUID()}`;
    const result = new Promise<ResultEvent>((resolve, reject) => {
      const timeoutMs = this.opts.timeoutMs ?? 10 * 60_000;
      const timer = setTimeout(() => {
        this.waiters.delete(id);
        reject(new SearchTimeoutError(`no search result within ${timeoutMs} ms: is a search service running?`));
      }, timeoutMs);
      this.waiters.set(id, (e) => {
        clearTimeout(timer);
        resolve(e);
      });
    });
    const body: Parameters<typeof requestRefine>[1] = {
      id,
      context: req.context,
      target: req.target,
      method: 'mcts',
      // The same settings as LocalRefiner's search.
      budget: { scorerCalls: req.budget, batchSize: 8 },
      seed: req.seed,
      maxSteps: 4,
      minSteps: 1,
      preceding: g.preceding ?? '',
      knownIdentifiers: [...(g.knownIdentifiers ?? [])].sort(),
      corpus: {
        key: req.corpusKey,
        root: remote.corpus.root,
        files: remote.corpus.files,
        ...(remote.corpus.graph ? { graph: remote.corpus.graph } : {}),
        ...(remote.corpus.digest ? { digest: remote.corpus.digest } : {}),
      },
      progress: false,
    };
    if (req.boundary) body.boundary = req.boundary;
    if (g.language) body.language = g.language;
    if (g.path !== undefined) body.path = g.path;
    if (g.imports) body.imports = [...g.imports];
    if (g.design) body.design = { responsibility: g.design.responsibility, publicInterface: [...g.design.publicInterface], dependencies: g.design.dependencies.map((x) => ({ ...x })) };
    const meta: Parameters<typeof requestRefine>[2] = { run: remote.run };
    if (this.opts.ackWaitMs !== undefined) meta.ackWaitMs = this.opts.ackWaitMs;
    if (this.opts.maxDeliver !== undefined) meta.maxDeliver = this.opts.maxDeliver;
    await requestRefine(this.bus, body, meta);
    const e = await result;
    if (!e.ok || !e.result) throw new Error(`search failed: ${e.error ?? 'no result'}`);
    const r = e.result;
    return {
      steps: r.steps,
      tree: r.tree,
      stats: {
        method: r.method,
        scorerCalls: r.scorerCalls,
        reward: r.reward,
        baselineLogprob: r.baseline.logprob,
        bestLogprob: r.logprob,
        targetTokens: r.baseline.targetTokens,
      },
    };
  }

  private listen(run: string): void {
    if (this.subs.has(run)) return;
    this.subs.set(
      run,
      this.bus.subscribe<ResultEvent>(
        resultSubject(run),
        (m) => {
          const w = this.waiters.get(m.body.id);
          if (!w) return;
          this.waiters.delete(m.body.id);
          w(m.body);
        },
        { accept: { [SEARCH_RESULT]: ResultEvent } },
      ),
    );
  }

  async close(): Promise<void> {
    await Promise.all([...this.subs.values()].map((s) => s.unsubscribe()));
    this.subs.clear();
  }
}
