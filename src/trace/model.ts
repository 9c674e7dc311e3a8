/**
 * What the views show, computed once from a trace: who sent each message to whom, the agents,
 * the searches with their trees, and the policy revisions of each role.
 *
 * Receivers are inferred, since a subject names a role, not a process: a work message goes to the
 * instance whose result answers the same job (or to the role, when no result was recorded), a
 * result goes to the conductor, steps and search events go to the recorder (observers).
 */
import type { TraceHeader, TraceRecord } from './record.ts';
import type { TraceStart } from './recorder.ts';
import { CopyFilter } from './identity.ts';

export const CONDUCTOR = 'conductor';
export const OBSERVERS = 'recorder';
const ROLE_ORDER = ['planner', 'architect', 'coder', 'tester', 'debugger'];

export type MessageKind = 'work' | 'result' | 'step' | 'search' | 'other';

export interface TraceMessage {
  seq: number;
  /** Milliseconds since the first message. */
  at: number;
  kind: MessageKind;
  from: string;
  to: string;
  subject: string;
  type: string;
  job?: string;
  policy?: string;
  traceparent: string;
  parentSpan?: string;
  size: number;
  cut?: number;
  /** Which start of the run it belongs to (1 unless the run was resumed). */
  start: number;
  /** `queue`: taken by the run from its results queue, never heard on the bus (see TraceRecord). */
  via?: 'queue';
  body: unknown;
}

export interface AgentInfo {
  name: string;
  /** The role part of `role/instance`, or the name. */
  role: string;
  sent: number;
  received: number;
}

export interface SearchNodeView {
  id: number;
  parent: number;
  step: string;
  depth: number;
  prior?: number;
  visits?: number;
  value?: number;
  reward?: number;
}

export interface SearchView {
  seq: number;
  at: number;
  job: string;
  by: string;
  policy?: string;
  path?: string;
  chunk?: number;
  method?: string;
  reward?: number;
  scorerCalls?: number;
  /** The reasoning the search kept. */
  steps: string[];
  nodes: SearchNodeView[];
  bestPath: number[];
}

export interface PolicyRevision {
  role: string;
  policy: string;
  /** When the role first used it, ms since the first message, and which message. */
  firstAt: number;
  firstSeq: number;
  messages: number;
  /** Its spec, when the trace holds it (the revisions the run started with). */
  spec?: unknown;
}

/** A start of the run: 1, and one more per resume. */
export interface StartView {
  start: number;
  /** ISO time the start's recorder began. */
  started: string;
  /** When it began, ms since the first message of the run (0 at the earliest). */
  at: number;
  messages: number;
}

export interface TraceModel {
  run: string;
  started: string;
  durationMs: number;
  /** In the order they were sent (their send stamps), each message once. */
  messages: TraceMessage[];
  /** The starts of the run (more than one when it was resumed). */
  starts: StartView[];
  /** Records dropped as copies of a message already shown (redeliveries, publishes sent again). */
  duplicates: number;
  /** Conductor first, then instances by role (planner .. debugger), others, the observers last. */
  agents: AgentInfo[];
  searches: SearchView[];
  policies: PolicyRevision[];
  /** Count of messages per type. */
  types: Record<string, number>;
}

function kindOf(r: TraceRecord): MessageKind {
  const rest = r.subject.split('.').slice(2);
  if (rest[0] === 'work') return 'work';
  if (rest[0] === 'result') return 'result';
  if (rest[0] === 'trace') return 'step';
  if (rest[0] === 'event' && rest[1] === 'search') return 'search';
  return 'other';
}

const roleOf = (agent: string) => agent.split('/')[0] ?? agent;

