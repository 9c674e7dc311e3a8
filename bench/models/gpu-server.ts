/**
 * A test server that models a GPU scoring node, for bench/models.ts: it speaks vLLM's wire
 * (`/tokenize`, `/v1/completions` with `prompt_logprobs`) and SGLang's (`/generate` with
 * `logprob_start_len`), and runs every prompt it is sent through one simulated GPU:
 *
 * - a queue of prompts from every request; the GPU takes queued prompts in arrival order into one
 *   forward pass up to `batchTokens` computed tokens (continuous batching; a prompt larger than
 *   that runs alone);
 * - a pass takes `passMs` + `prefillMsPerToken` per token it computes + `decodeMs` when any of its
 *   prompts asks to generate a token (vLLM's `max_tokens: 1`; SGLang's `max_new_tokens: 0` does
 *   not), and the server really waits that long (timers), so the clients' own work overlaps it as
 *   it would with a real GPU;
 * - with `prefixCache` (SGLang's radix cache) a prompt computes only the tokens after the longest
 *   prefix already computed, matched no further than its log-prob start; vLLM computes every token
 *   of a request that asks for prompt log-probs (its docs: no prefix caching with prompt_logprobs).
 *
 * It counts computed ("prefill") and cached tokens, the GPU's busy time (the passes' simulated
 * times) and its idle time: the real time during which nothing was queued for it, from the first
 * prompt on. The busy share is busy / (busy + idle), so a timer that fires late on a loaded machine
 * is not counted as the orchestration's fault; only an empty queue is. Its tokenizer is a
 * cheap regex one and its log-probs a toy (a token seen earlier in the prompt -0.25, else
 * -(1 + 0.5 * (length % 4))): the bench measures scheduling and tokens, not a model.
 */
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { RadixCache } from '../../test/score/support/fake-sglang.ts';

export interface GpuModel {
  prefillMsPerToken: number;
  passMs: number;
  decodeMs: number;
  batchTokens: number;
  prefixCache: boolean;
}

interface Job {
  ids: number[];
  /** The cache is matched no further than this (the log-prob start). */
  matchLimit: number;
  generate: boolean;
  done: (cached: number) => void;
}

const BOS = 1;
/**
 * Whitespace that ends in newlines is one token, apart from the next line's indentation (as
 * Llama-3's and Qwen's pre-tokenizers split it): a context that ends a line and a target that
 * starts the next share no token, as with a real code model's tokenizer.
 */
const split = (text: string) => text.match(/[^\S\n]*\n+|[^\S\n]+|[A-Za-z0-9_]+|[^\sA-Za-z0-9_]/gu) ?? [];

export class GpuServer {
  prefillTokens = 0;
  cachedTokens = 0;
  prompts = 0;
  busyMs = 0;
  idleMs = 0;
  /** CPU time this server spent parsing requests, tokenizing and building answers (a real server's, not ours). */
  serverMs = 0;
  private idleSince: number | undefined;
  private readonly queue: Job[] = [];
  private running = false;
  private readonly radix = new RadixCache();
  private readonly ids = new Map<string, number>();
  private readonly texts = new Map<number, string>([[BOS, '<s>']]);

  private constructor(
    private readonly app: FastifyInstance,
    readonly url: string,
    readonly model: GpuModel,
  ) {}

