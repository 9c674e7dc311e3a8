/**
 * Seeded kills of every kind of process of a distributed layout (issue 17, item 1): a graph
 * service, a search service, a scoring node and an agent per role on a real nats-server, and a
 * driver (`retrace run --nats`). Each trial draws, from its seed, a kind of process and a moment
 * of the run (the n-th message the victim works on or depends on), kills that process with
 * SIGKILL there, waits a drawn time and starts it again as a supervisor would (the driver with
 * `--resume`), and compares the run's dataset with the embedded run's of the same seed and run
 * id. Used by test/cluster/chaos.test.ts (a few trials) and bench/chaos.ts (many).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NatsBus, type Subscription } from '../../src/bus/mod.ts';
import { ROLES } from '../../src/agents/types.ts';
import { runJob } from '../../src/run/run-job.ts';
import { Processes, type RetraceProcess } from './processes.ts';

export const SERVICE_KINDS = ['graph-service', 'search-service', 'scoring-node'] as const;
export const KINDS = [...ROLES, ...SERVICE_KINDS, 'driver'] as const;
export type Kind = (typeof KINDS)[number];

export interface ChaosSettings {
  natsUrl: string;
  /** The repository the graph service serves; the driver is pointed at an empty one of its name. */
  repo: string;
  name: string;
  /** A directory for the runs' outputs. */
  tmp: string;
  seed: number;
  budget: number;
  faultRate: number;
  /** The role queues' ack wait: how soon a killed agent's job goes to another delivery. */
  ackWaitMs: number;
}

export interface TrialResult {
  trial: number;
  runId: string;
  kind: Kind;
  /** Killed at the n-th message of the kind's trigger subject (see `triggerOf`). */
  atMessage: number;
  /** How long the killed process stayed down before it was started again. */
  downMs: number;
  /** Whether the kill happened (a run may end before its n-th message). */
  killed: boolean;
  exitCode: number | null;
  identical: boolean;
  wallMs: number;
  output: string;
}

/** A small deterministic generator (mulberry32): the same trial seed draws the same fault. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * What a kind's victim is killed on: an agent on the work sent to its role (so it holds a job),
 * a service on the run's search events (each needs the graph, the search service, the scorer),
 * the driver on the results it collects.
 */
export function triggerOf(kind: Kind, runId: string): string {
  if ((ROLES as readonly string[]).includes(kind)) return `retrace.${runId}.work.${kind}`;
  if (kind === 'driver') return `retrace.${runId}.result.>`;
  return `retrace.${runId}.event.search`;
}

export class ChaosLayout {
  readonly procs: Processes;
  private bus: NatsBus | undefined;
  /** Messages per trigger subject in the calibration run: where a kill may land. */
  private counts = new Map<Kind, number>();
  private readonly empty: string;
  /** The clean run's wall time: what a trial's is compared with. */
  cleanRunMs = 0;

  constructor(private readonly s: ChaosSettings, env: NodeJS.ProcessEnv = process.env) {
    // Restarted services come back within seconds; work waits for them rather than fail.
    this.procs = new Processes({ ...env, RETRACE_OUTAGE_MS: '60000' });
    this.empty = join(s.tmp, 'empty', s.name);
    mkdirSync(this.empty, { recursive: true });
  }

  private nats(): string[] {
    return ['--nats', this.s.natsUrl];
  }

  /** The command line of each long-lived process, as a supervisor would start it. */
  private commandOf(kind: Exclude<Kind, 'driver'>): string[] {
    const log = ['--log-level', 'warn'];
    if (kind === 'graph-service') return ['graph-service', this.s.repo, '--name', this.s.name, '--no-cache', ...this.nats(), ...log];
    if (kind === 'search-service') return ['search-service', ...this.nats(), '--corpus-scoring', 'nodes', '--score-timeout', '3000', '--ack-wait', String(this.s.ackWaitMs), ...log];
    if (kind === 'scoring-node') return ['scorer-node', '--backend', 'embedded', ...this.nats(), ...log];
    return ['agent', kind, ...this.nats(), '--search', 'service', '--ack-wait', String(this.s.ackWaitMs), ...log];
  }

  private readyLine(kind: Exclude<Kind, 'driver'>): RegExp {
    if (kind === 'graph-service') return new RegExp(`graph-service ${this.s.name} ready`);
    if (kind === 'search-service') return /consuming retrace\.search\.refine/;
    if (kind === 'scoring-node') return /scorer-node \w+: serving/;
    return /ready/;
  }

  private async startService(kind: Exclude<Kind, 'driver'>, name: string): Promise<void> {
    this.procs.start(name, this.commandOf(kind));
    await this.procs.ready([name], this.readyLine(kind), 90_000);
  }

