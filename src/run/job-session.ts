/**
 * The run's second and third phases: the repository indexed, then the team it runs with —
 * in-process (MemoryBus, the embedded team) or the agents found on NATS (or spawned) — with what
 * watches the run (dead letters, the message recorder, OTLP export). `release()` stops whatever
 * was started, on every way out, so a failed run never leaves the process hanging on an open
 * connection or orphaned agent processes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import { backoffMs, MemoryBus, outageBoundMs, subjects, token, type Bus, type DeadLetter, type Incoming, type Subscription } from '../bus/mod.ts';
import type { WorkResult } from '../agents/protocol.ts';
import { decodeBody } from '../bus/envelope.ts';
import { connectWithEnv } from '../bus/env.ts';
import { policyBucket } from '../agents/policy-store.ts';
import { ROLES, type Role } from '../agents/types.ts';
import type { QueueSettings } from '../agents/host.ts';
import { Workspaces, type Workspace } from '../agents/workspace.ts';
import { LocalRefiner } from '../agents/refiner.ts';
import { OpenAIScorer, SGLangScorer, type Scorer } from '../search/score/mod.ts';
import { startOtlpExport, otlpEndpointFromEnv, startRecorder, type OtlpExport, type Recorder } from '../trace/mod.ts';
import { startTeam, type Team } from './embedded.ts';
import { calledModels, modelCalls, RUN_MODELS, type ModelCalls } from '../accounting/model-calls.ts';
import { defaultRegistry } from '../agents/registry.ts';
import { localGateway, type ModelGateway } from '../models/mod.ts';
import type { JobInput } from './job-input.ts';
import { InputError, MissingAgentsError, type RunDeadLetter, type RunJobOptions } from './job-types.ts';

/** The repository indexed here (not with a graph service: the session takes it from the service). */
export interface Indexed {
  workspaces: Workspaces;
  ws?: Workspace;
}

const emptyRepo = (opts: RunJobOptions, w: Workspace) =>
  new InputError(`${opts.repoPath ?? opts.graph} has no files to rebuild${w.graph.data.skipped.length ? ` (${w.graph.data.skipped.length} skipped)` : ''}`);

export async function indexRepository(opts: RunJobOptions, input: JobInput): Promise<Indexed> {
  opts.progress?.phase('index');
  // Indexing progress goes to the display only while the run indexes (the team's workspaces are
  // these, and never index this repository again while it holds them).
  let onIndex = opts.progress?.index?.bind(opts.progress);
  const workspaces = new Workspaces(onIndex ? { onIndexProgress: (p) => onIndex?.(p.done, p.total, p.phase) } : {});
  if (opts.graph) return { workspaces };
  const ws = await workspaces.get(input.repo);
  onIndex = undefined;
  if (ws.order.length === 0) throw emptyRepo(opts, ws);
  // The version the run works on: agents whose copy differs refuse the work.
  input.repo.digest = ws.digest();
  return { workspaces, ws };
}

export class JobSession {
  readonly refiner: LocalRefiner;
  /** The served model the search scores with (`--scorer openai`); the embedded scorer is not a model call. */
  readonly scorer: Scorer | undefined;
  /** Model calls of this process (in-process team and scorer): their cache and limits; none without `models`. */
  readonly gateway: ModelGateway | undefined;
  /** Role -> `id@revision` of the policy it starts with. */
  readonly policies: Record<string, string> = {};
  bus?: Bus;
  workspaces: Workspaces;
  ws?: Workspace;
  private team?: Team;
  private children: ChildProcess[] = [];
  private recorder?: Recorder;
  private otlp?: OtlpExport;
  private dead?: { letters: RunDeadLetter[]; sub: Subscription };
  private run?: string;

  private constructor(
    private readonly opts: RunJobOptions,
    private readonly log: Logger,
    indexed: Indexed,
  ) {
    // One gateway for the run's policies and scorer: the call cache beside the output, limits per endpoint.
    this.gateway = opts.models ? localGateway(opts.models, opts.out, log) : undefined;
    this.scorer = opts.scorer && opts.scorer.kind !== 'embedded' ? servedScorer(opts.scorer, this.gateway) : undefined;
    this.refiner = new LocalRefiner(this.scorer ? { scorer: this.scorer, batchSize: 8 } : {});
    this.workspaces = indexed.workspaces;
    if (indexed.ws) this.ws = indexed.ws;
  }

