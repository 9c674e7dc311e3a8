/**
 * A fake vLLM server for the OpenAI scorer's tests: real HTTP (fastify, loopback, free port), the
 * real wire shapes (`/tokenize`; `GET /v1/models`; `/v1/completions` with `prompt_logprobs` or `echo` + `logprobs`),
 * an API key, and injected faults: status codes (429 with Retry-After, 500, 503), slow answers,
 * malformed bodies. `flavor: 'llamacpp'` imitates a server without prompt log-probs.
 *
 * Its model is a toy with known answers: after BOS, a token already seen in the prompt scores
 * -0.25, a new one -(1 + 0.5 * (length % 4)). Every position also offers an alternative token
 * `ALT` (id 2) with a higher log-prob, which sorts before the prompt's own token in the JSON.
 */
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';

export type Fault =
  | { kind: 'status'; status: number; retryAfterS?: number }
  | { kind: 'slow'; ms: number }
  | { kind: 'malformed' }
  | { kind: 'wrong-shape' };

export interface FakeVllmOptions {
  flavor?: 'vllm' | 'llamacpp';
  apiKey?: string;
  model?: string;
}

const BOS = 1;
const ALT = 2;

export function fakeTokenize(text: string): string[] {
  return text.match(/\s+|[A-Za-z0-9_]+|[^\sA-Za-z0-9_]/gu) ?? [];
}

export function fakeLogprob(token: string, seenBefore: boolean): number {
  return seenBefore ? -0.25 : -(1 + 0.5 * (token.length % 4));
}

/** What the fake model says for a target after a context (prompt_logprobs alignment). */
export function fakeExpected(context: string, target: string): { logprob: number; tokens: string[] } {
  const ctx = fakeTokenize(context);
  const full = fakeTokenize(context + target);
  let k = 0;
  while (k < ctx.length && ctx[k] === full[k]) k++;
  const tokens = full.slice(k);
  let logprob = 0;
  for (let i = k; i < full.length; i++) logprob += fakeLogprob(full[i]!, full.slice(0, i).includes(full[i]!));
  return { logprob, tokens };
}

export class FakeVllm {
  readonly requests: Array<{ path: string; body: Record<string, unknown> }> = [];
  private readonly faults: Record<string, Fault[]> = { completions: [], tokenize: [] };
  private readonly ids = new Map<string, number>([['<s>', BOS], ['ALT', ALT]]);
  private readonly strings = new Map<number, string>([[BOS, '<s>'], [ALT, 'ALT']]);
  inFlight = 0;
  /** Requests refused for their API key. */
  rejected = 0;
  maxInFlight = 0;
  /** Completions answered 429 by `rateLimit`. */
  rateLimited = 0;
  private storm: { every: number; left: number; retryAfterS: number | undefined; seen: number } | undefined;

  private constructor(
    private readonly app: FastifyInstance,
    readonly url: string,
    readonly opts: Required<FakeVllmOptions>,
  ) {}

  get baseURL(): string {
    return `${this.url}/v1`;
  }

  static async start(opts: FakeVllmOptions = {}): Promise<FakeVllm> {
    const app = Fastify({ logger: false, forceCloseConnections: true });
    const full: Required<FakeVllmOptions> = { flavor: opts.flavor ?? 'vllm', apiKey: opts.apiKey ?? 'test-key', model: opts.model ?? 'fake/coder-1b' };
    const address = await (async () => {
      let server!: FakeVllm;
      app.addHook('onRequest', async (req, reply) => {
        if (req.headers.authorization !== `Bearer ${full.apiKey}`) {
          server.rejected++;
          await reply.code(401).send({ error: { message: 'invalid api key', type: 'invalid_request_error', code: 'invalid_api_key' } });
        }
      });
      app.get('/v1/models', async () => ({ object: 'list', data: [{ id: full.model, object: 'model', created: 1764000000, owned_by: 'vllm', max_model_len: 4096 }] }));
      app.post('/tokenize', async (req, reply) => server.handleTokenize(req.body as Record<string, unknown>, reply));
      app.post('/v1/completions', async (req, reply) => server.handleCompletions(req.body as Record<string, unknown>, reply));
      const addr = await app.listen({ host: '127.0.0.1', port: 0 });
      server = new FakeVllm(app, addr, full);
      return server;
    })();
    return address;
  }

  /** Faults for the next requests to `path`, in order. */
  inject(path: 'completions' | 'tokenize', ...faults: Fault[]): void {
    this.faults[path]!.push(...faults);
  }

  /**
   * A 429 storm on `/v1/completions`: after the first `after` requests, every `every`-th is
   * answered and the others 429 (vLLM's error body; `retry-after` in seconds when given), until
   * `count` were sent.
   */
  rateLimit(opts: { count: number; every?: number; retryAfterS?: number; after?: number }): void {
    this.storm = { every: opts.every ?? 2, left: opts.count, retryAfterS: opts.retryAfterS, seen: -(opts.after ?? 0) };
  }

  count(path: string): number {
    return this.requests.filter((r) => r.path === path).length;
  }

  async close(): Promise<void> {
    await this.app.close();
  }

  private id(token: string): number {
    let id = this.ids.get(token);
    if (id === undefined) {
      id = 10 + this.ids.size;
      this.ids.set(token, id);
      this.strings.set(id, token);
    }
    return id;
  }

