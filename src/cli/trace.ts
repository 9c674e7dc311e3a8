/**
 * `retrace trace <file>`: a recorded run (the JSON Lines file the recorder writes) as a text
 * timeline, a Mermaid sequence diagram, one self-contained HTML page, or a Chrome trace (the Trace
 * Event Format: chrome://tracing, ui.perfetto.dev) for runs too big to read as a page.
 *
 *   retrace trace run.trace.jsonl --format html --out run.html
 *   retrace trace run.trace.jsonl --format chrome --out run.trace.json
 *   retrace trace --nats nats://bus:4222 --run commander-s1 [--out run.trace.jsonl]
 *
 * With --nats the run is followed live: one line per message of the run as it crosses the bus,
 * from any process (the run's own `run.status` events included), until the run ends or SIGINT;
 * --out records it too, as a trace file the other formats can render afterwards. A run that has
 * already ended (its manifest in KV `retrace-runs` says so) is shown at once: the trace file the
 * manifest names, rendered, or else the manifest itself. A run not started yet is waited for
 * (--wait seconds); one that never shows is bad input (exit 2).
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { buckets, token, type Bus, type KvBucket } from '../bus/mod.ts';
import { buildModel, DEFAULT_MAX_STRING, messageLine, readTrace, renderChromeTrace, renderHtml, renderMermaid, renderText, startRecorder } from '../trace/mod.ts';
import { toRecord } from '../trace/record.ts';
import { RUN_STATUS, type RunManifest, type RunStatus } from '../run/run-job.ts';
import { UsageError } from './bad-input.ts';
import { addNatsOptions, connectFromOptions } from './nats-options.ts';

const FORMATS = ['text', 'mermaid', 'html', 'chrome'] as const;
type Format = (typeof FORMATS)[number];

export async function renderTraceFile(file: string, format: Format): Promise<string> {
  const { header, records, starts } = await readTrace(file);
  const model = buildModel(header, records, starts);
  if (format === 'mermaid') return renderMermaid(model);
  if (format === 'html') return renderHtml(model);
  if (format === 'chrome') return renderChromeTrace(model);
  return renderText(model);
}

interface TraceCommandOptions {
  format: string;
  out?: string;
  nats?: string[];
  run?: string;
  wait: string;
}

/** A run's manifest in KV `retrace-runs`, with the trace file its driver recorded when it names one. */
type Manifest = RunManifest;

const hasEnded = (m: { status?: string } | undefined): boolean => m?.status === 'finished' || m?.status === 'failed';

/** A run no process has announced: no manifest in `retrace-runs`, and no message within the wait. */
export class UnknownRunError extends UsageError {
  override name = 'UnknownRunError';
}

/** How a followed run ended: with its status, with a signal, or never seen at all. */
type FollowEnd = { kind: 'ended'; status: RunStatus } | { kind: 'stopped' } | { kind: 'unknown' };

function endLine(run: string, s: RunStatus, tail: string): string {
  return `run ${run} ${s.status}${s.error ? `: ${s.error}` : ''}${tail}\n`;
}

/**
 * A run that has ended: its recorded trace when the manifest names a file readable here, else
 * what the manifest says of it. Exit code 1 for a failed run, as when it is followed live.
 */
async function showEnded(m: Manifest, format: Format): Promise<void> {
  if (m.trace && existsSync(m.trace)) process.stdout.write(await renderTraceFile(m.trace, format));
  else {
    const failures = m.failures ? ` · ${m.failures} failed` : '';
    process.stdout.write(`run ${m.run} ${m.status}${m.error ? `: ${m.error}` : ''} · ${m.done}/${m.files} files${failures} · repo ${m.repo} · started ${m.started} · last report ${m.updated}\n`);
    process.stderr.write(`the run has ended: its messages are gone from the bus; render the trace file its driver recorded with \`retrace trace <file>\`\n`);
  }
  if (m.status === 'failed') process.exitCode = 1;
}

/** One line per message of the run; `onEnd` is told when a `run.status` says the run ended. */
function printMessages(bus: Bus, run: string, onEnd: (s: RunStatus) => void): { count: () => number; stop: () => void } {
  let t0: number | undefined;
  let count = 0;
  const sub = bus.subscribe(`retrace.${run}.>`, (msg) => {
    const now = performance.timeOrigin + performance.now();
    t0 ??= now;
    const rec = toRecord(msg, count++, now, DEFAULT_MAX_STRING);
    process.stdout.write(`${messageLine({ at: now - t0, from: rec.sender ?? 'unknown', subject: rec.subject, type: rec.type, ...(rec.job ? { job: rec.job } : {}), ...(rec.policy ? { policy: rec.policy } : {}), size: rec.size })}\n`);
    const body = msg.body as Partial<RunStatus> | undefined;
    if (msg.type === RUN_STATUS && hasEnded(body)) onEnd(body as RunStatus);
  });
  return { count: () => count, stop: () => void sub.unsubscribe() };
}

