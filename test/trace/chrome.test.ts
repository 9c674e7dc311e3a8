/**
 * The Chrome trace export (`retrace trace <file> --format chrome`): the Trace Event Format that
 * chrome://tracing and ui.perfetto.dev open — `{ traceEvents }`, each event with `name`, `ph`,
 * `ts`, `pid`, `tid` — with a thread per agent, a span per piece of work on the thread of the
 * agent that did it, and an instant per message.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildModel, readTrace, renderChromeTrace, startRecorder, type TraceModel } from '../../src/trace/mod.ts';
import { natsServerAvailable, startNatsServer, type NatsServerHandle } from '../support/nats-server.ts';
import { tempDir } from '../support/tmp.ts';
import { runObserved, type ObservedRun } from './support/recorded-run.ts';

interface Event {
  name: string;
  ph: string;
  ts: number;
  pid: number;
  tid: number;
  cat?: string;
  dur?: number;
  id?: number;
  s?: string;
  args?: Record<string, unknown>;
}

/** The shape every event of the format has; what each phase adds. */
function checkShape(doc: unknown): Event[] {
  expect(doc).toMatchObject({ traceEvents: expect.any(Array), displayTimeUnit: 'ms' });
  const events = (doc as { traceEvents: Event[] }).traceEvents;
  for (const e of events) {
    expect(typeof e.name).toBe('string');
    expect(['M', 'X', 'i', 's', 'f']).toContain(e.ph);
    expect(Number.isInteger(e.ts) && e.ts >= 0).toBe(true);
    expect(Number.isInteger(e.pid)).toBe(true);
    expect(Number.isInteger(e.tid)).toBe(true);
    if (e.ph === 'X') expect(Number.isInteger(e.dur) && e.dur! > 0).toBe(true);
    if (e.ph === 'i') expect(['g', 'p', 't']).toContain(e.s);
    if (e.ph === 's' || e.ph === 'f') expect(Number.isInteger(e.id)).toBe(true);
    if (e.ph === 'M') expect(e.args).toHaveProperty(e.name === 'thread_sort_index' ? 'sort_index' : 'name');
  }
  return events;
}

describe.skipIf(!natsServerAvailable())('chrome trace export', () => {
  let server: NatsServerHandle;
  let model: TraceModel;
  let run: ObservedRun;
  beforeAll(async () => {
    server = await startNatsServer();
    const file = join(tempDir('retrace-chrome-'), 'ch1.jsonl');
    run = await runObserved(server.url, 'ch1', async (bus) => [await startRecorder(bus, 'ch1', file)]);
    const t = await readTrace(file);
    model = buildModel(t.header, t.records, t.starts);
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('is the Trace Event Format: a thread per agent, a span per piece of work, an instant per message', () => {
    const events = checkShape(JSON.parse(renderChromeTrace(model)));
    const threads = new Map(events.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => [e.args!.name as string, e.tid]));
    expect([...threads.keys()]).toEqual(model.agents.map((a) => a.name));
    expect(new Set(threads.values()).size).toBe(threads.size);

    const instants = events.filter((e) => e.ph === 'i' && e.s === 't');
    expect(instants).toHaveLength(run.messages);
    for (const [i, m] of model.messages.entries()) {
      expect(instants[i]).toMatchObject({ tid: threads.get(m.from), cat: m.kind, ts: Math.round(m.at * 1000) });
    }

    // One span per job, on the doer's thread, from the work's send to its result's.
    const spans = events.filter((e) => e.ph === 'X');
    expect(spans.map((e) => e.name).sort()).toEqual([...run.jobs].sort());
    for (const s of spans) {
      const result = model.messages.find((m) => m.kind === 'result' && m.job === s.name)!;
      const work = model.messages.find((m) => m.kind === 'work' && m.job === s.name)!;
      expect(s.tid).toBe(threads.get(result.from));
      expect(s.ts).toBe(Math.round(work.at * 1000));
      expect(s.ts + s.dur!).toBeGreaterThanOrEqual(Math.round(result.at * 1000));
    }
    // Each span's flow arrow starts on the conductor's thread.
    const starts = events.filter((e) => e.ph === 's');
    const ends = events.filter((e) => e.ph === 'f');
    expect(starts).toHaveLength(spans.length);
    expect(ends.map((e) => e.id)).toEqual(starts.map((e) => e.id));
    for (const s of starts) expect(s.tid).toBe(threads.get('conductor'));
    // The run's one start, as a global instant.
    expect(events.filter((e) => e.ph === 'i' && e.s === 'g').map((e) => e.name)).toEqual(['start']);
  });
});
