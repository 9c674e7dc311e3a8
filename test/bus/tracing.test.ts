import { describe, expect, it } from 'vitest';
import { decode, encode } from '../../src/bus/envelope.ts';
import { childSpan, parseTraceparent } from '../../src/bus/tracing.ts';

describe('trace context', () => {
  it('parses valid traceparents and refuses invalid ones', () => {
    expect(parseTraceparent('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01')).toEqual({
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      flags: '01',
    });
    for (const bad of ['', '01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', '00-00000000000000000000000000000000-b7ad6b7169203331-01', '00-xyz']) {
      expect(parseTraceparent(bad)).toBeUndefined();
    }
  });

  it('gives each message a new span in its parent trace, and records the parent span', () => {
    const parent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const wire = encode({ type: 't', body: null, traceparent: parent });
    const child = parseTraceparent(wire.headers.traceparent)!;
    expect(child.traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(child.spanId).not.toBe('b7ad6b7169203331');
    expect(wire.headers['retrace-parent-span']).toBe('b7ad6b7169203331');
    const a = childSpan(undefined).ctx;
    const b = childSpan(undefined).ctx;
    expect(a.traceId).not.toBe(b.traceId);
  });

  it('round-trips bodies of every msgpack shape', () => {
    const body = { s: 'héllo', n: -1.5, big: 2 ** 40, arr: [1, null, true], bytes: new Uint8Array([1, 2, 3]), nested: { x: { y: [] } } };
    const wire = encode({ type: 't', version: 3, body });
    const back = decode<typeof body>('s', wire.data, wire.headers);
    const { bytes, ...rest } = back.body;
    const { bytes: sentBytes, ...sentRest } = body;
    expect(rest).toEqual(sentRest);
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect([...bytes]).toEqual([...sentBytes]);
    expect(back.version).toBe(3);
  });
});
