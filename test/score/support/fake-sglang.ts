/**
 * A fake SGLang server for the SGLang scorer's tests: real HTTP (fastify, loopback, free port) and
 * SGLang's native wire shapes — `GET /get_model_info` and `/model_info`, `GET /v1/models`,
 * `POST /tokenize` ({ tokens, count, max_model_len }), `POST /generate` (`text` or `input_ids`,
 * one prompt or a list; `return_logprob`, `logprob_start_len`, `return_text_in_logprobs`,
 * `sampling_params.max_new_tokens`; a list answered by a list) — an optional API key, a radix
 * cache of token prefixes that reports `cached_tokens` as SGLang does (matched at most up to
 * `logprob_start_len`, and never the last prompt token), and injected faults.
 *
 * It tokenizes with Llama-3's real tokenizer (src/dataset/tokenizer.ts) and a BOS first, so the
 * scorer's alignment meets real BPE merges ("\n\n", " return"). Its model is a toy with known
 * answers: a prompt token already seen earlier in the prompt scores -0.25, a new one
 * -(1 + 0.5 * (its text's length % 4)). `input_token_logprobs` runs from `logprob_start_len` to
 * the end and its first entry is null, whatever the start (SGLang's own shift).
 */
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { loadTokenizer } from '../../../src/dataset/tokenizer.ts';
import type { Fault } from './fake-vllm.ts';

export interface FakeSglangOptions {
  /** Required as `Authorization: Bearer <key>` when set (SGLang's `--api-key`). */
  apiKey?: string;
  /** `--model-path`, and the served name unless `servedName` is given. */
  model?: string;
  servedName?: string;
  /** `--disable-radix-cache`. */
  radixCache?: boolean;
  /** A `/generate` that answers like an older or foreign server: no `input_token_logprobs`. */
  noInputLogprobs?: boolean;
}

export const BOS = 128000;
const NEWLINE = 198;
const tokenizer = () => loadTokenizer('llama-3');

/** The fake's tokens of `text`, BOS first (as `/tokenize` with `add_special_tokens`). */
export function sglangTokenize(text: string, addSpecial = true): number[] {
  return [...(addSpecial ? [BOS] : []), ...tokenizer().encode(text)];
}

export function tokenText(id: number): string {
  return id === BOS ? '<|begin_of_text|>' : tokenizer().decode([id]);
}

/** The toy model's log-prob of the token at `i` of `ids` (i >= 1). */
export function toyLogprob(ids: readonly number[], i: number): number {
  const id = ids[i]!;
  for (let k = 1; k < i; k++) if (ids[k] === id) return -0.25;
  return -(1 + 0.5 * (tokenText(id).length % 4));
}

/** What the fake model says for a target after a context: the tokens from where the two part. */
export function sglangExpected(context: string, target: string): { logprob: number; tokens: string[] } {
  const ctx = sglangTokenize(context);
  const full = sglangTokenize(context + target);
  let from = 0;
  while (from < ctx.length && ctx[from] === full[from]) from++;
  let logprob = 0;
  const tokens: string[] = [];
  for (let i = Math.max(1, from); i < full.length; i++) {
    logprob += toyLogprob(full, i);
    tokens.push(tokenText(full[i]!));
  }
  return { logprob, tokens };
}

/** Token prefixes seen, as a trie: how much of a new prompt is already computed. */
export class RadixCache {
  private readonly root = new Map<number, Map<number, unknown>>();

  match(ids: readonly number[], limit: number): number {
    let node = this.root;
    let n = 0;
    while (n < Math.min(limit, ids.length)) {
      const child = node.get(ids[n]!) as Map<number, Map<number, unknown>> | undefined;
      if (!child) break;
      node = child;
      n++;
    }
    return n;
  }

  insert(ids: readonly number[]): void {
    let node = this.root;
    for (const id of ids) {
      let child = node.get(id) as Map<number, Map<number, unknown>> | undefined;
      if (!child) {
        child = new Map();
        node.set(id, child);
      }
      node = child;
    }
  }
}