/**
 * Until the run ends (its `run.status`, or its manifest saying so: an end published before this
 * process subscribed), SIGINT/SIGTERM, or — for a run not known yet — `waitMs` without a sign of it.
 */
async function followUntilEnd(bus: Bus, kv: KvBucket<Manifest>, run: string, known: boolean, waitMs: number): Promise<{ end: FollowEnd; count: number }> {
  let settle!: (e: FollowEnd) => void;
  const ended = new Promise<FollowEnd>((resolve) => (settle = resolve));
  const lines = printMessages(bus, run, (status) => settle({ kind: 'ended', status }));
  const watch = await kv.watch({ key: token(run) });
  void (async () => {
    for await (const e of watch) {
      known = true;
      if (hasEnded(e.value)) settle({ kind: 'ended', status: e.value! });
    }
  })().catch(() => {});
  const timer = setTimeout(() => {
    if (!known && lines.count() === 0) settle({ kind: 'unknown' });
  }, waitMs);
  const onSignal = () => settle({ kind: 'stopped' });
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  await bus.flush();
  process.stderr.write(`following run ${run} (${known ? 'running' : `not known yet: waiting up to ${waitMs / 1000}s for it to start`}); Ctrl-C to stop\n`);
  const end = await ended;
  clearTimeout(timer);
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  watch.stop();
  lines.stop();
  return { end, count: lines.count() };
}

/**
 * `--nats --run`: a run that has ended is shown and the command exits; a running one (or one about
 * to start, within `waitMs`) is followed live; a run never seen is an UnknownRunError (exit 2).
 */
async function traceRun(urls: string[], run: string, opts: { out?: string; format: Format; waitMs: number }): Promise<void> {
  const bus = await connectFromOptions(urls, undefined, `retrace-trace-${run}`);
  try {
    const kv = await bus.kv<Manifest>(buckets.runs);
    const manifest = (await kv.get(token(run)))?.value;
    if (manifest && hasEnded(manifest)) {
      if (opts.out) process.stderr.write(`nothing recorded to ${opts.out}: run ${run} has ended\n`);
      return await showEnded(manifest, opts.format);
    }
    const recorder = opts.out ? await startRecorder(bus, run, opts.out) : undefined;
    const { end, count } = await followUntilEnd(bus, kv, run, manifest !== undefined, opts.waitMs);
    if (recorder) {
      // The recorder hears the same messages on its own subscription: let it catch up.
      for (let i = 0; i < 40 && recorder.count < count; i++) await new Promise((r) => setTimeout(r, 50));
      await recorder.stop();
    }
    if (end.kind === 'unknown') throw new UnknownRunError(`no run "${run}" on ${urls.join(',')}: it has no manifest in ${buckets.runs} and sent nothing within ${opts.waitMs / 1000}s (\`retrace runs\` lists the runs)`);
    if (end.kind === 'ended') {
      process.stderr.write(endLine(run, end.status, ` · ${count} messages${opts.out ? ` · recorded to ${opts.out}` : ''}`));
      if (end.status.status === 'failed') process.exitCode = 1;
    }
  } finally {
    await bus.close();
  }
}

function parseWait(value: string): number {
  const s = Number(value);
  if (!(s >= 0)) throw new UsageError(`--wait is a number of seconds >= 0, got "${value}"`);
  return s * 1000;
}

export function register(program: Command): void {
  const cmd = program
    .command('trace')
    .description('show a recorded run (text timeline, Mermaid sequence diagram, self-contained HTML page, Chrome trace for Perfetto), or follow one live on NATS')
    .argument('[file]', 'trace file written by the recorder (JSON Lines)')
    .option('-f, --format <format>', `one of ${FORMATS.join(', ')}`, 'text')
    .option('-o, --out <file>', 'write to this file instead of stdout (live: record the trace file here)')
    .option('--run <id>', 'live: the run to follow (with --nats)')
    .option('--wait <seconds>', 'live: how long to wait for a run not started yet', '60');
  addNatsOptions(cmd, false).action(async (file: string | undefined, opts: TraceCommandOptions) => {
    const format = parseFormat(opts.format);
    if (opts.nats) {
      if (!opts.run) throw new UsageError('--nats follows a run live: name it with --run <id>');
      if (file) throw new UsageError('give a trace file, or --nats and --run to follow a run live, not both');
      await traceRun(opts.nats, opts.run, { format, waitMs: parseWait(opts.wait), ...(opts.out ? { out: opts.out } : {}) });
      return;
    }
    if (!file) throw new UsageError('give a trace file, or --nats URL --run ID to follow a run live');
    const output = await renderTraceFile(file, format);
    if (opts.out) {
      await writeFile(opts.out, output);
      process.stderr.write(`wrote ${opts.out}\n`);
    } else {
      process.stdout.write(output);
    }
  });
}

function parseFormat(format: string): Format {
  if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`unknown format "${format}": use one of ${FORMATS.join(', ')}`);
  return format as Format;
}
