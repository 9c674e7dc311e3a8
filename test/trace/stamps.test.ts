/**
 * Each record carries the time its message was sent (the envelope's `retrace-sent`), not the
 * time the recorder got round to it: a recorder waiting on its file while the process is busy
 * (an in-process run) still places every message where it happened.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryBus, SENT_HEADER } from '../../src/bus/mod.ts';
import { decode, encode } from '../../src/bus/envelope.ts';
import { readTrace, startRecorder } from '../../src/trace/mod.ts';
import { tempDir } from '../support/tmp.ts';
import { waitFor } from '../support/wait.ts';

const dir = tempDir('retrace-trace-stamps-');

/** Keeps the thread busy, as an in-process run's CPU work does, without turning the event loop. */
function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // spin
  }
}

describe('send stamps', () => {
  it('every envelope says when it was sent, and the stamp survives the wire', () => {
    const before = performance.timeOrigin + performance.now();
    const wire = encode({ type: 't', body: 1 });
    const after = performance.timeOrigin + performance.now();
    const sent = Number(wire.headers[SENT_HEADER]);
    expect(sent).toBeGreaterThanOrEqual(before - 0.001);
    expect(sent).toBeLessThanOrEqual(after + 0.001);
    expect(decode('s', wire.data, wire.headers).headers[SENT_HEADER]).toBe(wire.headers[SENT_HEADER]);
  });

  it('records are stamped when sent while the recorder lags behind a busy thread', async () => {
    const bus = new MemoryBus();
    const file = join(dir, 'busy.jsonl');
    const rec = await startRecorder(bus, 'b1', file, { maxString: 0 });
    // A body larger than the recorder's buffer (4 MiB): it waits for the file to drain,
    // which needs the event loop, which the busy thread below does not give it.
    await bus.publish('retrace.b1.trace', { type: 'agent.step', body: { job: 'j', index: 0, text: 'x'.repeat(5 * 1024 * 1024) } });
    const sentAt: number[] = [];
    for (let i = 1; i <= 4; i++) {
      busy(60);
      sentAt.push(performance.timeOrigin + performance.now());
      void bus.publish('retrace.b1.trace', { type: 'agent.step', body: { job: 'j', index: i } });
    }
    await waitFor(() => rec.count === 5, 'five records');
    await rec.stop();
    await bus.close();
    const small = (await readTrace(file)).records.slice(1);
    expect(small).toHaveLength(4);
    for (const [i, r] of small.entries()) {
      // Stamped as it was sent (well inside the 60 ms between sends)...
      expect(r.time).toBeGreaterThanOrEqual(sentAt[i]!);
      expect(r.time - sentAt[i]!).toBeLessThan(30);
      // ... though it reached the file only after the last one was sent.
      expect(r.arrived!).toBeGreaterThanOrEqual(sentAt[3]!);
    }
    // 60 ms of work between the sends shows as such on the timeline.
    for (let i = 1; i < small.length; i++) expect(small[i]!.time - small[i - 1]!.time).toBeGreaterThanOrEqual(30);
  });
});