  static async open(opts: RunJobOptions, input: JobInput, log: Logger, indexed: Indexed): Promise<JobSession & { bus: Bus; ws: Workspace }> {
    const s = new JobSession(opts, log, indexed);
    try {
      if (opts.nats && opts.nats.length > 0) await s.joinAgents(input, opts.nats);
      else await s.startTeam();
      await s.readPolicies();
      await s.watch(input.run);
    } catch (err) {
      await s.release();
      throw err;
    }
    if (!s.ws || !s.bus) throw new Error('unreachable: no workspace');
    return s as JobSession & { bus: Bus; ws: Workspace };
  }

  /** Model calls of the run's policies and scorer: requests, tokens, latency, errors (and cost, with a price table). */
  get models(): ModelCalls {
    return modelCalls({ policies: this.team?.policies, scorer: this.scorer, cache: this.gateway?.cache, prices: this.opts.prices });
  }

  /** Model calls of the in-process team's policies alone (what each job is charged with: src/accounting/record-calls.ts). */
  get policyCalls(): ModelCalls {
    return modelCalls({ policies: this.team?.policies });
  }

  /** A result the run took from its queue: the trace records it if the bus never brought it there. */
  witness(msg: Incoming<WorkResult>): void {
    this.recorder?.witness(msg);
  }

  get deadLetters(): RunDeadLetter[] {
    return this.dead?.letters ?? [];
  }

  async release(): Promise<void> {
    const bus = this.bus;
    if (bus && this.recorder && this.run) await publishModelCalls(bus, this.run, this.models);
    await this.team?.stop().catch(() => {});
    if (this.recorder && bus) await settle(bus, () => this.recorder!.count);
    else if (this.dead && bus) await bus.flush().catch(() => {});
    await this.dead?.sub.unsubscribe().catch(() => {});
    await this.recorder?.stop().catch(() => {});
    await this.otlp?.stop().catch(() => {});
    for (const c of this.children) c.kill('SIGTERM');
    await bus?.close().catch(() => {});
  }

  private async joinAgents(input: JobInput, urls: string[]): Promise<void> {
    const opts = this.opts;
    if (opts.scorer && opts.scorer.kind !== 'embedded') throw new InputError(`--scorer ${opts.scorer.kind} with --nats: the agent processes search with their own scorer; start them with it`);
    const bus = (this.bus = await connectWithEnv(urls, this.log, `retrace-run-${input.run}`));
    if (opts.graph) {
      input.repo.graph = opts.graph;
      this.workspaces = new Workspaces({ bus });
      const ws = (this.ws = await this.workspaces.get(input.repo));
      if (ws.order.length === 0) throw emptyRepo(opts, ws);
      input.repo.digest = ws.repo.digest!;
      if (input.root === undefined) input.repo.root = ws.graph.root;
    }
    if (opts.spawn) this.children = spawnAgents(urls, this.log, opts.queue);
    // Agents being (re)started by a supervisor are waited for, as long as any service's outage.
    const bound = outageBoundMs();
    await waitForAgents(bus, opts.spawn ? Math.max(60_000, bound) : bound, this.log);
  }

  private async startTeam(): Promise<void> {
    const bus = (this.bus = new MemoryBus());
    const teamOpts: Parameters<typeof startTeam>[0] = { bus, workspaces: this.workspaces, log: this.log, refiner: this.refiner };
    if (this.opts.policies) teamOpts.policies = this.opts.policies;
    if (this.gateway) teamOpts.registry = defaultRegistry(this.log, this.gateway);
    this.team = await startTeam(teamOpts);
  }

  private async readPolicies(): Promise<void> {
    if (this.team) {
      for (const [role, src] of this.team.policies) this.policies[role] = src.current().tag;
      return;
    }
    const kv = await policyBucket(this.bus!);
    for (const role of ROLES) {
      const e = await kv.get(role);
      this.policies[role] = e ? `${e.value?.id}@${e.revision}` : 'grounded@0';
    }
  }

  /** The spec of each policy revision the roles start with (`id@revision` -> spec), for the trace. */
  private async policySpecs(): Promise<Record<string, unknown>> {
    const specs: Record<string, unknown> = {};
    if (this.team) {
      for (const src of this.team.policies.values()) specs[src.current().tag] = src.current().spec;
      return specs;
    }
    const kv = await policyBucket(this.bus!);
    for (const role of ROLES) for (const e of await kv.history(role)) if (e.value) specs[`${e.value.id}@${e.revision}`] = e.value;
    return specs;
  }