  static async start(model: GpuModel, name = 'sim/coder-7b'): Promise<GpuServer> {
    const app = Fastify({ logger: false, forceCloseConnections: true, bodyLimit: 256 * 1024 * 1024 });
    let server!: GpuServer;
    // CPU time, not wall time: on a loaded machine a section's wall time counts other processes' turns.
    const cpuMs = (since: NodeJS.CpuUsage) => {
      const d = process.cpuUsage(since);
      return (d.user + d.system) / 1000;
    };
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
      const t0 = process.cpuUsage();
      let parsed: unknown;
      try {
        parsed = JSON.parse(body as string);
      } catch (err) {
        done(err as Error, undefined);
        return;
      }
      server.serverMs += cpuMs(t0);
      done(null, parsed);
    });
    const timed = <T>(work: () => T): T => {
      const t0 = process.cpuUsage();
      const out = work();
      server.serverMs += cpuMs(t0);
      return out;
    };
    app.get('/v1/models', async () => ({ object: 'list', data: [{ id: name, object: 'model' }] }));
    app.get('/get_model_info', async () => ({ model_path: name, is_generation: true }));
    const json = (reply: FastifyReply, text: string) => reply.header('content-type', 'application/json').send(text);
    app.post('/tokenize', async (req, reply) => {
      const body = req.body as { prompt: string; add_special_tokens?: boolean };
      return json(reply, timed(() => {
        const tokens = server.tokenize(body.prompt, body.add_special_tokens !== false);
        return JSON.stringify({ tokens, count: tokens.length, max_model_len: 131072 });
      }));
    });
    app.post('/v1/completions', async (req, reply) => {
      const answer = await server.completions(req.body as Record<string, unknown>);
      return json(reply, timed(() => JSON.stringify(answer())));
    });
    app.post('/generate', async (req, reply) => {
      const answer = await server.generate(req.body as Record<string, unknown>);
      return json(reply, timed(() => JSON.stringify(answer())));
    });
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    server = new GpuServer(app, url, model);
    return server;
  }

  /** The GPU's busy share since the first prompt: busy / (busy + idle with nothing queued). */
  busyShare(): number {
    return this.busyMs / Math.max(1e-9, this.busyMs + this.idleMs);
  }

  async close(): Promise<void> {
    await this.app.close();
  }

  private tokenize(text: string, special: boolean): number[] {
    const out = special ? [BOS] : [];
    for (const t of split(text)) {
      let id = this.ids.get(t);
      if (id === undefined) {
        id = 10 + this.ids.size;
        this.ids.set(t, id);
        this.texts.set(id, t);
      }
      out.push(id);
    }
    return out;
  }

  /** Toy log-probs of positions `from..` of `ids` (an earlier occurrence: -0.25). */
  private logprobs(ids: readonly number[], from: number): number[] {
    const seen = new Set<number>(ids.slice(1, Math.max(1, from)));
    const out: number[] = [];
    for (let i = Math.max(1, from); i < ids.length; i++) {
      const id = ids[i]!;
      out.push(seen.has(id) ? -0.25 : -(1 + 0.5 * ((this.texts.get(id) ?? '').length % 4)));
      seen.add(id);
    }
    return out;
  }

  private run(ids: number[], matchLimit: number, generate: boolean): Promise<number> {
    this.prompts++;
    if (!this.running && this.idleSince !== undefined) this.idleMs += performance.now() - this.idleSince;
    this.idleSince = undefined;
    return new Promise((done) => {
      this.queue.push({ ids, matchLimit, generate, done });
      if (!this.running) void this.loop();
    });
  }

  /** The GPU: one forward pass at a time over what is queued. */
  private async loop(): Promise<void> {
    this.running = true;
    while (this.queue.length > 0) {
      const pass: Array<{ job: Job; cached: number }> = [];
      let tokens = 0;
      let generate = false;
      while (this.queue.length > 0) {
        const job = this.queue[0]!;
        const cached = this.model.prefixCache ? this.radix.match(job.ids, Math.min(job.matchLimit, job.ids.length - 1)) : 0;
        const computed = job.ids.length - cached;
        if (pass.length > 0 && tokens + computed > this.model.batchTokens) break;
        this.queue.shift();
        if (this.model.prefixCache) this.radix.insert(job.ids);
        pass.push({ job, cached });
        tokens += computed;
        generate ||= job.generate;
      }
      const ms = this.model.passMs + this.model.prefillMsPerToken * tokens + (generate ? this.model.decodeMs : 0);
      await new Promise((r) => setTimeout(r, ms));
      this.busyMs += ms;
      for (const { job, cached } of pass) {
        this.prefillTokens += job.ids.length - cached;
        this.cachedTokens += cached;
        job.done(cached);
      }
    }
    this.running = false;
    this.idleSince = performance.now();
  }

  /** vLLM: `prompt` as token-id lists, `prompt_logprobs: 1`, `max_tokens: 1`. */
  private async completions(body: Record<string, unknown>): Promise<() => unknown> {
    const prompts = body.prompt as number[][];
    await Promise.all(prompts.map((ids) => this.run(ids, 0, true)));
    return () => this.completionsAnswer(prompts);
  }

  private completionsAnswer(prompts: number[][]): unknown {
    const choices = prompts.map((ids, index) => {
      const lps = this.logprobs(ids, 1);
      return {
        index,
        text: '\n',
        logprobs: null,
        prompt_logprobs: ids.map((id, i) => (i === 0 ? null : { [String(id)]: { logprob: lps[i - 1]!, rank: 1, decoded_token: this.texts.get(id) ?? '' } })),
      };
    });
    return { choices, usage: { prompt_tokens: prompts.reduce((n, p) => n + p.length, 0), completion_tokens: prompts.length } };
  }

  /** SGLang: `input_ids` lists, `logprob_start_len` per prompt, `max_new_tokens: 0`. */
  private async generate(body: Record<string, unknown>): Promise<() => unknown> {
    const prompts = body.input_ids as number[][];
    const starts = body.logprob_start_len as number[];
    const maxNew = (body.sampling_params as { max_new_tokens?: number } | undefined)?.max_new_tokens ?? 0;
    const cached = await Promise.all(prompts.map((ids, k) => this.run(ids, starts[k]!, maxNew > 0)));
    return () => prompts.map((ids, k) => {
      const start = starts[k]!;
      const lps = this.logprobs(ids, start + 1);
      const entries = ids.slice(start).map((id, j) => [j === 0 ? null : lps[j - 1]!, id, this.texts.get(id) ?? '']);
      return { text: '', meta_info: { prompt_tokens: ids.length, completion_tokens: 0, cached_tokens: cached[k], input_token_logprobs: entries } };
    });
  }
}
