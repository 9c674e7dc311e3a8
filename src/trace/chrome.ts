/**
 * The trace in the Trace Event Format (Chrome's `about:tracing`, https://ui.perfetto.dev): one
 * JSON object `{ traceEvents: [...] }` a standard viewer opens, for runs too big to read as a page.
 *
 * One process (the run), one thread per agent. A piece of work is a complete event (`X`) on the
 * thread of the agent that did it, from the moment the work was sent to the moment its result
 * was; a flow arrow links it to the conductor's send. Every message is also an instant (`i`) on
 * its sender's thread, and each start of a resumed run a global instant. Times are microseconds
 * since the run's first message.
 */
import type { TraceMessage, TraceModel } from './model.ts';

interface TraceEvent {
  name: string;
  ph: 'M' | 'X' | 'i' | 's' | 'f';
  ts: number;
  pid: number;
  tid: number;
  cat?: string;
  dur?: number;
  s?: 'g' | 'p' | 't';
  id?: number;
  bp?: 'e';
  args?: Record<string, unknown>;
}

const PID = 1;
const us = (ms: number) => Math.round(ms * 1000);

export function chromeTraceEvents(model: TraceModel): TraceEvent[] {
  const tids = new Map(model.agents.map((a, i) => [a.name, i + 1]));
  const tid = (name: string) => tids.get(name) ?? 0;
  const events: TraceEvent[] = [{ name: 'process_name', ph: 'M', ts: 0, pid: PID, tid: 0, args: { name: `retrace run ${model.run}` } }];
  for (const [name, t] of tids) {
    events.push({ name: 'thread_name', ph: 'M', ts: 0, pid: PID, tid: t, args: { name } });
    events.push({ name: 'thread_sort_index', ph: 'M', ts: 0, pid: PID, tid: t, args: { sort_index: t } });
  }
  for (const s of model.starts) {
    events.push({ name: s.start === 1 ? 'start' : `start ${s.start} (resumed)`, ph: 'i', s: 'g', ts: us(s.at), pid: PID, tid: 0, cat: 'run', args: { started: s.started } });
  }
  events.push(...workSpans(model.messages, tid));
  for (const m of model.messages) {
    const args: Record<string, unknown> = { seq: m.seq, subject: m.subject, to: m.to, size: m.size };
    if (m.policy) args.policy = m.policy;
    if (m.via) args.via = m.via;
    events.push({ name: m.job ? `${m.type} ${m.job}` : m.type, ph: 'i', s: 't', ts: us(m.at), pid: PID, tid: tid(m.from), cat: m.kind, args });
  }
  return events;
}

/** Each answered piece of work as a span on its doer's thread, with a flow from its sender. */
function workSpans(messages: readonly TraceMessage[], tid: (name: string) => number): TraceEvent[] {
  const results = new Map<string, TraceMessage>();
  for (const m of messages) if (m.kind === 'result' && m.job && !results.has(m.job)) results.set(m.job, m);
  const out: TraceEvent[] = [];
  let flow = 0;
  for (const w of messages) {
    if (w.kind !== 'work' || !w.job) continue;
    const r = results.get(w.job);
    if (!r || r.at < w.at) continue;
    const id = ++flow;
    const doer = tid(r.from);
    out.push({ name: w.job, ph: 'X', ts: us(w.at), dur: Math.max(1, us(r.at) - us(w.at)), pid: PID, tid: doer, cat: 'work', args: { work: w.seq, result: r.seq, by: r.from } });
    out.push({ name: 'work', ph: 's', id, ts: us(w.at), pid: PID, tid: tid(w.from), cat: 'work' });
    out.push({ name: 'work', ph: 'f', bp: 'e', id, ts: us(w.at), pid: PID, tid: doer, cat: 'work' });
  }
  return out;
}

export function renderChromeTrace(model: TraceModel): string {
  const doc = { traceEvents: chromeTraceEvents(model), displayTimeUnit: 'ms', otherData: { run: model.run, started: model.started, messages: model.messages.length, duplicates: model.duplicates } };
  return `${JSON.stringify(doc)}\n`;
}
