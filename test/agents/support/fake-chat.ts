/**
 * A fake chat-completions server for the openai policy's tests: real HTTP (fastify, loopback, free
 * port), the real `/v1/chat/completions` wire format (id, object, created, model, choices with
 * index / message / finish_reason, usage), `GET /v1/models`, an API key, and injected faults.
 *
 * Its "model" reads the prompt the policy sent: the `Task: <kind>` line and the facts block, and
 * answers with JSON built from those facts, so whatever it says is grounded exactly as far as the
 * prompt carried the facts. It keeps the knowledge boundary as a careful model would: it states
 * paths, `mayName` and what the findings say, never `hindsight`. Leaks are injected (`content`).
 * It is deterministic: the same messages and seed give the same answer.
 */
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';

export type ChatFault =
  /** Answer with this status (OpenAI's error body); `retryAfterMs` sets `retry-after-ms`. */
  | { kind: 'status'; status: number; retryAfterMs?: number; message?: string }
  /** Wait this long before answering normally. */
  | { kind: 'slow'; ms: number }
  /** A proper completion whose message content is this text instead of the answer. */
  | { kind: 'content'; content: string; finishReason?: string }
  /** An HTTP 200 body that is not a chat completion. */
  | { kind: 'wrong-shape' };

export interface FakeChatOptions {
  apiKey?: string;
  model?: string;
  /** Wrap answers in prose and a Markdown fence, as servers that ignore `response_format` do. */
  chatty?: boolean;
  /** Answer 400 to any request carrying `response_format`, as some servers do. */
  rejectResponseFormat?: boolean;
  /** What `GET /v1/models` lists: the served model by default. */
  models?: string[];
  /**
   * How it proposes reasoning steps: `numbered` (the default) answers "Step n.i: ..." about the
   * sketch's names in turn; `varied` draws from a larger space of plain statements about the
   * sketch (each name it may state, said several ways, and the target's shape), a different draw
   * for each seed and the steps so far, with differing confidences: proposals that differ in what
   * they say, for a search to choose among (bench/search.ts --proposer openai).
   */
  proposals?: 'numbered' | 'varied';
}

interface ChatBody {
  model?: unknown;
  messages?: Array<{ role: string; content: string }>;
  seed?: unknown;
  temperature?: unknown;
  max_tokens?: unknown;
  response_format?: unknown;
}

type Facts = Record<string, any>;

export class FakeChat {
  readonly requests: ChatBody[] = [];
  private readonly faults: ChatFault[] = [];
  /** Requests refused for their API key. */
  rejected = 0;
  /** Requests being answered now, and the most at once. */
  inFlight = 0;
  maxInFlight = 0;
  /** Requests answered 429 by `rateLimit`. */
  rateLimited = 0;
  private storm: { every: number; left: number; retryAfterMs: number | undefined; seen: number } | undefined;
  private holding: { after: number; gate: Promise<void>; open: () => void; held: number } | undefined;

  private constructor(
    private readonly app: FastifyInstance,
    readonly url: string,
    readonly opts: Required<FakeChatOptions>,
  ) {}

  get baseURL(): string {
    return `${this.url}/v1`;
  }

