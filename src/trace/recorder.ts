/**
 * The recorder: every message of a run (`retrace.<run>.>`), one JSON line each, in arrival order,
 * written as it arrives. Memory does not grow with the run: a line is written and forgotten, and
 * when the file lags the handler waits for it (the bus buffers meanwhile).
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Bus } from '../bus/mod.ts';
import { DEFAULT_MAX_STRING, TRACE_FORMAT, toRecord, type TraceHeader, type TraceRecord } from './record.ts';

export interface RecorderOptions {
  /** Longest string kept whole in a body; 0 keeps everything. */
  maxString?: number;
}

export interface Recorder {
  /** Messages written so far. */
  readonly count: number;
  /** Stops listening, waits for messages being written, closes the file. */
  stop(): Promise<void>;
}

export class TraceFormatError extends Error {
  override name = 'TraceFormatError';
}

export async function startRecorder(bus: Bus, run: string, file: string, opts: RecorderOptions = {}): Promise<Recorder> {
  const maxString = opts.maxString ?? DEFAULT_MAX_STRING;
  const out = createWriteStream(file, { flags: 'w' });
  let failure: Error | undefined;
  out.on('error', (err) => {
    failure ??= err;
  });
  await once(out, 'open');
  const header: TraceHeader = { trace: TRACE_FORMAT, run, started: new Date().toISOString(), maxString };
  out.write(`${JSON.stringify(header)}\n`);
  let count = 0;
  // In order: one handler at a time, so lines follow arrival order.
  const sub = bus.subscribe(`retrace.${run}.>`, async (msg) => {
    if (failure) return;
    const line = JSON.stringify(toRecord(msg, count, performance.timeOrigin + performance.now(), maxString));
    count++;
    if (!out.write(`${line}\n`)) await once(out, 'drain');
  });
  return {
    get count() {
      return count;
    },
    async stop() {
      await sub.unsubscribe();
      if (!out.closed) {
        out.end();
        await once(out, 'close');
      }
      if (failure) throw failure;
    },
  };
}

/** The records of a trace file, one at a time (the header is checked, not yielded). */
export async function* iterateTrace(file: string): AsyncGenerator<TraceRecord, void, undefined> {
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let n = 0;
  let pendingBad: { line: number; error: string } | undefined;
  for await (const line of lines) {
    n++;
    if (line.trim() === '') continue;
    if (pendingBad) throw new TraceFormatError(`${file}:${pendingBad.line}: ${pendingBad.error}`);
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      // A recorder killed mid-write leaves a partial last line: tolerated only at the very end.
      pendingBad = { line: n, error: `not JSON (${(err as Error).message})` };
      continue;
    }
    if (n === 1) {
      checkHeader(value, file);
      continue;
    }
    yield value as TraceRecord;
  }
  if (n === 0) throw new TraceFormatError(`${file} is empty: not a retrace trace`);
}

export interface Trace {
  header: TraceHeader;
  records: TraceRecord[];
}

/** A whole trace file in memory, for the views. */
export async function readTrace(file: string): Promise<Trace> {
  const header = await readHeader(file);
  const records: TraceRecord[] = [];
  for await (const r of iterateTrace(file)) records.push(r);
  return { header, records };
}

async function readHeader(file: string): Promise<TraceHeader> {
  const input = createReadStream(file, 'utf8');
  const lines = createInterface({ input, crlfDelay: Infinity });
  try {
    for await (const line of lines) {
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        throw new TraceFormatError(`${file}: the first line is not JSON: not a retrace trace`);
      }
      return checkHeader(value, file);
    }
  } finally {
    lines.close();
    input.destroy();
  }
  throw new TraceFormatError(`${file} is empty: not a retrace trace`);
}

function checkHeader(value: unknown, file: string): TraceHeader {
  const h = value as Partial<TraceHeader> | null;
  if (!h || typeof h !== 'object' || h.trace !== TRACE_FORMAT || typeof h.run !== 'string') {
    throw new TraceFormatError(`${file}: the first line is not a retrace trace header (format ${TRACE_FORMAT})`);
  }
  return h as TraceHeader;
}
