/**
 * OpenTelemetry export over OTLP/HTTP to a receiver on loopback: with OTEL_EXPORTER_OTLP_ENDPOINT
 * set, every message of a run becomes one span whose ids are the message's traceparent, whose
 * parent is the span the message was sent from, across the processes of a run over NATS.
 */
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBus, parseTraceparent } from '../../src/bus/mod.ts';
import { otlpEndpointFromEnv, readTrace, startOtlpExport, startRecorder } from '../../src/trace/mod.ts';
import { natsServerAvailable, startNatsServer, type NatsServerHandle } from '../support/nats-server.ts';
import { waitFor } from '../support/wait.ts';
import { startOtlpReceiver, type OtlpReceiver } from './support/otlp-receiver.ts';
import { runObserved } from './support/recorded-run.ts';
import { tempDir } from '../support/tmp.ts';

let receiver: OtlpReceiver;
const saved = process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
beforeAll(async () => {
  receiver = await startOtlpReceiver();
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.url;
});
afterEach(() => {
  receiver.spans.length = 0;
});
afterAll(async () => {
  if (saved === undefined) delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  else process.env.OTEL_EXPORTER_OTLP_ENDPOINT = saved;
  await receiver?.close();
});

describe('OTLP export', () => {
  it('is asked for by OTEL_EXPORTER_OTLP_ENDPOINT', () => {
    expect(otlpEndpointFromEnv({})).toBeUndefined();
    expect(otlpEndpointFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: ' ' })).toBeUndefined();
    expect(otlpEndpointFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' })).toBe('http://c:4318');
    expect(() => startOtlpExport(new MemoryBus(), 'x', { endpoint: '' })).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT/);
  });

  it('sends one span per message with the message ids; unsampled messages are not exported', async () => {
    const bus = new MemoryBus();
    const exp = startOtlpExport(bus, 'o1');
    const sampled = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const unsampled = '00-1af7651916cd43dd8448eb211c80319c-c7ad6b7169203331-00';
    const seen: string[] = [];
    bus.subscribe('retrace.o1.>', (m) => void seen.push(m.traceparent));
    await bus.publish('retrace.o1.trace', { type: 'agent.step', body: { job: 'coder:a' }, traceparent: sampled, sender: 'coder/x', policy: 'grounded@2' });
    await bus.publish('retrace.o1.trace', { type: 'agent.step', body: { job: 'coder:b' }, traceparent: unsampled, sender: 'coder/x' });
    await bus.publish('retrace.o2.trace', { type: 'agent.step', body: { job: 'other-run' } });
    await waitFor(() => exp.count === 2 && seen.length === 2, 'both messages');
    await exp.stop();
    await bus.close();
    expect(receiver.contentTypes.every((c) => c.startsWith('application/json'))).toBe(true);
    expect(receiver.spans).toHaveLength(1);
    const span = receiver.spans[0]!;
    const own = parseTraceparent(seen[0])!;
    expect(span).toMatchObject({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: own.spanId, parentSpanId: 'b7ad6b7169203331', name: 'agent.step trace' });
    expect(span.attributes).toMatchObject({ 'retrace.sender': 'coder/x', 'retrace.policy': 'grounded@2', 'retrace.job': 'coder:a', 'messaging.destination.name': 'retrace.o1.trace' });
    expect(span.resource).toMatchObject({ 'service.name': 'retrace', 'retrace.run': 'o1' });
  });

  describe.skipIf(!natsServerAvailable())('over NATS', () => {
    let server: NatsServerHandle;
    beforeAll(async () => {
      server = await startNatsServer();
    });
    afterAll(async () => {
      await server?.stop();
    });

    it('links every message of a run to the span it was sent from, across connections', async () => {
      const file = join(tempDir('retrace-otlp-'), 'o3.jsonl');
      const run = await runObserved(server.url, 'o3', async (bus) => [await startRecorder(bus, 'o3', file), startOtlpExport(bus, 'o3')]);
      const { records } = await readTrace(file);
      expect(records).toHaveLength(run.messages);
      const spans = receiver.spans;
      expect(spans).toHaveLength(run.messages);
      const bySpan = new Map(spans.map((s) => [s.spanId, s]));
      expect(bySpan.size).toBe(run.messages);
      for (const r of records) {
        const own = parseTraceparent(r.traceparent)!;
        const span = bySpan.get(own.spanId)!;
        expect(span, `a span for message ${r.seq}`).toBeDefined();
        expect(span.traceId).toBe(own.traceId);
        expect(span.parentSpanId || undefined).toBe(r.parentSpan);
        expect(span.attributes['retrace.type']).toBe(r.type);
      }
      // Every span but the work messages' has its parent among the exported spans: one tree per job.
      for (const s of spans) {
        if (s.attributes['retrace.type'] === 'agent.work') {
          expect(s.parentSpanId || undefined).toBeUndefined();
          continue;
        }
        const parent = bySpan.get(s.parentSpanId!)!;
        expect(parent.attributes['retrace.type']).toBe('agent.work');
        expect(parent.traceId).toBe(s.traceId);
        expect(parent.attributes['retrace.job']).toBe(s.attributes['retrace.job']);
        // The work's span lasts until its result arrived, so it holds its children.
        expect(BigInt(parent.endTimeUnixNano)).toBeGreaterThanOrEqual(BigInt(s.startTimeUnixNano));
      }
      expect(new Set(spans.map((s) => s.traceId)).size).toBe(run.jobs.length);
    }, 60_000);
  });
});
