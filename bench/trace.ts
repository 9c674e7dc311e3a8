/**
 * Trace benchmark: how heavy a real run's trace views are, and how that grows with the run. From
 * one trace file (a recorded `retrace run`), in one run: the trace file's size (the reference),
 * the HTML page's size and, loaded in headless Chromium, its DOM nodes and time to draw; the
 * Chrome trace export's size and events. Then the same for the run repeated `--times` times over
 * (its records copied with new jobs and spans, one run after the other): the ratios say how each
 * figure grows with the number of messages.
 *
 *   nice -n 10 node bin/retrace.js run node_modules/ajv --budget 4 -o .scratch/ajv/ajv.jsonl --no-card
 *   npx tsx bench/trace.ts .scratch/ajv/ajv.jsonl.trace.jsonl [--times 10]
 *
 * Target: the page stays usable at 10k+ messages: DOM nodes stay in the hundreds whatever the
 * run's size (the timeline draws only the rows in view), the page is drawn within seconds.
 */
import { existsSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { buildModel, readTrace, renderChromeTrace, renderHtml, type Trace, type TraceRecord } from '../src/trace/mod.ts';

const CHROMIUM = '/usr/bin/chromium';
const { values, positionals } = parseArgs({ allowPositionals: true, options: { times: { type: 'string', default: '10' } } });
const file = positionals[0];
if (!file || !existsSync(file)) {
  console.error('usage: npx tsx bench/trace.ts <trace file> [--times N]');
  process.exit(2);
}
const TIMES = Number(values.times);

interface Figures {
  messages: number;
  duplicates: number;
  traceBytes: number;
  pageBytes: number;
  renderMs: number;
  nodes: number;
  drawMs: number;
  heapMB: number;
  chromeBytes: number;
  chromeEvents: number;
}

async function measure(browser: Browser, t: Trace, traceBytes: number): Promise<Figures> {
  const model = buildModel(t.header, t.records, t.starts);
  const t0 = performance.now();
  const html = renderHtml(model);
  const renderMs = performance.now() - t0;
  const chrome = renderChromeTrace(model);
  const page = join(tmpdir(), `retrace-bench-trace-${process.pid}.html`);
  writeFileSync(page, html);
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const tab = await context.newPage();
  const t1 = performance.now();
  await tab.goto(pathToFileURL(page).href, { timeout: 300_000 });
  await tab.waitForSelector('body[data-ready="true"]', { timeout: 300_000 });
  const drawMs = performance.now() - t1;
  const nodes = await tab.evaluate<number>('document.getElementsByTagName("*").length');
  const heap = await tab.evaluate<number>('performance.memory ? performance.memory.usedJSHeapSize : 0');
  await context.close();
  rmSync(page, { force: true });
  return {
    messages: model.messages.length,
    duplicates: model.duplicates,
    traceBytes,
    pageBytes: Buffer.byteLength(html),
    renderMs,
    nodes,
    drawMs,
    heapMB: heap / 1024 / 1024,
    chromeBytes: Buffer.byteLength(chrome),
    chromeEvents: (JSON.parse(chrome) as { traceEvents: unknown[] }).traceEvents.length,
  };
}

/** The run `n` times over, one copy after the other: each copy's jobs, spans and ids its own. */
function repeated(t: Trace, n: number): Trace {
  const first = t.records[0]?.time ?? 0;
  const span = (t.records.at(-1)?.time ?? first) - first + 1;
  const records: TraceRecord[] = [];
  for (let k = 0; k < n; k++) {
    for (const r of t.records) {
      const tag = (s: string) => `${s}#${k}`;
      const body = r.body && typeof r.body === 'object' && 'job' in r.body ? { ...(r.body as object), job: tag(String((r.body as { job: unknown }).job)) } : r.body;
      const copy: TraceRecord = { ...r, seq: records.length, time: r.time + k * span, traceparent: r.traceparent.replace(/-([0-9a-f]{16})-/, (_, id: string) => `-${(k.toString(16) + id).slice(0, 16)}-`), body };
      if (r.job) copy.job = tag(r.job);
      if (r.msgId) copy.msgId = tag(r.msgId);
      records.push(copy);
    }
  }
  return { header: t.header, records, starts: t.starts };
}

const mb = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MB`;
function report(name: string, f: Figures): void {
  console.log(`${name}: ${f.messages} messages (${f.duplicates} copies dropped), trace file ${mb(f.traceBytes)}`);
  console.log(`  html page ${mb(f.pageBytes)} (${(f.pageBytes / f.traceBytes).toFixed(2)}x the trace file, rendered in ${f.renderMs.toFixed(0)} ms); in Chromium ${f.nodes} DOM nodes (${(f.nodes / f.messages).toFixed(3)} per message), drawn in ${f.drawMs.toFixed(0)} ms, JS heap ${f.heapMB.toFixed(1)} MB`);
  console.log(`  chrome trace ${mb(f.chromeBytes)} (${(f.chromeBytes / f.traceBytes).toFixed(2)}x the trace file), ${f.chromeEvents} events`);
}

const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
try {
  const t = await readTrace(file);
  const bytes = statSync(file).size;
  const one = await measure(browser, t, bytes);
  report('the run', one);
  const many = await measure(browser, repeated(t, TIMES), bytes * TIMES);
  report(`the run ${TIMES} times over`, many);
  const r = (a: number, b: number) => (b / a).toFixed(2);
  console.log(`growth for ${r(one.messages, many.messages)}x the messages: page bytes ${r(one.pageBytes, many.pageBytes)}x, DOM nodes ${r(one.nodes, many.nodes)}x, time to draw ${r(one.drawMs, many.drawMs)}x`);
} finally {
  await browser.close();
}
