/**
 * The trace of a resumed run is the whole run: the recorder of the second start appends to the
 * first start's file (a header line marks where the second begins, sequence numbers go on), and
 * a result sent while no recorder listened — the work in flight when the driver went away — is
 * recorded when the run takes it from its durable results queue.
 */
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBus, NatsBus, type Incoming } from '../../src/bus/mod.ts';
import { sentStamp } from '../../src/bus/tracing.ts';
import { openResultQueue } from '../../src/agents/host.ts';
import type { WorkResult } from '../../src/agents/protocol.ts';
import { Workspaces } from '../../src/agents/workspace.ts';
import { conduct } from '../../src/run/conductor.ts';
import { startTeam } from '../../src/run/embedded.ts';
import { buildModel, readTrace, renderMermaid, renderText, startRecorder } from '../../src/trace/mod.ts';
import { natsServerAvailable, startNatsServer, type NatsServerHandle } from '../support/nats-server.ts';
import { tempDir } from '../support/tmp.ts';
import { sleep, waitFor } from '../support/wait.ts';
import { fixtureRoot } from './support/recorded-run.ts';

const dir = tempDir('retrace-trace-resume-');

describe('appending a start to a trace', () => {
  it('keeps the first start, drops the line a kill cut short, marks the new start and goes on numbering', async () => {
    const file = join(dir, 'append.jsonl');
    const bus1 = new MemoryBus();
    const first = await startRecorder(bus1, 'r1', file);
    for (let i = 0; i < 3; i++) await bus1.publish('retrace.r1.trace', { type: 'agent.step', body: { job: 'coder:a', index: i } });
    await waitFor(() => first.count === 3, 'three steps');
    await first.stop();
    await bus1.close();
    appendFileSync(file, '{"seq":3,"time":1,"subj'); // the first start's recorder was killed mid-line

    const bus2 = new MemoryBus();
    const second = await startRecorder(bus2, 'r1', file, { append: true });
    await bus2.publish('retrace.r1.trace', { type: 'agent.step', body: { job: 'coder:b', index: 0 } });
    await waitFor(() => second.count === 1, 'one step');
    await second.stop();
    await bus2.close();

    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(6);
    expect(JSON.parse(lines[4]!)).toMatchObject({ trace: 1, run: 'r1', start: 2 });
    const t = await readTrace(file);
    expect(t.records.map((r) => r.seq)).toEqual([0, 1, 2, 3]);
    expect(t.starts.map((s) => [s.start, s.index])).toEqual([
      [1, 0],
      [2, 3],
    ]);
    const model = buildModel(t.header, t.records, t.starts);
    expect(model.messages.map((m) => m.start)).toEqual([1, 1, 1, 2]);
    expect(model.starts.map((s) => s.messages)).toEqual([3, 1]);
    const text = renderText(model);
    expect(text).toContain('2 starts (resumed)');
    const at = text.split('\n').findIndex((l) => l.startsWith('--- start 2 (resumed)'));
    expect(text.split('\n')[at + 1]).toContain('coder:b');
    const mmd = renderMermaid(model).split('\n');
    const note = mmd.findIndex((l) => /^ {2}Note over \w+,\w+: start 2 \(resumed\)$/.test(l));
    expect(note).toBeGreaterThan(0);
    expect(mmd[note + 1]).toContain('coder:b');
  });

  it('reads a start cut short by a kill and then followed by the next start', async () => {
    const file = join(dir, 'torn.jsonl');
    const head = (start?: number) => JSON.stringify({ trace: 1, run: 'r3', started: new Date(0).toISOString(), maxString: 0, ...(start ? { start } : {}) });
    const step = (seq: number) => JSON.stringify({ seq, time: 1 + seq, subject: 'retrace.r3.trace', type: 'agent.step', traceparent: '', size: 2, body: { job: 'j', index: seq } });
    writeFileSync(file, `${head()}\n${step(0)}\n{"seq":1,"ti\n${head(2)}\n${step(1)}\n`);
    const t = await readTrace(file);
    expect(t.records.map((r) => r.seq)).toEqual([0, 1]);
    expect(t.starts.map((s) => s.index)).toEqual([0, 1]);
    writeFileSync(file, `${head()}\n${step(0)}\n{"seq":1,"ti\n${step(1)}\n`);
    await expect(readTrace(file)).rejects.toThrow(/torn\.jsonl:3: not JSON/);
  });

  it('writes anew a file that is not a trace of the same run', async () => {
    const file = join(dir, 'other.jsonl');
    const bus = new MemoryBus();
    const a = await startRecorder(bus, 'other-run', file);
    await a.stop();
    const b = await startRecorder(bus, 'r2', file, { append: true });
    await b.stop();
    await bus.close();
    const t = await readTrace(file);
    expect(t.header.run).toBe('r2');
    expect(t.starts).toHaveLength(1);
  });
});

