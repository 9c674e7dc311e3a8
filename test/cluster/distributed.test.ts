/**
 * A distributed run as issue 8 describes it: a 3-node JetStream cluster (streams R3) and, each as
 * its own process, the graph service, two search services, two scoring nodes and one agent per
 * role (agents search through the search services, which score on the scoring nodes, which train
 * on the run's corpus read from the graph service). The run names the graph service and points at
 * an empty directory: neither it nor any agent reads the repository from the file system. The
 * dataset is byte for byte the embedded run's with the same seed — fault-free, with a scoring
 * node killed (SIGKILL) in the middle of the run, and with the run itself killed and resumed.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NatsBus } from '../../src/bus/mod.ts';
import { ROLES } from '../../src/agents/types.ts';
import { roleQueue } from '../../src/agents/protocol.ts';
import { runJob } from '../../src/run/run-job.ts';
import { resultSubject } from '../../src/search/protocol.ts';
import { ScoringClient } from '../../src/search/score/client.ts';
import { startNatsCluster, type NatsClusterHandle } from '../support/nats-cluster.ts';
import { LONG_JOB, writeBigFixture } from '../support/bigfx.ts';
import { Processes } from '../support/processes.ts';

const tmp = mkdtempSync(join(tmpdir(), 'retrace-dist-'));
const served = join(tmp, 'served/bigfx');
// What the run is pointed at: a directory of the same name with nothing in it.
const empty = join(tmp, 'empty/bigfx');
const SEED = 5;
const COMMON = ['--seed', String(SEED), '--budget', '8', '--fault-rate', '0.5', '--no-trace', '--no-verify', '--json', '--ack-wait', '5000'];
const MODEL = 'embedded-kn4';

let cluster: NatsClusterHandle;
let bus: NatsBus;
const procs = new Processes({ ...process.env, RETRACE_NATS_REPLICAS: '3' });
const nats = () => ['--nats', cluster.urls.join(',')];

function startScorer(name: string): void {
  procs.start(name, ['scorer-node', '--backend', 'embedded', ...nats(), '--log-level', 'warn']);
}

async function reference(runId: string): Promise<string> {
  const out = join(tmp, `${runId}.embedded.jsonl`);
  await runJob({ repoPath: served, out, seed: SEED, budget: 8, faultRate: 0.5, resume: false, runId, verify: false });
  return readFileSync(out, 'utf8');
}

/** Senders of the search results of a run: which search services did its searches. */
function searchSenders(runId: string): { senders: Set<string>; stop(): Promise<void> } {
  const senders = new Set<string>();
  const sub = bus.subscribe(resultSubject(runId), (m) => {
    if (m.sender) senders.add(m.sender);
  });
  return { senders, stop: () => sub.unsubscribe() };
}

async function coderDeliveries(): Promise<{ deliveries: number; jobs: number }> {
  const { jsm } = await bus.js();
  const info = await jsm.consumers.info(`RETRACE_WQ_${roleQueue('coder').name}`, 'workers');
  return { deliveries: info.delivered.consumer_seq, jobs: info.delivered.stream_seq };
}

async function nodeRequests(): Promise<Map<string, number>> {
  const stats = await new ScoringClient({ bus, model: MODEL }).nodeStats();
  return new Map(stats.map((s) => [s.node, s.requests]));
}

beforeAll(async () => {
  writeBigFixture(served, 60);
  mkdirSync(empty, { recursive: true });
  cluster = await startNatsCluster();
  bus = await NatsBus.connect({ servers: cluster.urls, replicas: 3, reconnectTimeWaitMs: 100 });
  procs.start('graph', ['graph-service', served, '--name', 'bigfx', '--no-cache', ...nats(), '--log-level', 'warn']);
  startScorer('scorer-1');
  startScorer('scorer-2');
  for (const i of [1, 2]) {
    procs.start(`search-${i}`, ['search-service', ...nats(), '--corpus-scoring', 'nodes', '--score-timeout', '3000', '--log-level', 'warn']);
  }
  for (const role of ROLES) procs.start(role, ['agent', role, ...nats(), '--search', 'service', '--ack-wait', '5000', '--log-level', 'warn']);
  // Eleven processes boot at once on two cores: on a loaded machine that alone takes a minute.
  await procs.ready(['graph'], /graph-service bigfx ready/, 180_000);
  await procs.ready(['scorer-1', 'scorer-2'], /scorer-node \w+: serving/, 180_000);
  await procs.ready(['search-1', 'search-2'], /consuming retrace\.search\.refine/, 180_000);
  await procs.ready(ROLES, /ready/, 180_000);
}, 300_000);

afterAll(async () => {
  await procs.stopAll();
  await bus?.close().catch(() => {});
  await cluster?.stop();
  rmSync(tmp, { recursive: true, force: true });
}, 40_000);

