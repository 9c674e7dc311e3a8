/**
 * Bus benchmark: in one run, against one nats-server, sequential request/reply round trips per
 * second and publish throughput through NatsBus against the raw @nats-io/transport-node client
 * with the same payloads, and MemoryBus alone. Prints the ratios.
 *
 *   npx tsx bench/bus.ts [--round-trips 5000] [--publishes 100000]
 *
 * Target: NatsBus keeps at least 0.9 of raw NATS request/reply throughput.
 */
import { parseArgs } from 'node:util';
import { connect, headers as natsHeaders } from '@nats-io/transport-node';
import { decodeBody, encode, encodeBody } from '../src/bus/envelope.ts';
import { MemoryBus, NatsBus, type Bus } from '../src/bus/mod.ts';
import { startNatsServer } from '../test/support/nats-server.ts';

const { values } = parseArgs({
  options: {
    'round-trips': { type: 'string', default: '1000' },
    publishes: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '15' },
  },
});
const ROUND_TRIPS = Number(values['round-trips']);
const PUBLISHES = Number(values.publishes);
const ROUNDS = Number(values.rounds);

// A payload shaped like a real request: a scoring request with some context.
const body = {
  model: 'embedded',
  items: [{ context: 'export function buildOrder(graph: Graph): string[][] {\n'.repeat(4), target: '  return generations(graph);\n}' }],
};
const wire = encode({ type: 'score.request', body, run: 'bench', sender: 'bench/1' });

/** Seconds of wall time; and the CPU seconds this process spent, in `lastCpu`. */
let lastCpu = 0;
async function timeIt(fn: () => Promise<void>): Promise<number> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const c = process.cpuUsage(c0);
  lastCpu = (c.user + c.system) / 1e6;
  return (performance.now() - t0) / 1000;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/**
 * Runs the contenders in short alternating rounds, so that load from elsewhere on a shared
 * machine hits all of them alike; reports each one's median rate and its median per-round ratio
 * to the first contender (the reference).
 */
async function interleaved(
  fns: Record<string, () => Promise<number>>,
): Promise<Record<string, { rate: number; ratio: number; cpuRatio: number }>> {
  const names = Object.keys(fns);
  const rates: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  const ratios: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  const cpuRatios: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < ROUNDS; r++) {
    const round: Record<string, number> = {};
    const cpu: Record<string, number> = {};
    for (const name of names) {
      round[name] = await fns[name]!();
      cpu[name] = lastCpu;
    }
    for (const name of names) {
      rates[name]!.push(round[name]!);
      ratios[name]!.push(round[name]! / round[names[0]!]!);
      // Operations per CPU-second of this process, relative to the reference: what the layer
      // costs, whatever else the shared machine is doing.
      cpuRatios[name]!.push(cpu[names[0]!]! / cpu[name]!);
    }
  }
  return Object.fromEntries(names.map((n) => [n, { rate: median(rates[n]!), ratio: median(ratios[n]!), cpuRatio: median(cpuRatios[n]!) }]));
}

async function busRoundTrips(bus: Bus, subject: string): Promise<number> {
  const sub = bus.reply(subject, (m) => ({ type: 'score.reply', body: m.body }));
  await bus.flush();
  for (let i = 0; i < 50; i++) await bus.request(subject, { type: 'score.request', body });
  const secs = await timeIt(async () => {
    for (let i = 0; i < ROUND_TRIPS; i++) await bus.request(subject, { type: 'score.request', body });
  });
  await sub.unsubscribe();
  return ROUND_TRIPS / secs;
}

/** Publishes issued back to back, awaited together (how a producer streams events). */
async function busPublishes(bus: Bus, subject: string): Promise<number> {
  const secs = await timeIt(async () => {
    const sent: Promise<void>[] = [];
    for (let i = 0; i < PUBLISHES; i++) sent.push(bus.publish(subject, { type: 'score.request', body }));
    await Promise.all(sent);
    await bus.flush();
  });
  return PUBLISHES / secs;
}

/** Each publish awaited before the next: one socket write per message. */
async function busPublishesAwaited(bus: Bus, subject: string): Promise<number> {
  const n = PUBLISHES;
  const secs = await timeIt(async () => {
    for (let i = 0; i < n; i++) await bus.publish(subject, { type: 'score.request', body });
    await bus.flush();
  });
  return n / secs;
}

