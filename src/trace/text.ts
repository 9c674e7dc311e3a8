/** The text timeline: a summary, then one line per message (`+ms sender -> subject type job`). */
import type { StartView, TraceMessage, TraceModel } from './model.ts';
import { RUN_MODELS, sumModelCalls, type ModelCalls, type ModelCallStats } from '../accounting/model-calls.ts';

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} kB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** Single-line and printable: control characters of a body never reach the terminal raw. */
function clean(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
}

export function renderText(model: TraceModel): string {
  const out: string[] = [];
  const agents = model.agents;
  const starts = model.starts.length > 1 ? ` · ${model.starts.length} starts (resumed)` : '';
  const copies = model.duplicates > 0 ? ` · ${model.duplicates} duplicate copies not shown` : '';
  out.push(`run ${clean(model.run)} · started ${model.started} · ${model.messages.length} messages · ${agents.length} agents · ${model.durationMs.toFixed(0)} ms${starts}${copies}`);
  out.push(`agents: ${agents.map((a) => `${clean(a.name)} (${a.sent} sent, ${a.received} received)`).join(', ')}`);
  out.push(`types: ${Object.entries(model.types).map(([t, n]) => `${clean(t)} ${n}`).join(', ')}`);
  if (model.policies.length > 0) {
    out.push(`policies: ${model.policies.map((p) => `${clean(p.role)} ${clean(p.policy)} from +${p.firstAt.toFixed(1)}ms (${p.messages} messages)`).join(', ')}`);
  }
  out.push(...modelCallLines(model.messages));
  out.push('');
  const width = Math.max(...model.messages.map((m) => `+${m.at.toFixed(1)}ms`.length), 0);
  const boundaries = model.starts.slice(1);
  for (const m of model.messages) {
    while (boundaries.length > 0 && boundaries[0]!.at <= m.at) out.push(startLine(boundaries.shift()!));
    const line = messageLine(m, width, m.kind === 'work' || m.kind === 'result' ? m.to : undefined);
    out.push(m.via === 'queue' ? `${line} (taken from the queue: sent while no recorder listened)` : line);
  }
  for (const b of boundaries) out.push(startLine(b));
  return `${out.join('\n')}\n`;
}

const usd = (x: number | null | undefined) => (x === undefined ? '' : x === null ? ', no price' : `, $${x.toFixed(4)}`);

function entryText(who: string, s: ModelCallStats): string {
  const lat = s.latencyMs ? `, p50 ${s.latencyMs.p50} ms, p95 ${s.latencyMs.p95} ms` : '';
  return `${clean(who)} ${clean(s.model)} ${s.requests} requests (${s.cached} cached, ${s.errors} errors), ${s.promptTokens} prompt + ${s.completionTokens} completion tokens${lat}${usd(s.costUsd)}`;
}

/**
 * The run's model calls, from its closing `run.models` message; a resumed run has one per start
 * (each process's own calls), added up. None without.
 */
function modelCallLines(messages: readonly TraceMessage[]): string[] {
  const each = messages.filter((x) => x.type === RUN_MODELS && x.body && typeof x.body === 'object').map((x) => x.body as ModelCalls);
  const m = each.length === 1 ? each[0] : sumModelCalls(each);
  if (!m?.total) return [];
  const t = m.total;
  const entries = [...Object.entries(m.roles ?? {}).map(([role, s]) => entryText(role, s)), ...(m.scorer ? [entryText('scorer', m.scorer)] : [])];
  return [`model calls: ${t.requests} requests (${t.cached} cached, ${t.errors} errors), ${t.promptTokens} prompt + ${t.completionTokens} completion tokens${usd(t.costUsd)}${entries.length > 0 ? `: ${entries.join('; ')}` : ''}`];
}

/** The line that marks where a resumed run's start begins. */
export function startLine(s: StartView): string {
  return `--- start ${s.start} (resumed) at +${s.at.toFixed(1)}ms, ${s.started} ---`;
}

/** One message as a timeline line: `+ms sender -> subject type job (to x) [policy] size`. */
export function messageLine(m: { at: number; from: string; subject: string; type: string; job?: string; policy?: string; size: number }, width = 0, to?: string): string {
  const parts = [`+${m.at.toFixed(1)}ms`.padStart(width), clean(m.from), '->', clean(m.subject), clean(m.type)];
  if (m.job) parts.push(clean(m.job));
  if (to) parts.push(`(to ${clean(to)})`);
  if (m.policy) parts.push(`[${clean(m.policy)}]`);
  parts.push(formatBytes(m.size));
  return parts.join(' ');
}