interface GenerateRequest {
  ids: number[];
  start: number;
  withLogprob: boolean;
  withText: boolean;
  maxNew: number;
}

export class FakeSglang {
  readonly requests: Array<{ path: string; body: Record<string, unknown> }> = [];
  /** Prompt tokens computed (not found in the radix cache), over every `/generate`. */
  prefillTokens = 0;
  cachedTokens = 0;
  rejected = 0;
  /** `/generate` requests being answered at once, and the most seen. */
  inFlight = 0;
  maxInFlight = 0;
  private readonly faults: Record<string, Fault[]> = { generate: [], tokenize: [] };
  private readonly radix = new RadixCache();
  private served = 0;

  private constructor(
    private readonly app: FastifyInstance,
    readonly url: string,
    readonly opts: Required<FakeSglangOptions>,
  ) {}

  static async start(opts: FakeSglangOptions = {}): Promise<FakeSglang> {
    const model = opts.model ?? 'meta-llama/Llama-3.2-1B';
    const full: Required<FakeSglangOptions> = { apiKey: opts.apiKey ?? '', model, servedName: opts.servedName ?? model, radixCache: opts.radixCache ?? true, noInputLogprobs: opts.noInputLogprobs ?? false };
    const app = Fastify({ logger: false, forceCloseConnections: true, bodyLimit: 64 * 1024 * 1024 });
    let server!: FakeSglang;
    app.addHook('onRequest', async (req, reply) => {
      if (full.apiKey && req.headers.authorization !== `Bearer ${full.apiKey}`) {
        server.rejected++;
        await reply.code(401).send({ error: { message: 'Unauthorized' } });
      }
    });
    const info = () => ({ model_path: full.model, tokenizer_path: full.model, is_generation: true, preferred_sampling_params: null, weight_version: 'default', has_image_understanding: false, has_audio_understanding: false, model_type: 'llama', architectures: ['LlamaForCausalLM'] });
    app.get('/get_model_info', async () => info());
    app.get('/model_info', async () => info());
    app.get('/v1/models', async () => ({ object: 'list', data: [{ id: full.servedName, object: 'model', created: 1764000000, owned_by: 'sglang', root: full.model, max_model_len: 131072 }] }));
    app.post('/tokenize', async (req, reply) => server.handleTokenize(req.body as Record<string, unknown>, reply));
    app.post('/generate', async (req, reply) => server.handleGenerate(req.body as Record<string, unknown>, reply));
    const addr = await app.listen({ host: '127.0.0.1', port: 0 });
    server = new FakeSglang(app, addr, full);
    return server;
  }

  inject(path: 'generate' | 'tokenize', ...faults: Fault[]): void {
    this.faults[path]!.push(...faults);
  }

  /** Drops the faults not yet served on `path`. */
  clearFaults(path: 'generate' | 'tokenize'): void {
    this.faults[path]!.length = 0;
  }

  count(path: string): number {
    return this.requests.filter((r) => r.path === path).length;
  }

  async close(): Promise<void> {
    await this.app.close();
  }

  private async fault(path: string, reply: FastifyReply): Promise<boolean> {
    const fault = this.faults[path]!.shift();
    if (!fault) return false;
    switch (fault.kind) {
      case 'status':
        if (fault.retryAfterS !== undefined) void reply.header('retry-after', String(fault.retryAfterS));
        await reply.code(fault.status).send({ error: { message: `injected ${fault.status}` } });
        return true;
      case 'slow':
        await new Promise((r) => setTimeout(r, fault.ms));
        return false;
      case 'malformed':
        await reply.code(200).header('content-type', 'application/json').send('[{"text": "", "meta_info": {"input_tok');
        return true;
      case 'wrong-shape':
        await reply.code(200).send({ text: 'no list' });
        return true;
    }
  }