  static async start(opts: FakeChatOptions = {}): Promise<FakeChat> {
    const full: Required<FakeChatOptions> = {
      apiKey: opts.apiKey ?? 'sk-test-123',
      model: opts.model ?? 'fake/chat-7b',
      chatty: opts.chatty ?? false,
      rejectResponseFormat: opts.rejectResponseFormat ?? false,
      models: opts.models ?? [opts.model ?? 'fake/chat-7b'],
      proposals: opts.proposals ?? 'numbered',
    };
    const app = Fastify({ logger: false, forceCloseConnections: true });
    let server!: FakeChat;
    app.addHook('onRequest', async (req, reply) => {
      if (req.headers.authorization !== `Bearer ${full.apiKey}`) {
        server.rejected++;
        await reply.code(401).send({ error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', param: null, code: 'invalid_api_key' } });
      }
    });
    app.post('/v1/chat/completions', async (req, reply) => server.handle(req.body as ChatBody, reply));
    app.get('/v1/models', async () => modelList(full.models));
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    server = new FakeChat(app, address, full);
    return server;
  }

  /** Faults for the next requests, in order. */
  inject(...faults: ChatFault[]): void {
    this.faults.push(...faults);
  }

  /**
   * A 429 storm: after the first `after` requests, every `every`-th is answered normally and the
   * others 429 (with `retry-after-ms` when given), until `count` 429s have been sent.
   */
  rateLimit(opts: { count: number; every?: number; retryAfterMs?: number; after?: number }): void {
    this.storm = { every: opts.every ?? 2, left: opts.count, retryAfterMs: opts.retryAfterMs, seen: -(opts.after ?? 0) };
  }

  /** Requests after the first `after` (counted from now) wait, unanswered, until `release()`. */
  hold(after: number): void {
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    this.holding = { after: this.requests.length + after, gate, open, held: 0 };
  }

  /** How many requests are waiting at the hold. */
  get held(): number {
    return this.holding?.held ?? 0;
  }

  release(): void {
    this.holding?.open();
    this.holding = undefined;
  }

  /** Forgets requests and pending faults, so one test's leftovers do not leak into the next. */
  reset(): void {
    this.requests.length = 0;
    this.faults.length = 0;
  }

  async close(): Promise<void> {
    await this.app.close();
  }

  private async handle(body: ChatBody, reply: FastifyReply): Promise<unknown> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      return await this.answer(body, reply);
    } finally {
      this.inFlight--;
    }
  }

  /** A 429 from the storm, when this request is one of them. */
  private stormHit(reply: FastifyReply): FastifyReply | undefined {
    const storm = this.storm;
    // `seen` starts below 0 by the requests let through first (`after`).
    if (!storm || storm.left <= 0 || storm.seen < 0 || storm.seen % storm.every === storm.every - 1) {
      if (storm) storm.seen++;
      return undefined;
    }
    storm.seen++;
    storm.left--;
    this.rateLimited++;
    if (storm.retryAfterMs !== undefined) void reply.header('retry-after-ms', String(storm.retryAfterMs));
    return reply.code(429).send({ error: { message: 'Rate limit reached for requests: slow down', type: 'requests', param: null, code: 'rate_limit_exceeded' } });
  }

  private async answer(body: ChatBody, reply: FastifyReply): Promise<unknown> {
    this.requests.push(body);
    const holding = this.holding;
    if (holding && this.requests.length > holding.after) {
      holding.held++;
      await holding.gate;
    }
    const limited = this.stormHit(reply);
    if (limited) return limited;
    const fault = this.faults.shift();
    if (fault?.kind === 'status') {
      if (fault.retryAfterMs !== undefined) void reply.header('retry-after-ms', String(fault.retryAfterMs));
      return reply.code(fault.status).send({ error: { message: fault.message ?? `injected ${fault.status}`, type: 'server_error', param: null, code: null } });
    }
    if (fault?.kind === 'slow') await new Promise((r) => setTimeout(r, fault.ms));
    if (fault?.kind === 'wrong-shape') return reply.code(200).send({ id: 'x', object: 'chat.completion', choices: 'none' });
    if (this.opts.rejectResponseFormat && body.response_format !== undefined) {
      return reply.code(400).send({ error: { message: "Unrecognized request argument supplied: response_format", type: 'invalid_request_error', param: 'response_format', code: null } });
    }
    if (body.model !== this.opts.model) {
      return reply.code(404).send({ error: { message: `The model \`${String(body.model)}\` does not exist`, type: 'invalid_request_error', param: 'model', code: 'model_not_found' } });
    }
    const messages = body.messages ?? [];
    let content: string;
    let finishReason = 'stop';
    if (fault?.kind === 'content') {
      content = fault.content;
      finishReason = fault.finishReason ?? 'stop';
    } else {
      const seed = Number(body.seed ?? 0);
      const answer = JSON.stringify(this.opts.proposals === 'varied' && readPrompt(messages).task === 'propose' ? variedProposals(messages, seed) : answerFor(messages, seed));
      content = this.opts.chatty ? `Sure, here is the JSON you asked for:\n\n\`\`\`json\n${answer}\n\`\`\`\nLet me know if you need {more}.` : answer;
    }
    const promptTokens = messages.reduce((n, m) => n + words(m.content), 0);
    const completionTokens = words(content);
    return {
      id: `chatcmpl-${this.requests.length}`,
      object: 'chat.completion',
      created: 1764000000,
      model: this.opts.model,
      system_fingerprint: 'fp_fake',
      choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, logprobs: null, finish_reason: finishReason }],
      usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
    };
  }
}