  /** Applies the next fault; true when it already answered. */
  private async fault(path: string, reply: FastifyReply): Promise<boolean> {
    const fault = this.faults[path]!.shift();
    if (!fault) return false;
    switch (fault.kind) {
      case 'status':
        if (fault.retryAfterS !== undefined) void reply.header('retry-after', String(fault.retryAfterS));
        await reply.code(fault.status).send({ object: 'error', message: `injected ${fault.status}`, type: 'InjectedError', code: fault.status });
        return true;
      case 'slow':
        await new Promise((r) => setTimeout(r, fault.ms));
        return false;
      case 'malformed':
        await reply.code(200).header('content-type', 'application/json').send('{"choices": [{"index": 0, "text": "trunc');
        return true;
      case 'wrong-shape':
        await reply.code(200).send({ choices: 'none' });
        return true;
    }
  }

  private async handleTokenize(body: Record<string, unknown>, reply: FastifyReply): Promise<unknown> {
    this.requests.push({ path: 'tokenize', body });
    if (await this.fault('tokenize', reply)) return reply;
    // llama.cpp's /tokenize reads `content`, not `prompt`: given a vLLM request it tokenizes nothing.
    const text = this.opts.flavor === 'llamacpp' ? String(body.content ?? '') : String(body.prompt ?? '');
    const tokens = [...(body.add_special_tokens === false ? [] : [BOS]), ...fakeTokenize(text).map((t) => this.id(t))];
    if (this.opts.flavor === 'llamacpp') return { tokens: fakeTokenize(text).map((t) => this.id(t)) };
    return { count: tokens.length, max_model_len: 4096, tokens };
  }

  private async handleCompletions(body: Record<string, unknown>, reply: FastifyReply): Promise<unknown> {
    this.requests.push({ path: 'completions', body });
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (await this.fault('completions', reply)) return reply;
      const storm = this.storm;
      // `seen` starts below 0 by the requests let through first (`after`).
      if (storm && storm.left > 0 && storm.seen++ >= 0 && (storm.seen - 1) % storm.every !== storm.every - 1) {
        storm.left--;
        this.rateLimited++;
        if (storm.retryAfterS !== undefined) void reply.header('retry-after', String(storm.retryAfterS));
        return reply.code(429).send({ object: 'error', message: 'The server is overloaded: too many requests', type: 'TooManyRequests', code: 429 });
      }
      if (body.model !== this.opts.model) {
        return reply.code(404).send({ object: 'error', message: `The model \`${String(body.model)}\` does not exist.`, type: 'NotFoundError', code: 404 });
      }
      const prompts = this.prompts(body.prompt);
      const choices = prompts.map((ids, index) => this.choice(ids, index, body));
      return {
        id: `cmpl-${this.requests.length}`,
        object: 'text_completion',
        created: 1764000000,
        model: this.opts.model,
        choices,
        usage: { prompt_tokens: prompts.reduce((a, p) => a + p.length, 0), completion_tokens: prompts.length, total_tokens: 0 },
      };
    } finally {
      this.inFlight--;
    }
  }

  /** Prompts as token ids (with BOS): text prompts are tokenized, id prompts taken as sent. */
  private prompts(prompt: unknown): number[][] {
    const one = (p: unknown): number[] => (typeof p === 'string' ? [BOS, ...fakeTokenize(p).map((t) => this.id(t))] : (p as number[]));
    if (typeof prompt === 'string') return [one(prompt)];
    if (Array.isArray(prompt) && prompt.length > 0 && typeof prompt[0] === 'number') return [prompt as number[]];
    return (prompt as unknown[]).map(one);
  }

  private choice(ids: number[], index: number, body: Record<string, unknown>): Record<string, unknown> {
    const generated = '\n';
    const base = { index, text: generated, finish_reason: 'length', stop_reason: null, logprobs: null as unknown };
    if (this.opts.flavor === 'llamacpp') return base;
    const tokens = ids.map((id) => this.strings.get(id) ?? '?');
    const lps: Array<number | null> = tokens.map((t, i) => (i === 0 ? null : fakeLogprob(t, tokens.slice(1, i).includes(t))));
    if (typeof body.prompt_logprobs === 'number') {
      return {
        ...base,
        prompt_logprobs: ids.map((id, i) =>
          i === 0
            ? null
            : { [String(ALT)]: { logprob: -0.01, rank: 1, decoded_token: 'ALT' }, [String(id)]: { logprob: lps[i], rank: 2, decoded_token: tokens[i] } },
        ),
      };
    }
    if (body.echo === true && typeof body.logprobs === 'number') {
      // Like vLLM: offsets accumulate the decoded tokens' lengths, BOS's `<s>` included.
      const all = [...tokens, generated];
      const offsets: number[] = [];
      let at = 0;
      for (const t of all) {
        offsets.push(at);
        at += [...t].length;
      }
      return {
        ...base,
        text: tokens.slice(1).join('') + generated,
        logprobs: {
          tokens: all,
          token_logprobs: [...lps, -1],
          text_offset: offsets,
          top_logprobs: all.map((t, i) => (i === 0 ? null : { ALT: -0.01, [t]: lps[i] ?? -1 })),
        },
      };
    }
    return base;
  }
}
