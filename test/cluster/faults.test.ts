/**
 * Faults of a real deployment, on a 3-node JetStream cluster (streams R3) with one `retrace agent`
 * process per role and two coders: a handler slower than the ack wait that heartbeats, a coder
 * killed with SIGKILL in the middle of its work, a poison work item, and a nats-server killed
 * mid-run. After each fault but the poison, `retrace run --nats` completes and its dataset is
 * byte for byte the embedded run's with the same seed and run id: nothing lost, nothing twice.
 *
 * The fixture is generated: one source file of many top-level functions, so the coder's job on it
 * is long (one refined chunk per function) and "in the middle of its work" is a wide window.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NatsBus, type DeadLetter, type Incoming } from '../../src/bus/mod.ts';
import { decodeBody } from '../../src/bus/envelope.ts';
import { MSG, roleQueue, workSubject, type Work } from '../../src/agents/protocol.ts';
import { ROLES } from '../../src/agents/types.ts';
import { runJob } from '../../src/run/run-job.ts';
import { startNatsCluster, type NatsClusterHandle } from '../support/nats-cluster.ts';
import { waitFor } from '../support/wait.ts';
import { LONG_JOB, writeBigFixture } from '../support/bigfx.ts';

const repoRoot = join(import.meta.dirname, '../..');
const bin = join(repoRoot, 'bin/retrace.js');
const tmp = mkdtempSync(join(tmpdir(), 'retrace-faults-'));
const fixture = join(tmp, 'bigfx');
const SEED = 3;
const COMMON = ['--seed', String(SEED), '--budget', '8', '--fault-rate', '0.5', '--no-trace', '--no-verify', '--json'];
let cluster: NatsClusterHandle;
let bus: NatsBus;
const agents = new Map<string, { child: ChildProcess; out: () => string }>();
const env = { ...process.env, RETRACE_NATS_REPLICAS: '3' };

function startAgent(role: string, instance: string): void {
  const child = spawn(process.execPath, [bin, 'agent', role, '--nats', cluster.urls.join(','), '--instance', instance, '--ack-wait', '3000', '--log-level', 'warn'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  agents.set(instance, { child, out: () => out });
}

/** `retrace run --nats` as a user runs it; resolves with its exit code and output. */
function natsRun(runId: string, extra: string[] = []): { done: Promise<{ code: number | null; stdout: string; stderr: string }>; out: string } {
  const out = join(tmp, `${runId}.jsonl`);
  const child = spawn(process.execPath, [bin, 'run', fixture, '-o', out, '--run-id', runId, '--nats', cluster.urls.join(','), ...COMMON, ...extra], {
    cwd: tmp,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 150_000);
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
  return { done, out };
}

/** The embedded run (one process, MemoryBus) with the same seed and run id: the reference bytes. */
async function reference(runId: string): Promise<string> {
  const out = join(tmp, `${runId}.embedded.jsonl`);
  await runJob({ repoPath: fixture, out, seed: SEED, budget: 8, faultRate: 0.5, resume: false, runId, verify: false });
  return readFileSync(out, 'utf8');
}

/** Calls `fn` on every search event of the run (sent while a job works). */
function onSearch(runId: string, fn: (e: Incoming<{ job: string }>) => void): { stop(): void } {
  const sub = bus.subscribe<{ job: string }>(`retrace.${runId}.event.search`, (m) => fn(m));
  return { stop: () => sub.unsubscribe() };
}

/** Coder work that names a file the repository does not have: every delivery fails. */
function poisonWork(run: string, job: string): Work {
  const path = 'src/missing.js';
  return { run, job, seed: SEED, budget: 8, repo: { name: 'bigfx', root: fixture }, role: 'coder', path, design: { path, responsibility: 'none', publicInterface: [], dependencies: [] }, faultRate: 0.5 };
}

function coderQueue() {
  return bus.workQueue(roleQueue('coder').name, { subjects: roleQueue('coder').subjects, ackWaitMs: 3000, maxDeliver: 3 });
}

async function coderDeliveries(): Promise<{ deliveries: number; jobs: number }> {
  const { jsm } = await bus.js();
  const info = await jsm.consumers.info(`RETRACE_WQ_${roleQueue('coder').name}`, 'workers');
  return { deliveries: info.delivered.consumer_seq, jobs: info.delivered.stream_seq };
}

beforeAll(async () => {
  writeBigFixture(fixture);
  cluster = await startNatsCluster();
  bus = await NatsBus.connect({ servers: cluster.urls, replicas: 3, reconnectTimeWaitMs: 100 });
  for (const role of ROLES) startAgent(role, `${role}-a`);
  startAgent('coder', 'coder-b');
  await waitFor(() => [...agents.values()].every((a) => /ready/.test(a.out())), 'every agent to be ready', 60_000);
}, 90_000);

afterAll(async () => {
  const exits = [...agents.values()].filter((a) => a.child.exitCode === null && a.child.signalCode === null);
  for (const a of exits) a.child.kill('SIGTERM');
  await Promise.race([Promise.all(exits.map((a) => new Promise((r) => a.child.once('exit', r)))), new Promise((r) => setTimeout(r, 10_000))]);
  for (const a of exits) if (a.child.exitCode === null) a.child.kill('SIGKILL');
  await bus?.close().catch(() => {});
  await cluster?.stop();
  rmSync(tmp, { recursive: true, force: true });
}, 30_000);

describe('faults on a 3-node cluster', () => {
  it('a job slower than the ack wait heartbeats and is not delivered again', async () => {
    const id = 'slow1';
    const before = await coderDeliveries();
    const span: number[] = [];
    const watch = onSearch(id, (e) => {
      if (e.body.job === LONG_JOB) span.push(Date.now());
    });
    // The run sets the role queues' ack wait to 0.5 s; the long coder job takes seconds.
    const run = natsRun(id, ['--ack-wait', '500']);
    const expected = await reference(id);
    const r = await run.done;
    watch.stop();
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(run.out, 'utf8')).toBe(expected);
    // The precondition: the job outlived the ack wait.
    expect(span.at(-1)! - span[0]!).toBeGreaterThan(500);
    const after = await coderDeliveries();
    // Every coder job of the run was delivered exactly once.
    expect(after.deliveries - before.deliveries).toBe(after.jobs - before.jobs);
  }, 180_000);

  it('a coder killed with SIGKILL mid-work: its job comes back to the other coder after the ack wait', async () => {
    const id = 'kill1';
    const workers = new Set<string>();
    let victim: string | undefined;
    const watch = onSearch(id, (e) => {
      if (e.body.job !== LONG_JOB) return;
      const instance = e.sender!.replace(/^coder\//, '');
      workers.add(instance);
      if (!victim) {
        victim = instance;
        agents.get(instance)!.child.kill('SIGKILL');
      }
    });
    const run = natsRun(id, ['--ack-wait', '3000']);
    const expected = await reference(id);
    const r = await run.done;
    watch.stop();
    expect(r.code, r.stderr).toBe(0);
    expect(victim).toBeDefined();
    // The other coder did the killed job again, from the start.
    expect(workers.size).toBe(2);
    expect(readFileSync(run.out, 'utf8')).toBe(expected);
    expect(JSON.parse(r.stdout).failures).toEqual([]);
    startAgent('coder', `${victim}-again`);
  }, 180_000);

  it('a poison work item under the id of one of the run\'s jobs goes to the dead-letter subject after the maximum deliveries, and displaces nothing', async () => {
    const id = 'poison1';
    const job = 'coder:code:src/index.js';
    // Work that names a file the repository does not have, under the id of a real job of the run
    // (as an earlier start of a run with this id would have left): the run's own work is of its
    // own start, so it is neither deduplicated against the poison nor answered by its failure.
    const poison = poisonWork(id, job);
    const q = await coderQueue();
    const dead: Array<Incoming<DeadLetter>> = [];
    const sub = bus.subscribe<DeadLetter>('retrace-dlq.role-coder', (m) => {
      dead.push(m);
    });
    await bus.flush();
    await q.enqueue(workSubject(id, 'coder'), { type: MSG.work, body: poison, run: id, sender: 'test' }, { msgId: `${id}:${job}` });
    // Undecodable bytes on the same subject: dead-lettered at once, the run does not notice.
    bus.publishRaw(workSubject(id, 'coder'), new Uint8Array([0xc1, 0xff, 0x00]), { 'retrace-type': MSG.work });
    const run = natsRun(id, ['--ack-wait', '3000']);
    const expected = await reference(id);
    const r = await run.done;
    sub.unsubscribe();
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).failures).toEqual([]);
    expect(readFileSync(run.out, 'utf8')).toBe(expected);
    await waitFor(() => dead.length >= 2, 'two dead letters');
    const byReason = new Map(dead.map((d) => [d.body.reason, d.body]));
    expect(byReason.get('max-deliveries')).toMatchObject({ deliveryCount: 3, queue: 'role-coder', subject: workSubject(id, 'coder') });
    expect(byReason.get('max-deliveries')!.error).toMatch(/src\/missing\.js/);
    expect(byReason.get('malformed')).toBeDefined();
    // The dead letters are stored (RETRACE_DLQ, R3), not only published.
    const { jsm } = await bus.js();
    const stored = await jsm.streams.getMessage('RETRACE_DLQ', { last_by_subj: 'retrace-dlq.role-coder' });
    expect((decodeBody(stored!.data) as DeadLetter).queue).toBe('role-coder');
  }, 180_000);

  it('a poison work item beside the run\'s work: dead-lettered, reported by the run, and the run completes with the same bytes', async () => {
    const id = 'poison2';
    const poison = poisonWork(id, 'coder:code:src/missing.js');
    const q = await coderQueue();
    let injected: Promise<unknown> | undefined;
    // Once the run is under way (a coder busy with the long job), the other coder gets the poison.
    const watch = onSearch(id, (e) => {
      if (e.body.job !== LONG_JOB || injected) return;
      injected = q.enqueue(workSubject(id, 'coder'), { type: MSG.work, body: poison, run: id, sender: 'test' }, { msgId: `${id}:poison` });
      bus.publishRaw(workSubject(id, 'coder'), new Uint8Array([0xc1, 0xff, 0x00]), { 'retrace-type': MSG.work });
    });
    const run = natsRun(id, ['--ack-wait', '3000']);
    const expected = await reference(id);
    const r = await run.done;
    watch.stop();
    await injected;
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(run.out, 'utf8')).toBe(expected);
    const summary = JSON.parse(r.stdout) as { failures: unknown[]; deadLetters: Array<{ reason: string; job?: string; deliveries: number; error: string; queue?: string }> };
    expect(summary.failures).toEqual([]);
    const byReason = new Map(summary.deadLetters.map((d) => [d.reason, d]));
    expect(byReason.get('max-deliveries')).toMatchObject({ job: 'coder:code:src/missing.js', deliveries: 3, queue: 'role-coder' });
    expect(byReason.get('max-deliveries')!.error).toMatch(/src\/missing\.js/);
    expect(byReason.get('malformed')).toMatchObject({ queue: 'role-coder' });
  }, 180_000);

  it('a nats-server of the cluster killed mid-run: the run completes with the same bytes', async () => {
    const id = 'node1';
    const { jsm } = await bus.js();
    const leader = (await jsm.streams.info(`RETRACE_WQ_${roleQueue('coder').name}`)).cluster?.leader;
    const node = cluster.nodes.find((n) => n.name === leader) ?? cluster.nodes[0]!;
    let killed: Promise<void> | undefined;
    const watch = onSearch(id, (e) => {
      if (e.body.job === LONG_JOB && !killed) killed = node.kill();
    });
    const run = natsRun(id, ['--ack-wait', '3000']);
    const expected = await reference(id);
    const r = await run.done;
    watch.stop();
    expect(killed).toBeDefined();
    await killed;
    expect(node.running()).toBe(false);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(run.out, 'utf8')).toBe(expected);
    await node.start();
  }, 180_000);

  it('the graph service killed mid-run and started again: the run completes with the same bytes', async () => {
    const id = 'graph1';
    const startGraph = () => {
      const child = spawn(process.execPath, [bin, 'graph-service', fixture, '--name', 'bigfx', '--no-cache', '--nats', cluster.urls.join(','), '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'pipe'], env });
      let out = '';
      child.stdout!.on('data', (d) => (out += d));
      return { child, ready: waitFor(() => /graph-service bigfx ready/.test(out), 'the graph service to be ready', 60_000) };
    };
    let graph = startGraph();
    await graph.ready;
    let restarted: Promise<void> | undefined;
    const watch = onSearch(id, (e) => {
      if (e.body.job !== LONG_JOB || restarted) return;
      // Down for two seconds, as when a supervisor restarts it (it then re-indexes).
      graph.child.kill('SIGKILL');
      restarted = new Promise((r) => setTimeout(r, 2000)).then(() => {
        graph = startGraph();
        return graph.ready;
      });
    });
    const out = join(tmp, `${id}.jsonl`);
    const child = spawn(process.execPath, [bin, 'run', '--graph', 'bigfx', '-o', out, '--run-id', id, '--nats', cluster.urls.join(','), ...COMMON, '--ack-wait', '3000'], { cwd: tmp, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    watch.stop();
    expect(restarted).toBeDefined();
    await restarted;
    expect(code, stderr).toBe(0);
    const summary = readFileSync(out, 'utf8');
    expect(summary).toBe(await reference(id));
    graph.child.kill('SIGTERM');
  }, 180_000);
});