  /** Every long-lived process, then one clean run: it must match the reference, and it says how many messages each trigger sees. */
  async start(): Promise<void> {
    this.bus = await NatsBus.connect({ servers: this.s.natsUrl, reconnectTimeWaitMs: 100 });
    const kinds = [...SERVICE_KINDS, ...ROLES];
    await Promise.all(kinds.map((k) => this.startService(k, k)));
    const runId = 'chaos-calibration';
    const counting = KINDS.map((kind) => ({ kind, n: 0, sub: undefined as Subscription | undefined }));
    for (const c of counting) c.sub = this.bus.subscribe(triggerOf(c.kind, runId), () => void c.n++);
    await this.bus.flush();
    const started = Date.now();
    const run = this.driver(runId, 'calibration');
    const [code, identical] = await Promise.all([run.exited, this.matchesReference(runId)]);
    this.cleanRunMs = Date.now() - started;
    for (const c of counting) await c.sub!.unsubscribe();
    if (code !== 0 || !(await identical())) throw new Error(`the clean run failed or differs from the embedded one (exit ${code}):\n${run.output()}`);
    for (const c of counting) this.counts.set(c.kind, c.n);
  }

  /** Messages each trigger saw in the clean run. */
  triggerCounts(): ReadonlyMap<Kind, number> {
    return this.counts;
  }

  private driver(runId: string, name: string, resume = false): RetraceProcess {
    const out = join(this.s.tmp, `${runId}.jsonl`);
    const args = ['run', this.empty, '-o', out, '--run-id', runId, '--graph', this.s.name, ...this.nats()];
    const settings = ['--seed', String(this.s.seed), '--budget', String(this.s.budget), '--fault-rate', String(this.s.faultRate), '--no-trace', '--no-verify', '--json', '--ack-wait', String(this.s.ackWaitMs)];
    return this.procs.start(name, [...args, ...settings, ...(resume ? ['--resume'] : [])], { cwd: this.s.tmp });
  }

  /** Computes the embedded run's bytes for this run id; resolves with a check of the run's output against them. */
  private async matchesReference(runId: string): Promise<() => Promise<boolean>> {
    const ref = join(this.s.tmp, `${runId}.embedded.jsonl`);
    await runJob({ repoPath: this.s.repo, out: ref, seed: this.s.seed, budget: this.s.budget, faultRate: this.s.faultRate, resume: false, runId, verify: false });
    return async () => readFileSync(join(this.s.tmp, `${runId}.jsonl`)).equals(readFileSync(ref));
  }

  /** One trial: the fault its seed draws (of `only`'s kind when given), the run through it, and the comparison. */
  async trial(trial: number, only?: Kind): Promise<TrialResult> {
    const draw = rng(this.s.seed * 1000 + trial);
    const drawn = KINDS[Math.floor(draw() * KINDS.length)]!;
    const kind = only ?? drawn;
    const atMessage = 1 + Math.floor(draw() * Math.max(1, this.counts.get(kind) ?? 1));
    const delayMs = Math.floor(draw() * 300);
    const downMs = 200 + Math.floor(draw() * 1800);
    const runId = `chaos-${this.s.seed}-${trial}`;
    const started = Date.now();
    const victimName = kind === 'driver' ? `${runId}-driver` : kind;
    let killed: Promise<void> | undefined;
    let seen = 0;
    const sub = this.bus!.subscribe(triggerOf(kind, runId), () => {
      if (++seen !== atMessage) return;
      killed = new Promise<void>((r) => setTimeout(r, delayMs)).then(() => this.killAndRestart(kind, victimName, runId, downMs));
    });
    await this.bus!.flush();
    const first = this.driver(runId, `${runId}-driver`);
    const check = await this.matchesReference(runId);
    let code = await first.exited;
    await killed;
    await sub.unsubscribe();
    let output = first.output();
    if (kind === 'driver' && killed) {
      const resumed = this.procs.all.get(`${runId}-driver-resumed`)!;
      code = await resumed.exited;
      output += resumed.output();
    }
    const identical = code === 0 && (await check());
    return { trial, runId, kind, atMessage, downMs, killed: killed !== undefined, exitCode: code, identical, wallMs: Date.now() - started, output };
  }

  private async killAndRestart(kind: Kind, name: string, runId: string, downMs: number): Promise<void> {
    const victim = this.procs.all.get(name)!;
    victim.child.kill('SIGKILL');
    await victim.exited;
    await new Promise((r) => setTimeout(r, downMs));
    if (kind === 'driver') this.driver(runId, `${runId}-driver-resumed`, true);
    else await this.startService(kind, name);
  }

  async stop(): Promise<void> {
    await this.procs.stopAll();
    await this.bus?.close().catch(() => {});
  }
}
