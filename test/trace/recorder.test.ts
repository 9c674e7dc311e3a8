/**
 * The recorder writes every message of a run, one JSON line each, in arrival order, with its
 * tracing headers, job and size; long strings are cut; the reader gives the records back.
 */
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBus, parseTraceparent } from '../../src/bus/mod.ts';
import { Workspaces } from '../../src/agents/workspace.ts';
import { conduct } from '../../src/run/conductor.ts';
import { startTeam } from '../../src/run/embedded.ts';
import { readTrace, startRecorder, TraceFormatError } from '../../src/trace/mod.ts';
import { natsServerAvailable, startNatsServer, type NatsServerHandle } from '../support/nats-server.ts';
import { waitFor } from '../support/wait.ts';
import { fixtureRoot, runObserved } from './support/recorded-run.ts';
import { tempDir } from '../support/tmp.ts';

const dir = tempDir('retrace-trace-');

describe('recorder on MemoryBus', () => {
  it('writes each message of the run once, in order, with headers, job, size; other runs are ignored', async () => {
    const bus = new MemoryBus();
    const file = join(dir, 'unit.jsonl');
    const rec = await startRecorder(bus, 'u1', file, { maxString: 50 });
    const long = 'x'.repeat(500);
    const sub = bus.subscribe('retrace.u1.work.coder', async (m) => {
      await bus.publish('retrace.u1.trace', { type: 'agent.step', body: { job: 'coder:a', index: 0, step: { text: long, nested: [long, 'short'] } }, sender: 'coder/x', policy: 'grounded@3', traceparent: m.traceparent });
    });
    await bus.publish('retrace.u1.work.coder', { type: 'agent.work', body: { job: 'coder:a', n: 1 }, sender: 'conductor', run: 'u1' });
    await bus.publish('retrace.other.work.coder', { type: 'agent.work', body: { job: 'elsewhere' } });
    await bus.publish('retrace.u1.event.search', { type: 'agent.search', body: { job: 'coder:a', code: '</script><b>"&\'' } });
    await waitFor(() => rec.count === 3, 'three messages recorded');
    await sub.unsubscribe();
    await rec.stop();
    await bus.close();

    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    const { header, records } = await readTrace(file);
    expect(header).toMatchObject({ trace: 1, run: 'u1', maxString: 50 });
    expect(records.map((r) => r.seq)).toEqual([0, 1, 2]);
    expect(records.map((r) => r.type).sort()).toEqual(['agent.search', 'agent.step', 'agent.work']);
    expect(records.every((r) => r.subject.startsWith('retrace.u1.') && r.job === 'coder:a')).toBe(true);
    for (let i = 1; i < records.length; i++) expect(records[i]!.time).toBeGreaterThanOrEqual(records[i - 1]!.time);

    const work = records.find((r) => r.type === 'agent.work')!;
    expect(work).toMatchObject({ sender: 'conductor', subject: 'retrace.u1.work.coder', body: { job: 'coder:a', n: 1 } });
    expect(work.parentSpan).toBeUndefined();
    expect(work.size).toBe(Buffer.byteLength(JSON.stringify({ job: 'coder:a', n: 1 })));
    // The step sent while handling the work: same trace, its parent is the work's span.
    const step = records.find((r) => r.type === 'agent.step')!;
    expect(step).toMatchObject({ sender: 'coder/x', policy: 'grounded@3' });
    const w = parseTraceparent(work.traceparent)!;
    expect(parseTraceparent(step.traceparent)!.traceId).toBe(w.traceId);
    expect(step.parentSpan).toBe(w.spanId);
    // Code is kept as it was sent.
    expect(records.find((r) => r.type === 'agent.search')!.body).toEqual({ job: 'coder:a', code: '</script><b>"&\'' });
    // Long strings are cut and counted; the size is of the whole body.
    const body = step.body as { step: { text: string; nested: string[] } };
    expect(body.step.text.startsWith('x'.repeat(50))).toBe(true);
    expect(body.step.text).toContain('450 more characters cut');
    expect(body.step.nested[1]).toBe('short');
    expect(step.cut).toBe(2);
    expect(step.size).toBeGreaterThan(1000);
  });

  it('records every step and search of a fixture run on MemoryBus', async () => {
    const bus = new MemoryBus();
    const file = join(dir, 'memory-run.jsonl');
    const rec = await startRecorder(bus, 'm1', file);
    let searches = 0;
    bus.subscribe('retrace.m1.event.search', () => void searches++);
    const workspaces = new Workspaces();
    const team = await startTeam({ bus, workspaces });
    const record = await conduct({ bus, workspaces, run: 'm1', repo: { name: 'mini', root: fixtureRoot }, seed: 2, budget: 4, faultRate: 1 });
    await team.stop();
    // Work and results reach plain subscribers too (as a JetStream publish does on NATS); this
    // test holds the recorder to the steps and the searches.
    await waitFor(() => rec.count >= record.steps.length + searches, 'every step and search');
    await rec.stop();
    await bus.close();
    const { records } = await readTrace(file);
    const steps = records.filter((r) => r.type === 'agent.step');
    expect(steps).toHaveLength(record.steps.length);
    expect(records.filter((r) => r.type === 'agent.search')).toHaveLength(searches);
    expect(searches).toBeGreaterThan(0);
    // Per job, steps arrive in order and match the trajectory's steps.
    const byJob = new Map<string, number[]>();
    for (const r of steps) {
      const b = r.body as { job: string; index: number };
      byJob.set(b.job, [...(byJob.get(b.job) ?? []), b.index]);
    }
    for (const idx of byJob.values()) expect(idx).toEqual(idx.map((_, i) => i));
    expect(steps.map((r) => (r.body as { step: { role: string } }).step.role).sort()).toEqual(record.steps.map((s) => s.role).sort());
  }, 60_000);

  it('reads a file whose last line was cut by a crash, and rejects what is not a trace', async () => {
    const bus = new MemoryBus();
    const file = join(dir, 'crash.jsonl');
    const rec = await startRecorder(bus, 'c1', file);
    await bus.publish('retrace.c1.trace', { type: 'agent.step', body: { job: 'j', index: 0 } });
    await waitFor(() => rec.count === 1, 'one message');
    await rec.stop();
    await bus.close();
    appendFileSync(file, '{"seq":1,"time":12,"subj');
    expect((await readTrace(file)).records).toHaveLength(1);
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, '{"hello":1}\n');
    await expect(readTrace(bad)).rejects.toBeInstanceOf(TraceFormatError);
    const middle = join(dir, 'middle.jsonl');
    writeFileSync(middle, `${readFileSync(file, 'utf8').split('\n')[0]}\nnot json\n{"seq":0}\n`);
    await expect(readTrace(middle)).rejects.toThrow(/middle\.jsonl:2: not JSON/);
  });
});