describe('a distributed run on a 3-node cluster', () => {
  it('graph service, 2 search services, 2 scoring nodes, an agent per role: the embedded run, byte for byte', async () => {
    const id = 'dist1';
    const before = await nodeRequests();
    const watch = searchSenders(id);
    const run = procs.start(id, ['run', empty, '-o', join(tmp, `${id}.jsonl`), '--run-id', id, '--graph', 'bigfx', ...nats(), ...COMMON], { cwd: tmp });
    const expected = await reference(id);
    const code = await run.exited;
    await watch.stop();
    expect(code, run.output()).toBe(0);
    expect(readFileSync(join(tmp, `${id}.jsonl`), 'utf8')).toBe(expected);
    const summary = JSON.parse(run.output().trim().split('\n').at(-1)!) as { searches: number; failures: unknown[] };
    expect(summary.failures).toEqual([]);
    expect(summary.searches).toBeGreaterThan(20);
    // Both search services and both scoring nodes took part.
    expect([...watch.senders].filter((s) => s.startsWith('retrace-search/')).length).toBe(2);
    const after = await nodeRequests();
    expect(after.size).toBe(2);
    for (const [node, n] of after) expect(n - (before.get(node) ?? 0), node).toBeGreaterThan(0);

    // The same run again at once, under the same id: its work is its own (not deduplicated against
    // the first run's), and it writes the same bytes.
    const again = procs.start(`${id}-again`, ['run', empty, '-o', join(tmp, `${id}.again.jsonl`), '--run-id', id, '--graph', 'bigfx', ...nats(), ...COMMON], { cwd: tmp });
    expect(await again.exited, again.output()).toBe(0);
    expect(readFileSync(join(tmp, `${id}.again.jsonl`), 'utf8')).toBe(expected);
  }, 240_000);

  it('no copy of the repository at all: the run named after the graph service, verified against what it serves', async () => {
    const id = 'dist4';
    const out = join(tmp, `${id}.jsonl`);
    const run = procs.start(id, ['run', '-o', out, '--run-id', id, '--graph', 'bigfx', ...nats(), ...COMMON.filter((a) => a !== '--no-verify')], { cwd: tmp });
    const expected = await reference(id);
    expect(await run.exited, run.output()).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(expected);
    const summary = JSON.parse(run.output().trim().split('\n').at(-1)!) as { repo: string; verify: Array<{ ok: boolean; identical: number }> };
    expect(summary.repo).toBe('graph:bigfx');
    expect(summary.verify).toHaveLength(1);
    expect(summary.verify[0]).toMatchObject({ ok: true, identical: 3, different: [], missing: [], extra: [] });
  }, 240_000);

  it('a run followed live from another process: a line per message, the trace recorded, the follower done when the run ends', async () => {
    const id = 'dist5';
    const recorded = join(tmp, `${id}.trace.jsonl`);
    const follower = procs.start(`${id}-trace`, ['trace', ...nats(), '--run', id, '--out', recorded]);
    await procs.ready([`${id}-trace`], /following run dist5/);
    const run = procs.start(id, ['run', '-o', join(tmp, `${id}.jsonl`), '--run-id', id, '--graph', 'bigfx', ...nats(), ...COMMON], { cwd: tmp });
    expect(await run.exited, run.output()).toBe(0);
    expect(await follower.exited, follower.output()).toBe(0);
    const lines = follower.output().split('\n');
    expect(lines.find((l) => /run -> retrace\.dist5\.event\.run run\.status/.test(l))).toBeDefined();
    // Every role that always has work (the debugger has some only when a draft is faulty).
    for (const role of ['planner', 'architect', 'coder', 'tester']) expect(lines.some((l) => new RegExp(`^\\s*\\+[\\d.]+ms ${role}/\\S+ -> retrace\\.dist5\\.result\\.${role} agent\\.result`).test(l)), role).toBe(true);
    expect(follower.output()).toMatch(/run dist5 finished · \d+ messages · recorded to/);
    // The recorded trace renders like any run's.
    const rendered = procs.start(`${id}-render`, ['trace', recorded]);
    expect(await rendered.exited).toBe(0);
    expect(rendered.output()).toMatch(/^run dist5 · started .* messages · \d+ agents/);
  }, 240_000);

  it('a real package nobody here wrote (fastq), served by its own graph service: the embedded run, byte for byte, verified', async () => {
    const pkg = join(import.meta.dirname, '../../node_modules/fastq');
    procs.start('graph-fastq', ['graph-service', pkg, ...nats(), '--log-level', 'warn']);
    await procs.ready(['graph-fastq'], /graph-service fastq ready/);
    const id = 'dist6';
    const out = join(tmp, `${id}.jsonl`);
    const run = procs.start(id, ['run', '-o', out, '--run-id', id, '--graph', 'fastq', ...nats(), ...COMMON.filter((a) => a !== '--no-verify')], { cwd: tmp });
    const reference = join(tmp, `${id}.embedded.jsonl`);
    await runJob({ repoPath: pkg, out: reference, seed: SEED, budget: 8, faultRate: 0.5, resume: false, runId: id, verify: false });
    expect(await run.exited, run.output()).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(reference, 'utf8'));
    const summary = JSON.parse(run.output().trim().split('\n').at(-1)!) as { files: number; searches: number; verify: Array<{ ok: boolean; identical: number }> };
    expect(summary.files).toBeGreaterThan(10);
    expect(summary.searches).toBeGreaterThan(10);
    expect(summary.verify[0]).toMatchObject({ ok: true, identical: summary.files });
  }, 240_000);

  it('a scoring node killed with SIGKILL mid-run: its requests go to the other node, the bytes stay the same', async () => {
    const id = 'dist2';
    let killed = false;
    const sub = bus.subscribe<{ job: string }>(`retrace.${id}.event.search`, (m) => {
      if (m.body.job === LONG_JOB && !killed) {
        killed = true;
        procs.kill('scorer-1');
      }
    });
    const run = procs.start(id, ['run', empty, '-o', join(tmp, `${id}.jsonl`), '--run-id', id, '--graph', 'bigfx', ...nats(), ...COMMON], { cwd: tmp });
    const expected = await reference(id);
    const code = await run.exited;
    await sub.unsubscribe();
    expect(killed).toBe(true);
    expect(procs.all.get('scorer-1')!.alive()).toBe(false);
    expect(code, run.output()).toBe(0);
    expect(readFileSync(join(tmp, `${id}.jsonl`), 'utf8')).toBe(expected);
    expect((await nodeRequests()).size).toBe(1);
  }, 240_000);

  it('the run killed with SIGKILL mid-run and resumed: the work done meanwhile is taken from the queues, the bytes stay the same', async () => {
    const id = 'dist3';
    const out = join(tmp, `${id}.jsonl`);
    const before = await coderDeliveries();
    const args = ['run', empty, '-o', out, '--run-id', id, '--graph', 'bigfx', ...nats(), ...COMMON];
    let killedAt: number | undefined;
    const sub = bus.subscribe<{ job: string }>(`retrace.${id}.event.search`, (m) => {
      if (m.body.job === LONG_JOB && killedAt === undefined) {
        killedAt = Date.now();
        procs.kill(`${id}-a`);
      }
    });
    const first = procs.start(`${id}-a`, args, { cwd: tmp });
    const expected = await reference(id);
    expect(await first.exited).toBeNull();
    expect(killedAt).toBeDefined();
    await sub.unsubscribe();
    // The agents go on with the work in hand and put its results on the run's durable queue.
    const checkpointed = readFileSync(`${out}.checkpoint`, 'utf8').split('\n').filter(Boolean).length - 1;
    const resumed = procs.start(`${id}-b`, [...args, '--resume'], { cwd: tmp });
    const code = await resumed.exited;
    expect(code, resumed.output()).toBe(0);
    const summary = JSON.parse(resumed.output().trim().split('\n').at(-1)!) as { resumedResults: number; failures: unknown[] };
    expect(summary.failures).toEqual([]);
    expect(summary.resumedResults).toBe(checkpointed);
    expect(summary.resumedResults).toBeGreaterThan(0);
    expect(readFileSync(out, 'utf8')).toBe(expected);
    // Nothing twice: the resumed run's enqueue of the job in hand was deduplicated, and every
    // coder job of the run was delivered once.
    const after = await coderDeliveries();
    expect(after.deliveries - before.deliveries).toBe(after.jobs - before.jobs);
    // One coder job per file (package.json, src/core.js, src/index.js), the one in hand not queued again.
    expect(after.jobs - before.jobs).toBe(3);
  }, 240_000);

  it('lists the runs it has seen with retrace runs: finished, every file written', async () => {
    const listed = procs.start('runs', ['runs', ...nats(), '--json']);
    expect(await listed.exited, listed.output()).toBe(0);
    const runs = JSON.parse(listed.output().trim().split('\n').at(-1)!) as Array<{ run: string; status: string; done: number; files: number; repo: string; attempt?: string }>;
    const dist1 = runs.find((r) => r.run === 'dist1');
    expect(dist1).toMatchObject({ status: 'finished', done: 3, files: 3, repo: 'bigfx' });
    expect(dist1!.attempt).toMatch(/^[0-9a-f]{12}$/);
    // The run killed and resumed (dist3) is finished too, under its first start's attempt.
    expect(runs.find((r) => r.run === 'dist3')).toMatchObject({ status: 'finished', done: 3 });
    const table = procs.start('runs-text', ['runs', ...nats()]);
    expect(await table.exited).toBe(0);
    expect(table.output()).toMatch(/^dist1\s+finished\s+3\/3 files\s+bigfx\s+started \d+[smh] ago/m);
  }, 60_000);
});
