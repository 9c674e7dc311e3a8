/**
 * No message twice in the views: work done again after a redelivery sends its steps and result
 * again (new spans; the result with the same producer id, which the queue deduplicates), and a
 * publish sent again after a lost ack is the same envelope twice. The trace file keeps every copy
 * it heard; the model shows each message once and counts the copies it dropped.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NatsBus } from '../../src/bus/mod.ts';
import { openResultQueue } from '../../src/agents/host.ts';
import { buildModel, readTrace, startRecorder, type TraceRecord } from '../../src/trace/mod.ts';
import { natsServerAvailable, startNatsServer, type NatsServerHandle } from '../support/nats-server.ts';
import { tempDir } from '../support/tmp.ts';
import { waitFor } from '../support/wait.ts';

const dir = tempDir('retrace-trace-copies-');

const header = { trace: 1 as const, run: 'c1', started: new Date(1_000).toISOString(), maxString: 0 };
function rec(seq: number, subject: string, body: unknown, extra: Partial<TraceRecord> = {}): TraceRecord {
  return { seq, time: 1_000 + seq, subject: `retrace.c1.${subject}`, type: 't', traceparent: `00-${'a'.repeat(32)}-${(seq + 1).toString(16).padStart(16, '0')}-01`, size: 1, body, ...extra };
}

describe('copies in a recorded trace', () => {
  it('drops the same envelope heard twice, in any start', () => {
    const work = rec(0, 'work.coder', { job: 'coder:a' }, { msgId: 'c1:x:coder:a' });
    const again = { ...work, seq: 2, time: 1_002 };
    const later = { ...work, seq: 3, time: 1_003 };
    const starts = [
      { start: 1, started: header.started, index: 0 },
      { start: 2, started: header.started, index: 3 },
    ];
    const model = buildModel(header, [work, rec(1, 'trace', { job: 'coder:a', index: 0 }), again, later], starts);
    expect(model.messages.map((m) => m.seq)).toEqual([0, 1]);
    expect(model.duplicates).toBe(2);
  });

  it('drops work done again within a start, and keeps what a resumed start sends again', () => {
    const records = [
      rec(0, 'work.coder', { job: 'coder:a' }, { msgId: 'c1:x:coder:a' }),
      rec(1, 'trace', { job: 'coder:a', index: 0 }),
      rec(2, 'event.search', { job: 'coder:a', path: 'a.ts', chunk: 0, target: 'x' }),
      rec(3, 'trace', { job: 'coder:a', index: 0 }),
      rec(4, 'event.search', { job: 'coder:a', path: 'a.ts', chunk: 0, target: 'x' }),
      rec(5, 'event.search', { job: 'coder:a', path: 'a.ts', chunk: 1, target: 'x' }),
      rec(6, 'work.coder', { job: 'coder:a' }, { msgId: 'c1:x:coder:a' }),
    ];
    const starts = [
      { start: 1, started: header.started, index: 0 },
      { start: 2, started: header.started, index: 6 },
    ];
    const model = buildModel(header, records, starts);
    expect(model.messages.map((m) => m.seq)).toEqual([0, 1, 2, 5, 6]);
    expect(model.duplicates).toBe(2);
  });
});

describe.skipIf(!natsServerAvailable())('work redelivered on NATS', () => {
  let server: NatsServerHandle;
  beforeAll(async () => {
    server = await startNatsServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('is shown once though its steps and result crossed the bus twice', async () => {
    const run = 'cp1';
    const file = join(dir, `${run}.jsonl`);
    const agent = await NatsBus.connect({ servers: server.url });
    const driver = await NatsBus.connect({ servers: server.url });
    const observer = await NatsBus.connect({ servers: server.url });
    const recorder = await startRecorder(observer, run, file);
    await observer.flush();
    const work = await driver.workQueue('copies-work', { subjects: [`retrace.${run}.work.coder`], ackWaitMs: 5_000, maxDeliver: 3 });
    const results = await openResultQueue(agent, run);
    let deliveries = 0;
    const consumer = (await agent.workQueue('copies-work', { subjects: [`retrace.${run}.work.coder`], ackWaitMs: 5_000, maxDeliver: 3 })).consume<{ job: string }>(async (job) => {
      deliveries++;
      const sent = { run, sender: 'coder/a', traceparent: job.traceparent };
      for (const index of [0, 1]) await agent.publish(`retrace.${run}.trace`, { ...sent, type: 'agent.step', body: { job: job.body.job, index } });
      await results.enqueue(`retrace.${run}.result.coder`, { ...sent, type: 'agent.result', body: { job: job.body.job, steps: [] } }, { msgId: `result::${job.body.job}` });
      // The first delivery's ack is lost (the agent's node went away): the work comes again.
      if (job.deliveryCount === 1) throw new Error('ack lost');
    });
    try {
      await work.enqueue(`retrace.${run}.work.coder`, { type: 'agent.work', run, sender: 'conductor', body: { job: 'coder:a' } }, { msgId: `${run}:x:coder:a` });
      await waitFor(() => deliveries === 2 && recorder.count === 7, 'two deliveries, every copy heard', 20_000);
    } finally {
      await consumer.stop();
      await recorder.stop();
      await Promise.all([agent.close(), driver.close(), observer.close()]);
    }
    const t = await readTrace(file);
    expect(t.records.map((r) => r.type).sort()).toEqual(['agent.result', 'agent.result', 'agent.step', 'agent.step', 'agent.step', 'agent.step', 'agent.work']);
    const model = buildModel(t.header, t.records, t.starts);
    expect(model.messages.map((m) => m.type).sort()).toEqual(['agent.result', 'agent.step', 'agent.step', 'agent.work']);
    expect(model.duplicates).toBe(3);
    // The copies kept are the first heard.
    expect(model.messages.map((m) => m.seq)).toEqual(model.messages.map((m) => m.seq).sort((a, b) => a - b));
    expect(model.messages.filter((m) => m.kind === 'step').map((m) => (m.body as { index: number }).index)).toEqual([0, 1]);
  }, 60_000);
});
