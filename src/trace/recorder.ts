/**
 * The recorder: every message of a run (`retrace.<run>.>`), one JSON line each, in arrival order,
 * written as it arrives. Memory does not grow with the run's bodies: a line is written and
 * forgotten (only the producer ids of queued messages are kept, to tell a result heard from one
 * the run took from its queue), and when the file lags the handler waits for it (the bus buffers
 * meanwhile). Each record is stamped with its message's send time, not the moment the recorder
 * got round to it.
 *
 * A resumed run appends (`append`): the trace of the first start is kept, a header line marks the
 * new start, and sequence numbers go on from the last record. Results sent while no recorder was
 * listening (between the starts) reach the run through its durable results queue: the run hands
 * them to `witness`, and those never heard on the bus are recorded too (`via: "queue"`).
 */
import { once } from 'node:events';
import { appendFileSync, createReadStream, createWriteStream, existsSync, statSync, truncateSync, type WriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseSent, SENT_HEADER, type Bus, type Incoming } from '../bus/mod.ts';
import { DEFAULT_MAX_STRING, redactSpec, TRACE_FORMAT, toRecord, type TraceHeader, type TraceRecord } from './record.ts';

export interface RecorderOptions {
  /** Longest string kept whole in a body; 0 keeps everything. */
  maxString?: number;
  /**
   * Add to the file's trace of the same run (a resumed run), marking where this start begins;
   * a file that is absent or not a trace of this run is written anew.
   */
  append?: boolean;
  /** The spec of each policy revision the run starts with (`id@revision` -> spec), for the views. */
  policies?: Record<string, unknown>;
}

export interface Recorder {
  /** Messages written so far (by this recorder: an appended file's earlier lines not counted). */
  readonly count: number;
  /**
   * A message the run took from a durable queue: recorded (`via: "queue"`) when it was sent before
   * the recorder listened (by its send stamp) and the bus never brought it (by its producer id),
   * when the recorder stops or once many wait.
   */
  witness(msg: Incoming): void;
  /** Stops listening, records the witnessed messages never heard, closes the file. */
  stop(): Promise<void>;
}

export class TraceFormatError extends Error {
  override name = 'TraceFormatError';
}

/**
 * Lines buffered before the handler waits for the file. A busy process turns its event loop
 * rarely, and the file drains only then: with the stream's default 16 KiB the recorder waited at
 * nearly every message and fell minutes behind the run (its mailbox holding the messages), so it
 * buffers this much instead — still a bound on memory.
 */
const BUFFER_BYTES = 4 * 1024 * 1024;

/** Witnessed messages held back at most, waiting for their copy from the bus, before they are written. */
const MAX_WITNESSED = 256;
/**
 * A witnessed message sent this long after the recorder began listening is one the bus brings it;
 * those sent before (or about then, clocks of other machines differing) wait for their copy.
 */
const CLOCK_SKEW_MS = 5_000;

const clock = () => performance.timeOrigin + performance.now();

/** The file opened for writing: anew, or (appending) after its complete lines. */
async function openTraceFile(file: string, earlier: Earlier | undefined): Promise<{ out: WriteStream; failed: () => Error | undefined }> {
  if (earlier) truncateSync(file, earlier.bytes);
  if (earlier?.open) appendFileSync(file, '\n');
  const out = createWriteStream(file, { flags: earlier ? 'a' : 'w', highWaterMark: BUFFER_BYTES });
  let failure: Error | undefined;
  out.on('error', (err) => {
    failure ??= err;
  });
  await once(out, 'open');
  return { out, failed: () => failure };
}

function startHeader(run: string, maxString: number, earlier: Earlier | undefined, policies: Record<string, unknown> | undefined): TraceHeader {
  const header: TraceHeader = { trace: TRACE_FORMAT, run, started: new Date().toISOString(), maxString };
  if (earlier) header.start = earlier.starts + 1;
  if (policies) header.policies = Object.fromEntries(Object.entries(policies).map(([tag, spec]) => [tag, redactSpec(spec)]));
  return header;
}

export async function startRecorder(bus: Bus, run: string, file: string, opts: RecorderOptions = {}): Promise<Recorder> {
  const maxString = opts.maxString ?? DEFAULT_MAX_STRING;
  const earlier = opts.append ? await earlierStarts(file, run) : undefined;
  const { out, failed } = await openTraceFile(file, earlier);
  out.write(`${JSON.stringify(startHeader(run, maxString, earlier, opts.policies))}\n`);
  let seq = earlier ? earlier.nextSeq : 0;
  const listening = clock();
  let count = 0;
  const heard = new Set<string>();
  const witnessed = new Map<string, { msg: Incoming; arrived: number }>();
  const write = (rec: TraceRecord): boolean => {
    count++;
    return out.write(`${JSON.stringify(rec)}\n`);
  };
  const writeWitnessed = (id: string) => {
    const w = witnessed.get(id)!;
    witnessed.delete(id);
    heard.add(id);
    write({ ...toRecord(w.msg, seq++, w.arrived, maxString), via: 'queue' });
  };
  // In order: one handler at a time, so lines follow arrival order.
  const sub = bus.subscribe(`retrace.${run}.>`, async (msg) => {
    if (failed()) return;
    const rec = toRecord(msg, seq++, clock(), maxString);
    if (rec.msgId !== undefined) {
      heard.add(rec.msgId);
      witnessed.delete(rec.msgId);
    }
    if (!write(rec)) await once(out, 'drain');
  });
  return {
    get count() {
      return count;
    },
    witness(msg) {
      const id = msg.headers['Nats-Msg-Id'];
      if (failed() || !id || heard.has(id) || witnessed.has(id)) return;
      // Sent while this recorder listened: the bus brings it (however late a busy recorder gets to it).
      const sent = parseSent(msg.headers[SENT_HEADER]);
      if (sent !== undefined && sent > listening + CLOCK_SKEW_MS) return;
      witnessed.set(id, { msg, arrived: clock() });
      if (witnessed.size > MAX_WITNESSED) writeWitnessed(witnessed.keys().next().value!);
    },
    async stop() {
      await sub.unsubscribe();
      if (!out.closed) {
        for (const id of [...witnessed.keys()]) writeWitnessed(id);
        out.end();
        await once(out, 'close');
      }
      const failure = failed();
      if (failure) throw failure;
    },
  };
}