/** `GET /v1/models` as OpenAI and vLLM answer it. */
export function modelList(ids: readonly string[]): unknown {
  return { object: 'list', data: ids.map((id) => ({ id, object: 'model', created: 1764000000, owned_by: 'retrace-test' })) };
}

function words(text: string): number {
  return text.split(/\s+/).filter((w) => w.length > 0).length;
}

/** The task line and facts block of the first user message (later ones are retry notes). */
export function readPrompt(messages: ReadonlyArray<{ role: string; content: string }>): { task: string; facts: Facts; text: string } {
  const first = messages.find((m) => m.role === 'user');
  const text = first?.content ?? '';
  const task = /^Task: ([\w-]+)/m.exec(text)?.[1] ?? '';
  const block = /```json\n([\s\S]*?)\n```/.exec(text)?.[1];
  return { task, facts: block ? (JSON.parse(block) as Facts) : {}, text };
}

const pick = <T>(seed: number, ...options: T[]): T => options[Math.abs(seed) % options.length]!;

function answerFor(messages: ReadonlyArray<{ role: string; content: string }>, seed: number): unknown {
  const { task, facts, text } = readPrompt(messages);
  switch (task) {
    case 'plan':
      return planAnswer(facts, seed);
    case 'design':
      return designAnswer(facts, seed);
    case 'file-intent': {
      // A model that keeps the boundary: it names the path, the reads and `mayName`, nothing of `hindsight`.
      const names = facts.mayName as string[];
      const reads = (facts.reads as Facts[]).map((r) => r.path as string);
      return { thought: `${pick(seed, 'Now', 'Next')} ${facts.file.path}: I write ${names.map((n) => `\`${n}\``).join(', ') || 'it'}${reads.length ? `, after reading ${reads.join(', ')}` : ''}.` };
    }
    case 'review-checks': {
      const findings = facts.findings as Facts[];
      const baseline = facts.baseline as Facts[];
      const limits = baseline.length > 0 ? ` The ${baseline.length} other findings are the checker's limits, not faults.` : '';
      return {
        thought: (findings.length === 0
          ? `${facts.path} passes ${(facts.checks as string[]).join(', ')}.`
          : `${facts.path} fails ${findings[0]!.check} at line ${findings[0]!.line}: ${findings[0]!.message}.`) + limits,
      };
    }
    case 'diagnose':
      return { thought: `The fault in ${facts.path}${facts.definition ? ` sits in ${facts.definition.name}` : ''}: ${(facts.findings as Facts[])[0]?.message ?? 'unknown'}. I repair that line.` };
    case 'test-intent':
      return { thought: `${facts.file.path} exercises ${(facts.subjects as string[]).join(', ')}.` };
    case 'propose': {
      const k = Number(/Propose (\d+) different/.exec(text)?.[1] ?? 1);
      const t = facts.target as Facts;
      const subjects = [...new Set([t.name, ...(t.calls as string[]), ...(t.mayName as string[])].filter(Boolean) as string[])];
      const steps = Array.from({ length: k }, (_, i) => ({
        text: `Step ${(facts.stepsSoFar as string[]).length + 1}.${i + 1}: ${subjects.length > 0 ? `\`${subjects[(i + seed) % subjects.length]}\`` : 'the target'} ${pick(seed + i, 'decides the shape of the result', 'needs its inputs checked first', 'is where the work happens')}.`,
        confidence: 1 / (i + 1),
      }));
      return { steps };
    }
    default:
      return { error: `unknown task "${task}"` };
  }
}

/** Milestones: consecutive runs of `order` by top directory. */
function planAnswer(facts: Facts, seed: number): unknown {
  const order = (facts.order as string[]).filter((f) => !f.startsWith('…'));
  const milestones: Array<{ title: string; goal: string; files: string[] }> = [];
  for (const f of order) {
    const dir = f.includes('/') ? f.split('/')[0]! : 'the top level';
    const last = milestones[milestones.length - 1];
    if (last && last.title === `Build ${dir}`) last.files.push(f);
    else milestones.push({ title: `Build ${dir}`, goal: `Write the files of ${dir}`, files: [f] });
  }
  return {
    thoughts: [`${facts.name} has ${order.length} files to write.`, pick(seed, 'Manifests come first.', 'Start from the manifests.')],
    plan: {
      overview: `${facts.name}: ${(facts.manifests as Facts[])[0]?.description ?? 'a repository'}.`,
      requirements: Object.keys(facts.languages as Facts).map((l) => `Written in ${l}.`),
      milestones,
    },
  };
}

function designAnswer(facts: Facts, seed: number): unknown {
  const file = facts.file as Facts;
  const deps = [...(file.imports as string[]), ...(file.externals as string[])];
  const declares = facts.declares as Facts[];
  return {
    thought: `${file.path} ${pick(seed, 'belongs to', 'serves')} "${facts.milestone.title}".`,
    design: {
      path: file.path,
      responsibility: declares.length > 0 ? `Holds ${declares.map((d) => `\`${d.name}\``).join(', ')}.` : `Tests for "${facts.milestone.title}".`,
      publicInterface: declares.map((d) => d.entry as string),
      dependencies: deps.map((path) => ({ path, why: `uses ${(file.importUses?.[path] as string[] | undefined)?.join(', ') ?? 'it'}` })),
    },
  };
}

/** FNV-1a of `text` and `seed`: the varied proposer's draws, deterministic for the messages and seed. */
function hashOf(text: string, seed: number): number {
  let h = (2166136261 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
  return h;
}

/** The `varied` proposals (FakeChatOptions.proposals): k statements about the sketch not said yet, drawn by seed. */
function variedProposals(messages: ReadonlyArray<{ role: string; content: string }>, seed: number): unknown {
  const { facts, text } = readPrompt(messages);
  const k = Number(/Propose (\d+) different/.exec(text)?.[1] ?? 1);
  const t = facts.target as Facts;
  const said = new Set(facts.stepsSoFar as string[]);
  const names = [...new Set([t.name, ...(t.calls as string[]), ...(t.constructs as string[]), ...(t.errors as string[]), ...(t.mayName as string[])].filter(Boolean) as string[])];
  const pool: string[] = [];
  for (const n of names.slice(0, 12)) {
    const c = `\`${n}\``;
    pool.push(`${c} does part of the work here.`, `The result depends on what ${c} gives back.`, `I lean on ${c} rather than writing that logic again.`, `Before anything else, what ${c} expects has to be right.`);
  }
  const control = (t.control ?? {}) as Record<string, number>;
  if (control.loops) pool.push('A loop goes over the input, one item at a time.', 'Each element is handled in turn inside a loop.');
  if (control.branches) pool.push('It branches on the input before doing the work.', 'The unusual case is handled first, then the common one.');
  if (control.returns) pool.push('It returns as soon as the answer is known.', 'The value it computes is returned to the caller.');
  if (control.throws) pool.push('Bad input ends in an error, not a wrong answer.');
  if (t.isAsync) pool.push('It is asynchronous: each step waits for the one before.');
  pool.push(`It is a ${t.kind} of ${t.lines} lines.`, `It takes ${t.params} parameters.`, 'The approach is the simplest one that handles every case.', 'What it must handle decides its shape.');
  const fresh = pool.filter((p) => !said.has(p));
  const drawn = fresh.map((p) => ({ p, h: hashOf(p, seed + said.size * 7919) })).sort((a, b) => a.h - b.h).slice(0, k);
  return { steps: drawn.map(({ p, h }) => ({ text: p, confidence: 0.1 + (h % 900) / 1000 })) };
}