  private async watch(run: string): Promise<void> {
    const bus = this.bus!;
    this.run = run;
    this.dead = watchDeadLetters(bus, run);
    // A resumed run's trace goes on from its first start's (the recorder marks where this one begins).
    if (this.opts.traceFile) this.recorder = await startRecorder(bus, run, this.opts.traceFile, { append: this.opts.resume === true, policies: await this.policySpecs() });
    if (otlpEndpointFromEnv()) this.otlp = startOtlpExport(bus, run);
  }
}

/** The run's model calls (`run.models` on `retrace.<run>.event.models`), for its trace; nothing when no model was called. */
async function publishModelCalls(bus: Bus, run: string, models: ModelCalls): Promise<void> {
  if (!calledModels(models)) return;
  await bus.publish(subjects.event(run, 'models'), { type: RUN_MODELS, body: models, run, sender: 'run' }).catch(() => {});
}

/** Collects the dead letters of `run` (by its run header, or a subject of the run) while it runs. */
function watchDeadLetters(bus: Bus, run: string): { letters: RunDeadLetter[]; sub: Subscription } {
  const letters: RunDeadLetter[] = [];
  const prefix = `retrace.${token(run)}.`;
  const sub = bus.subscribe<DeadLetter>('retrace-dlq.>', (m) => {
    const d = m.body;
    if (m.run !== run && !d.subject.startsWith(prefix)) return;
    const letter: RunDeadLetter = { subject: d.subject, reason: d.reason, error: d.error, deliveries: d.deliveryCount };
    if (d.queue) letter.queue = d.queue;
    try {
      const job = (decodeBody(d.data) as { job?: unknown } | undefined)?.job;
      if (typeof job === 'string') letter.job = job;
    } catch {
      // Undecodable: the letter says so in its reason.
    }
    letters.push(letter);
  });
  return { letters, sub };
}

function spawnAgents(urls: string[], log: Logger, queue?: QueueSettings): ChildProcess[] {
  const bin = resolve(import.meta.dirname, '../../bin/retrace.js');
  return ROLES.map((role) => {
    const q = queue ? ['--ack-wait', String(queue.ackWaitMs), '--max-deliver', String(queue.maxDeliver)] : [];
    const child = spawn(process.execPath, [bin, 'agent', role, '--nats', urls.join(','), ...q, '--log-level', 'warn'], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('exit', (code, signal) => log.debug({ role, code, signal }, 'spawned agent exited'));
    return child;
  });
}

/** Until an agent of every role answers; with backoff, saying which roles it waits for. */
async function waitForAgents(bus: Bus, timeoutMs: number, log: Logger): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let missing: Role[] = [...ROLES];
  for (let attempt = 0; ; attempt++) {
    const found = await bus.discover('retrace-agent', { timeoutMs: 300 });
    const roles = new Set(found.map((s) => s.endpoints[0]?.name.replace(/^status-/, '')));
    missing = ROLES.filter((r) => !roles.has(r));
    if (missing.length === 0) return;
    if (Date.now() >= deadline) break;
    if (attempt === 4) log.warn({ missing }, `waiting for ${missing.join(', ')} agents (up to ${Math.round(timeoutMs / 1000)} s)`);
    await new Promise((r) => setTimeout(r, Math.min(backoffMs(attempt), Math.max(0, deadline - Date.now()))));
  }
  throw new MissingAgentsError(`no ${missing.join(', ')} agent answers on the bus (waited ${Math.round(timeoutMs / 1000)} s; RETRACE_OUTAGE_MS sets how long): start them with \`retrace agent <role> --nats URL\`, or pass --spawn`);
}

function servedScorer(s: { kind: 'openai' | 'sglang'; baseURL: string; model: string; apiKey?: string; maxContextTokens?: number }, gateway?: ModelGateway): Scorer {
  const o: ConstructorParameters<typeof OpenAIScorer>[0] = { model: s.model, endpoints: [s.baseURL], ...(gateway ? { gateway } : {}) };
  const key = s.apiKey ?? process.env.OPENAI_API_KEY;
  if (key) o.apiKey = key;
  if (s.maxContextTokens !== undefined) o.maxContextTokens = s.maxContextTokens;
  return s.kind === 'sglang' ? new SGLangScorer(o) : new OpenAIScorer(o);
}

/**
 * Steps and search events are published without waiting, so they may trail the last result:
 * wait until the recorder has seen no new message for a moment (at most two seconds).
 */
async function settle(bus: Bus, count: () => number): Promise<void> {
  await bus.flush();
  let last = -1;
  for (let i = 0; i < 40 && count() !== last; i++) {
    last = count();
    await new Promise((r) => setTimeout(r, 50));
  }
}