/**
 * What an appended file holds already: its starts, the next sequence number, and the length of
 * its complete lines (a line cut short by a killed recorder is dropped). Undefined when the file
 * is absent or not a trace of `run`.
 */
interface Earlier {
  starts: number;
  nextSeq: number;
  /** Bytes of its complete lines. */
  bytes: number;
  /** Its last complete line lacks its newline. */
  open: boolean;
}

async function earlierStarts(file: string, run: string): Promise<Earlier | undefined> {
  if (!existsSync(file)) return undefined;
  let header: TraceHeader;
  try {
    header = await readHeader(file);
  } catch (err) {
    if (err instanceof TraceFormatError) return undefined;
    throw err;
  }
  if (header.run !== run) return undefined;
  let starts = 0;
  let nextSeq = 0;
  let bytes = 0;
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim() === '') {
      bytes += Buffer.byteLength(line) + 1;
      continue;
    }
    let value: { trace?: unknown; seq?: unknown };
    try {
      value = JSON.parse(line) as typeof value;
    } catch {
      break; // cut short: this line and anything after it is dropped
    }
    bytes += Buffer.byteLength(line) + 1;
    if (value.trace === TRACE_FORMAT) starts++;
    else if (typeof value.seq === 'number') nextSeq = Math.max(nextSeq, value.seq + 1);
  }
  // The last complete line may lack its newline (the recorder was killed just before it).
  const size = statSync(file).size;
  return { starts, nextSeq, bytes: Math.min(bytes, size), open: bytes > size };
}

/** A line of a trace file: a header (the first line, and one per later start) or a record. */
type TraceLine = { header: TraceHeader; line: number } | { record: TraceRecord };

async function* traceLines(file: string): AsyncGenerator<TraceLine, void, undefined> {
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let n = 0;
  let pendingBad: { line: number; error: string } | undefined;
  for await (const line of lines) {
    n++;
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      if (pendingBad) throw new TraceFormatError(`${file}:${pendingBad.line}: ${pendingBad.error}`);
      // A recorder killed mid-write leaves a partial last line: tolerated only at the very end of
      // the file, or of a start (before the header of the next one).
      pendingBad = { line: n, error: `not JSON (${(err as Error).message})` };
      continue;
    }
    if (n === 1) {
      yield { header: checkHeader(value, file, n), line: n };
      continue;
    }
    const isHeader = (value as { trace?: unknown } | null)?.trace !== undefined;
    if (pendingBad && !isHeader) throw new TraceFormatError(`${file}:${pendingBad.line}: ${pendingBad.error}`);
    pendingBad = undefined;
    if (isHeader) yield { header: checkHeader(value, file, n), line: n };
    else yield { record: value as TraceRecord };
  }
  if (n === 0) throw new TraceFormatError(`${file} is empty: not a retrace trace`);
}

/** The records of a trace file, one at a time (headers are checked, not yielded). */
export async function* iterateTrace(file: string): AsyncGenerator<TraceRecord, void, undefined> {
  for await (const l of traceLines(file)) if ('record' in l) yield l.record;
}

/** Where a start of the run begins in a trace: its header, and the index of its first record. */
export interface TraceStart {
  start: number;
  started: string;
  /** Index in `records` of the start's first record (`records.length` when it has none). */
  index: number;
}

export interface Trace {
  header: TraceHeader;
  records: TraceRecord[];
  /** The starts of the run, in order: one, or more for a resumed run. */
  starts: TraceStart[];
}

/** A whole trace file in memory, for the views. */
export async function readTrace(file: string): Promise<Trace> {
  let header: TraceHeader | undefined;
  const records: TraceRecord[] = [];
  const starts: TraceStart[] = [];
  for await (const l of traceLines(file)) {
    if ('record' in l) {
      records.push(l.record);
      continue;
    }
    if (header && l.header.run !== header.run) throw new TraceFormatError(`${file}:${l.line}: a start of run "${l.header.run}" in the trace of run "${header.run}"`);
    header ??= { ...l.header };
    if (l.header.policies) header.policies = { ...header.policies, ...l.header.policies };
    starts.push({ start: l.header.start ?? starts.length + 1, started: l.header.started, index: records.length });
  }
  if (!header) throw new TraceFormatError(`${file} is empty: not a retrace trace`);
  return { header, records, starts };
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

function checkHeader(value: unknown, file: string, line = 1): TraceHeader {
  const h = value as Partial<TraceHeader> | null;
  if (!h || typeof h !== 'object' || h.trace !== TRACE_FORMAT || typeof h.run !== 'string') {
    const which = line === 1 ? 'the first line' : `line ${line}`;
    throw new TraceFormatError(`${file}: ${which} is not a retrace trace header (format ${TRACE_FORMAT})`);
  }
  return h as TraceHeader;
}