function obj(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

/** The records each shown once, with the start each belongs to, in the order they were sent. */
function distinctRecords(records: readonly TraceRecord[], starts: readonly TraceStart[]): { kept: Array<{ r: TraceRecord; start: number }>; dropped: number } {
  const copies = new CopyFilter();
  const kept: Array<{ r: TraceRecord; start: number }> = [];
  let s = 0;
  for (const [i, r] of records.entries()) {
    while (s + 1 < starts.length && starts[s + 1]!.index <= i) {
      s++;
      copies.newStart();
    }
    if (copies.admit(r)) kept.push({ r, start: starts[s]?.start ?? 1 });
  }
  kept.sort((a, b) => a.r.time - b.r.time || a.r.seq - b.r.seq);
  return { kept, dropped: copies.dropped };
}

function receiverOf(r: TraceRecord, kind: MessageKind, handledBy: Map<string, string>): string {
  if (kind === 'work') return (r.job && handledBy.get(r.job)) || r.subject.split('.')[3] || 'unknown';
  if (kind === 'result') return CONDUCTOR;
  if (kind === 'step' || kind === 'search') return OBSERVERS;
  return r.subject.split('.').slice(2).join('.') || OBSERVERS;
}

export function buildModel(header: TraceHeader, records: readonly TraceRecord[], starts: readonly TraceStart[] = [{ start: header.start ?? 1, started: header.started, index: 0 }]): TraceModel {
  const { kept, dropped } = distinctRecords(records, starts);
  const t0 = kept[0]?.r.time ?? 0;
  const handledBy = new Map<string, string>();
  for (const { r } of kept) {
    if (kindOf(r) === 'result' && r.job && r.sender) handledBy.set(r.job, r.sender);
  }
  const messages: TraceMessage[] = kept.map(({ r, start }) => {
    const kind = kindOf(r);
    const from = r.sender ?? 'unknown';
    const to = receiverOf(r, kind, handledBy);
    const m: TraceMessage = { seq: r.seq, at: r.time - t0, kind, from, to, subject: r.subject, type: r.type, traceparent: r.traceparent, size: r.size, start, body: r.body };
    if (r.job !== undefined) m.job = r.job;
    if (r.policy !== undefined) m.policy = r.policy;
    if (r.parentSpan !== undefined) m.parentSpan = r.parentSpan;
    if (r.cut !== undefined) m.cut = r.cut;
    if (r.via !== undefined) m.via = r.via;
    return m;
  });

  const agents = new Map<string, AgentInfo>();
  const agent = (name: string) => {
    let a = agents.get(name);
    if (!a) {
      a = { name, role: roleOf(name), sent: 0, received: 0 };
      agents.set(name, a);
    }
    return a;
  };
  for (const m of messages) {
    agent(m.from).sent++;
    agent(m.to).received++;
  }
  const rank = (a: AgentInfo) => {
    if (a.name === CONDUCTOR) return -1;
    if (a.name === OBSERVERS) return 100;
    const i = ROLE_ORDER.indexOf(a.role);
    return i === -1 ? 50 : i;
  };
  const agentList = [...agents.values()].sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));

  const searches: SearchView[] = [];
  for (const m of messages) {
    if (m.kind !== 'search') continue;
    const b = obj(m.body);
    const stats = obj(b.stats);
    const tree = obj(b.tree);
    const nodes = Array.isArray(tree.nodes) ? tree.nodes.map(obj) : [];
    const view: SearchView = {
      seq: m.seq,
      at: m.at,
      job: m.job ?? '',
      by: m.from,
      steps: Array.isArray(b.steps) ? b.steps.map(String) : [],
      nodes: nodes.map((n) => {
        const node: SearchNodeView = { id: num(n.id) ?? -1, parent: num(n.parent) ?? -1, step: str(n.step) ?? '', depth: num(n.depth) ?? 0 };
        for (const k of ['prior', 'visits', 'value', 'reward'] as const) {
          const v = num(n[k]);
          if (v !== undefined) node[k] = v;
        }
        return node;
      }),
      bestPath: Array.isArray(tree.bestPath) ? tree.bestPath.filter((x): x is number => typeof x === 'number') : [],
    };
    if (m.policy !== undefined) view.policy = m.policy;
    const path = str(b.path);
    if (path !== undefined) view.path = path;
    const chunk = num(b.chunk);
    if (chunk !== undefined) view.chunk = chunk;
    const method = str(stats.method) ?? str(tree.method);
    if (method !== undefined) view.method = method;
    const reward = num(stats.reward);
    if (reward !== undefined) view.reward = reward;
    const calls = num(stats.scorerCalls);
    if (calls !== undefined) view.scorerCalls = calls;
    searches.push(view);
  }

  const policies: PolicyRevision[] = [];
  const byKey = new Map<string, PolicyRevision>();
  for (const m of messages) {
    if (!m.policy) continue;
    const role = roleOf(m.from);
    const key = `${role}\u0000${m.policy}`;
    let p = byKey.get(key);
    if (!p) {
      p = { role, policy: m.policy, firstAt: m.at, firstSeq: m.seq, messages: 0 };
      if (header.policies?.[m.policy] !== undefined) p.spec = header.policies[m.policy];
      byKey.set(key, p);
      policies.push(p);
    }
    p.messages++;
  }
  policies.sort((a, b) => {
    const ra = ROLE_ORDER.indexOf(a.role);
    const rb = ROLE_ORDER.indexOf(b.role);
    return (ra === -1 ? 50 : ra) - (rb === -1 ? 50 : rb) || a.role.localeCompare(b.role) || a.firstSeq - b.firstSeq;
  });

  const types: Record<string, number> = {};
  for (const m of messages) types[m.type] = (types[m.type] ?? 0) + 1;
  const last = messages[messages.length - 1];
  return { run: header.run, started: header.started, durationMs: last ? last.at : 0, messages, starts: startViews(starts, messages, t0), duplicates: dropped, agents: agentList, searches, policies, types };
}

function startViews(starts: readonly TraceStart[], messages: readonly TraceMessage[], t0: number): StartView[] {
  const counts = new Map<number, number>();
  for (const m of messages) counts.set(m.start, (counts.get(m.start) ?? 0) + 1);
  return starts.map((s) => {
    const began = Date.parse(s.started);
    return { start: s.start, started: s.started, at: Number.isFinite(began) && t0 > 0 ? Math.max(0, began - t0) : 0, messages: counts.get(s.start) ?? 0 };
  });
}