describe('results the run took from its queue', () => {
  it('are recorded when sent before the recorder listened and never heard; never twice', async () => {
    const bus = new MemoryBus();
    const file = join(dir, 'witness.jsonl');
    const now = performance.timeOrigin + performance.now();
    const result = (job: string, sent: number): Incoming => ({
      subject: 'retrace.w1.result.coder', type: 'agent.result', version: 1, body: { job, steps: [] }, traceparent: '', sender: 'coder/a',
      headers: { 'retrace-type': 'agent.result', 'retrace-sent': sentStamp(sent), 'Nats-Msg-Id': `result::${job}` },
    });
    const rec = await startRecorder(bus, 'w1', file);
    // Heard on the bus, then taken from the queue: once.
    const queue = await bus.workQueue('results-w1', { subjects: ['retrace.w1.result.>'], ackWaitMs: 60_000, maxDeliver: 1 });
    await queue.enqueue('retrace.w1.result.coder', { type: 'agent.result', body: { job: 'coder:heard', steps: [] }, sender: 'coder/a' }, { msgId: 'result::coder:heard' });
    await waitFor(() => rec.count === 1, 'the result heard');
    const heard = (await readTrace(file)).records[0]!;
    rec.witness(result('coder:heard', heard.time));
    // Sent a minute before the recorder listened (between the starts), never heard: recorded.
    rec.witness(result('coder:between', now - 60_000));
    rec.witness(result('coder:between', now - 60_000));
    // Sent well after it listened: the bus brings it, the queue's copy is not recorded.
    rec.witness(result('coder:later', now + 60_000));
    await rec.stop();
    await bus.close();
    const { records } = await readTrace(file);
    expect(records.map((r) => [r.job, r.via ?? 'bus'])).toEqual([
      ['coder:heard', 'bus'],
      ['coder:between', 'queue'],
    ]);
    expect(records[1]!.time).toBe(Number(sentStamp(now - 60_000)));
  });
});

describe.skipIf(!natsServerAvailable())('a run whose driver went away and was resumed, on NATS', () => {
  let server: NatsServerHandle;
  beforeAll(async () => {
    server = await startNatsServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('has both starts in its trace, with the result sent between them, and every result once', async () => {
    const run = 'resumed1';
    const file = join(dir, `${run}.jsonl`);
    const repo = { name: 'mini', root: fixtureRoot };
    const common = { workspaces: new Workspaces(), run, repo, seed: 5, budget: 4, faultRate: 1, attempt: 'a1' };
    const agentsBus = await NatsBus.connect({ servers: server.url });
    const watchBus = await NatsBus.connect({ servers: server.url });
    // No coder yet: the first coding job waits in its queue while the driver goes away.
    const team = await startTeam({ bus: agentsBus, workspaces: common.workspaces, roles: ['planner', 'architect', 'tester', 'debugger'] });
    let coderJob: string | undefined;
    const coderWork = watchBus.subscribe<{ job: string }>(`retrace.${run}.work.coder`, (m) => void (coderJob ??= m.body.job));
    await watchBus.flush();
    const saved: WorkResult[] = [];
    let coder: Awaited<ReturnType<typeof startTeam>> | undefined;
    try {
      // Start 1: the driver takes results until the coder's work is handed out, then goes away.
      const driver1 = await NatsBus.connect({ servers: server.url });
      const rec1 = await startRecorder(driver1, run, file);
      const first = conduct({ ...common, bus: driver1, jobTimeoutMs: 30_000, onResult: (r) => void saved.push(r) }).catch(() => undefined);
      await waitFor(() => coderJob !== undefined, 'the first coding job to be handed out', 60_000);
      await driver1.flush();
      await rec1.stop();
      await driver1.close();
      void first;

      // Between the starts: a coder does the job; its result waits in the run's results queue.
      coder = await startTeam({ bus: agentsBus, workspaces: common.workspaces, roles: ['coder'] });
      const results = await openResultQueue(watchBus, run);
      await waitFor(async () => (await results.info()).messages >= 1, 'the result to be queued', 60_000);

      // Start 2: resumed with the results saved by the first start.
      const driver2 = await NatsBus.connect({ servers: server.url });
      const rec2 = await startRecorder(driver2, run, file, { append: true });
      let next = 0;
      const jobs: string[] = [];
      const record = await conduct({
        ...common,
        bus: driver2,
        replayed: (job) => (saved[next]?.job === job ? saved[next++] : undefined),
        onResult: (r) => void jobs.push(r.job),
        onResultMessage: (m) => rec2.witness(m),
      });
      await agentsBus.flush();
      expect(record.files.length).toBeGreaterThan(0);
      // Steps and searches are published without waiting: until the recorder hears no more.
      for (let last = -1; rec2.count !== last; ) {
        last = rec2.count;
        await sleep(300);
      }
      await rec2.stop();
      await driver2.close();

      const t = await readTrace(file);
      expect(t.starts.map((s) => s.start)).toEqual([1, 2]);
      const seqs = t.records.map((r) => r.seq);
      expect(seqs).toEqual(seqs.map((_, i) => i));
      const model = buildModel(t.header, t.records, t.starts);
      const resultJobs = model.messages.filter((m) => m.kind === 'result').map((m) => m.job);
      // Every piece of work of the whole run has its result in the trace, once.
      expect([...resultJobs].sort()).toEqual([...jobs].sort());
      expect(saved.length).toBeGreaterThan(0);
      const inFlight = model.messages.find((m) => m.kind === 'result' && m.job === coderJob)!;
      expect(inFlight).toMatchObject({ start: 2, via: 'queue', from: 'coder/local' });
      // Stamped when it was sent: before the second start began.
      expect(inFlight.at).toBeLessThan(model.starts[1]!.at);
      // The first start's results are those the driver had taken.
      expect(model.messages.filter((m) => m.kind === 'result' && m.start === 1).map((m) => m.job)).toEqual(saved.map((r) => r.job));
    } finally {
      await coderWork.unsubscribe();
      await team.stop();
      await coder?.stop();
      await Promise.all([agentsBus.close(), watchBus.close()]);
    }
  }, 120_000);
});