async function main(): Promise<void> {
  const server = await startNatsServer({ jetstream: false });
  try {
    // The raw client gets the connection options NatsBus uses, so only the bus layer differs.
    const raw = await connect({ servers: server.url, noAsyncTraces: true });
    const natsBus = await NatsBus.connect({ servers: server.url });
    const memory = new MemoryBus();
    const h = natsHeaders();
    for (const [k, v] of Object.entries(wire.headers)) h.set(k, v);

    // Raw responder echoes the bytes; the raw requester sends the same encoded bytes and headers.
    const rawSub = raw.subscribe('bench.raw.rr', { callback: (_e, m) => void m.respond(m.data, { headers: h }) });
    // A raw service that reads what it is sent, as any real one must: headers and a msgpack body
    // decoded, a msgpack reply encoded. The envelope's cost less the transport's.
    const codecSub = raw.subscribe('bench.rawcodec.rr', {
      callback: (_e, m) => {
        const hdrs: Record<string, string> = {};
        for (const [k, v] of m.headers ?? []) hdrs[k] = v[0]!;
        const body = decodeBody(m.data);
        m.respond(encodeBody(body), { headers: h });
      },
    });
    await raw.flush();

    const rr = await interleaved({
      raw: async () => {
        for (let i = 0; i < 50; i++) await raw.request('bench.raw.rr', wire.data, { headers: h, timeout: 5000 });
        const secs = await timeIt(async () => {
          for (let i = 0; i < ROUND_TRIPS; i++) await raw.request('bench.raw.rr', wire.data, { headers: h, timeout: 5000 });
        });
        return ROUND_TRIPS / secs;
      },
      rawCodec: async () => {
        const once = async () => {
          const r = await raw.request('bench.rawcodec.rr', encodeBody(body), { headers: h, timeout: 5000 });
          for (const [k] of r.headers ?? []) void k;
          decodeBody(r.data);
        };
        for (let i = 0; i < 50; i++) await once();
        const secs = await timeIt(async () => {
          for (let i = 0; i < ROUND_TRIPS; i++) await once();
        });
        return ROUND_TRIPS / secs;
      },
      natsBus: () => busRoundTrips(natsBus, 'bench.bus.rr'),
      memory: () => busRoundTrips(memory, 'bench.mem.rr'),
    });
    rawSub.unsubscribe();
    codecSub.unsubscribe();

    const pub = await interleaved({
      raw: async () => {
        const secs = await timeIt(async () => {
          for (let i = 0; i < PUBLISHES; i++) raw.publish('bench.raw.pub', wire.data, { headers: h });
          await raw.flush();
        });
        return PUBLISHES / secs;
      },
      natsBus: () => busPublishes(natsBus, 'bench.bus.pub'),
      natsBusAwaited: () => busPublishesAwaited(natsBus, 'bench.bus.pub'),
      memory: () => busPublishes(memory, 'bench.mem.pub'),
    });

    const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
    const line = (label: string, r: { rate: number; ratio: number; cpuRatio: number }, note = '') =>
      console.log(`  ${label.padEnd(18)}${fmt(r.rate).padStart(10)} /s   ratio to raw ${r.ratio.toFixed(3)} (per CPU-second ${r.cpuRatio.toFixed(3)})${note}`);
    console.log(`payload: ${wire.data.length} bytes body + ${Object.keys(wire.headers).length} headers; ${ROUNDS} alternating rounds, medians`);
    console.log(`request/reply (sequential, ${ROUND_TRIPS} round trips a round)`);
    line('raw nats client', rr.raw!);
    line('raw + msgpack', rr.rawCodec!, ' (reads headers and body, answers encoded)');
    line('NatsBus', rr.natsBus!, ' (target >= 0.9)');
    line('MemoryBus', rr.memory!);
    console.log(`publish (${PUBLISHES} messages a round, then flush)`);
    line('raw nats client', pub.raw!);
    line('NatsBus', pub.natsBus!);
    line('NatsBus, awaited', pub.natsBusAwaited!, ' (each publish awaited: one socket write each)');
    line('MemoryBus', pub.memory!, ' (no subscriber)');
    await raw.close();
    await natsBus.close();
    await memory.close();
  } finally {
    await server.stop();
  }
}

await main();