  private async handleTokenize(body: Record<string, unknown>, reply: FastifyReply): Promise<unknown> {
    this.requests.push({ path: 'tokenize', body });
    if (await this.fault('tokenize', reply)) return reply;
    const tokens = sglangTokenize(String(body.prompt ?? ''), body.add_special_tokens !== false);
    return { tokens, count: tokens.length, max_model_len: 131072 };
  }

  private async handleGenerate(body: Record<string, unknown>, reply: FastifyReply): Promise<unknown> {
    this.requests.push({ path: 'generate', body });
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      return await this.answerGenerate(body, reply);
    } finally {
      this.inFlight--;
    }
  }

  private async answerGenerate(body: Record<string, unknown>, reply: FastifyReply): Promise<unknown> {
    if (await this.fault('generate', reply)) return reply;
    let batch: GenerateRequest[];
    try {
      batch = this.parse(body);
    } catch (err) {
      return reply.code(400).send({ error: { message: (err as Error).message } });
    }
    const outputs = batch.map((r) => this.output(r));
    return this.isBatch(body) ? outputs : outputs[0];
  }

  private isBatch(body: Record<string, unknown>): boolean {
    if (Array.isArray(body.text)) return true;
    return Array.isArray(body.input_ids) && Array.isArray((body.input_ids as unknown[])[0]);
  }

  /** The prompts of a request, each with its logprob settings (scalars apply to all). */
  private parse(body: Record<string, unknown>): GenerateRequest[] {
    const batch = this.isBatch(body);
    const prompts: number[][] = body.input_ids !== undefined
      ? (batch ? (body.input_ids as number[][]) : [body.input_ids as number[]])
      : (batch ? (body.text as string[]) : [String(body.text ?? '')]).map((t) => sglangTokenize(t));
    const each = <T>(v: unknown, k: number, fallback: T): T => (Array.isArray(v) ? ((v[k] as T) ?? fallback) : ((v as T) ?? fallback));
    const sampling = (body.sampling_params ?? {}) as { max_new_tokens?: number };
    const maxNew = sampling.max_new_tokens ?? 128;
    if (maxNew < 0) throw new Error('max_new_tokens must be at least 0');
    return prompts.map((ids, k) => {
      const start = each<number>(body.logprob_start_len, k, -1);
      if (start >= ids.length) throw new Error(`logprob_start_len (${start}) is superior to the number of input tokens (${ids.length})`);
      return { ids, start, withLogprob: each<boolean>(body.return_logprob, k, false), withText: each<boolean>(body.return_text_in_logprobs, k, false), maxNew };
    });
  }

  private output(r: GenerateRequest): Record<string, unknown> {
    // SGLang computes the last prompt token always, and matches the cache no further than the
    // position log-probs start from (they must be computed).
    const limit = Math.min(r.ids.length - 1, r.withLogprob && r.start >= 0 ? r.start : r.ids.length);
    const cached = this.opts.radixCache ? this.radix.match(r.ids, limit) : 0;
    if (this.opts.radixCache) this.radix.insert(r.ids);
    this.prefillTokens += r.ids.length - cached;
    this.cachedTokens += cached;
    const generated = r.maxNew > 0 ? [NEWLINE] : [];
    const entry = (value: number | null, id: number) => [value, id, r.withText ? tokenText(id) : null];
    const meta: Record<string, unknown> = {
      id: `req-${++this.served}`,
      finish_reason: { type: 'length', length: r.maxNew },
      prompt_tokens: r.ids.length,
      completion_tokens: generated.length,
      cached_tokens: cached,
    };
    if (r.withLogprob) {
      // The default start (-1) asks for the output tokens' log-probs only.
      const inputs = r.start < 0 ? [] : r.ids.slice(r.start).map((id, k) => entry(k === 0 ? null : toyLogprob(r.ids, r.start + k), id));
      if (!this.opts.noInputLogprobs) meta.input_token_logprobs = inputs;
      meta.output_token_logprobs = generated.map((id) => entry(-0.5, id));
    }
    return { text: generated.map(tokenText).join(''), output_ids: generated, meta_info: meta };
  }
}
