/**
 * `retrace trace <file>`: a recorded run (the JSON Lines file the recorder writes) as a text
 * timeline, a Mermaid sequence diagram, or one self-contained HTML page.
 *
 *   retrace trace run.trace.jsonl --format html --out run.html
 *   retrace trace --nats nats://bus:4222 --run commander-s1 [--out run.trace.jsonl]
 *
 * With --nats the run is followed live: one line per message of the run as it crosses the bus,
 * from any process (the run's own `run.status` events included), until the run ends or SIGINT;
 * --out records it too, as a trace file the other formats can render afterwards.
 */
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { buildModel, DEFAULT_MAX_STRING, messageLine, readTrace, renderHtml, renderMermaid, renderText, startRecorder } from '../trace/mod.ts';
import { toRecord } from '../trace/record.ts';
import { RUN_STATUS, type RunStatus } from '../run/run-job.ts';
import { addNatsOptions, connectFromOptions } from './nats-options.ts';

const FORMATS = ['text', 'mermaid', 'html'] as const;
type Format = (typeof FORMATS)[number];

export async function renderTraceFile(file: string, format: Format): Promise<string> {
  const { header, records } = await readTrace(file);
  const model = buildModel(header, records);
  if (format === 'mermaid') return renderMermaid(model);
  if (format === 'html') return renderHtml(model);
  return renderText(model);
}

interface TraceCommandOptions {
  format: string;
  out?: string;
  nats?: string[];
  run?: string;
}

/** Follows a run on the bus, a line per message, until it ends (or SIGINT); records it to `out`. */
async function follow(urls: string[], run: string, out: string | undefined): Promise<void> {
  const bus = await connectFromOptions(urls, undefined, `retrace-trace-${run}`);
  const recorder = out ? await startRecorder(bus, run, out) : undefined;
  let t0: number | undefined;
  let count = 0;
  const ended = new Promise<RunStatus | undefined>((resolve) => {
    const sub = bus.subscribe(`retrace.${run}.>`, (msg) => {
      const now = performance.timeOrigin + performance.now();
      t0 ??= now;
      const rec = toRecord(msg, count++, now, DEFAULT_MAX_STRING);
      process.stdout.write(`${messageLine({ at: now - t0, from: rec.sender ?? 'unknown', subject: rec.subject, type: rec.type, ...(rec.job ? { job: rec.job } : {}), ...(rec.policy ? { policy: rec.policy } : {}), size: rec.size })}\n`);
      const body = msg.body as Partial<RunStatus> | undefined;
      if (msg.type === RUN_STATUS && (body?.status === 'finished' || body?.status === 'failed')) {
        void sub.unsubscribe();
        resolve(body as RunStatus);
      }
    });
    process.once('SIGINT', () => resolve(undefined));
    process.once('SIGTERM', () => resolve(undefined));
  });
  await bus.flush();
  process.stderr.write(`following run ${run} (${urls.join(',')}); Ctrl-C to stop\n`);
  const end = await ended;
  if (recorder) {
    // The recorder hears the same messages on its own subscription: let it catch up.
    for (let i = 0; i < 40 && recorder.count < count; i++) await new Promise((r) => setTimeout(r, 50));
    await recorder.stop();
  }
  await bus.close();
  if (end) process.stderr.write(`run ${run} ${end.status}${end.error ? `: ${end.error}` : ''} · ${count} messages${out ? ` · recorded to ${out}` : ''}\n`);
  if (end?.status === 'failed') process.exitCode = 1;
}

export function register(program: Command): void {
  const cmd = program
    .command('trace')
    .description('show a recorded run (text timeline, Mermaid sequence diagram, self-contained HTML page), or follow one live on NATS')
    .argument('[file]', 'trace file written by the recorder (JSON Lines)')
    .option('-f, --format <format>', `one of ${FORMATS.join(', ')}`, 'text')
    .option('-o, --out <file>', 'write to this file instead of stdout (live: record the trace file here)')
    .option('--run <id>', 'live: the run to follow (with --nats)');
  addNatsOptions(cmd, false).action(async (file: string | undefined, opts: TraceCommandOptions) => {
    if (opts.nats) {
      if (!opts.run) throw new Error('--nats follows a run live: name it with --run <id>');
      if (file) throw new Error('give a trace file, or --nats and --run to follow a run live, not both');
      await follow(opts.nats, opts.run, opts.out);
      return;
    }
    if (!file) throw new Error('give a trace file, or --nats URL --run ID to follow a run live');
    if (!(FORMATS as readonly string[]).includes(opts.format)) {
      throw new Error(`unknown format "${opts.format}": use one of ${FORMATS.join(', ')}`);
    }
    const output = await renderTraceFile(file, opts.format as Format);
    if (opts.out) {
      await writeFile(opts.out, output);
      process.stderr.write(`wrote ${opts.out}\n`);
    } else {
      process.stdout.write(output);
    }
  });
}