describe.skipIf(!natsServerAvailable())('recorder on NATS', () => {
  let server: NatsServerHandle;
  beforeAll(async () => {
    server = await startNatsServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('records every work, result, step and search of a run, with the links between them', async () => {
    const file = join(dir, 'nats-run.jsonl');
    const run = await runObserved(server.url, 'n1', async (bus) => [await startRecorder(bus, 'n1', file)]);
    const { header, records } = await readTrace(file);
    expect(header.run).toBe('n1');
    expect(records).toHaveLength(run.messages);
    const of = (type: string) => records.filter((r) => r.type === type);
    expect(of('agent.work').map((r) => r.job).sort()).toEqual([...run.jobs].sort());
    expect(of('agent.result').map((r) => r.job).sort()).toEqual([...run.jobs].sort());
    expect(of('agent.step')).toHaveLength(run.record.steps.length);
    expect(of('agent.search')).toHaveLength(run.searches);
    expect(run.searches).toBeGreaterThan(0);
    expect(new Set(of('agent.result').map((r) => r.sender?.split('/')[0]))).toEqual(new Set(['planner', 'architect', 'coder', 'tester', 'debugger']));
    // Each result, step and search was sent while handling its job's work: same trace, and
    // its parent span is the work message's span.
    const work = new Map(of('agent.work').map((r) => [r.job!, parseTraceparent(r.traceparent)!]));
    for (const r of records.filter((x) => x.type !== 'agent.work')) {
      const w = work.get(r.job!)!;
      expect(parseTraceparent(r.traceparent)!.traceId).toBe(w.traceId);
      expect(r.parentSpan).toBe(w.spanId);
    }
    // Every step carries the policy that produced it.
    for (const r of of('agent.step')) expect(r.policy).toMatch(/^grounded@\d+$/);
  }, 60_000);
});
