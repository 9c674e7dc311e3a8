/**
 * The message flow as a Mermaid `sequenceDiagram`. Work and results are one arrow each; a run of
 * consecutive steps (or search events) of one job from one sender is one arrow to the recorder
 * labelled with its count, so the arrows' counts add up to the number of messages. A note over
 * an agent marks each policy revision it starts using.
 */
import { CONDUCTOR, OBSERVERS, type TraceMessage, type TraceModel } from './model.ts';

/** Mermaid labels end at a newline and treat `;` and `#` specially: those become entity codes. */
function label(s: string): string {
  return s.replace(/[\r\n\t]+/g, ' ').replace(/[#;<>&"%]/g, (c) => `#${c.charCodeAt(0)};`);
}

export function renderMermaid(model: TraceModel): string {
  const ids = new Map<string, string>();
  const lines = ['sequenceDiagram'];
  lines.push(`  %% retrace run ${label(model.run)}: ${model.messages.length} messages, ${model.agents.length} participants`);
  model.agents.forEach((a, i) => {
    const id = a.name === CONDUCTOR ? 'C' : a.name === OBSERVERS ? 'R' : `A${i}`;
    ids.set(a.name, id);
    lines.push(`  participant ${id} as ${label(a.name)}`);
  });
  const id = (name: string) => ids.get(name) ?? 'R';
  const policyOf = new Map<string, string>();
  let i = 0;
  const msgs = model.messages;
  const boundaries = model.starts.slice(1);
  const last = model.agents.length > 1 ? `${id(model.agents[0]!.name)},${id(model.agents[model.agents.length - 1]!.name)}` : 'C';
  const startNote = () => `  Note over ${last}: ${label(`start ${boundaries.shift()!.start} (resumed)`)}`;
  while (i < msgs.length) {
    const m = msgs[i]!;
    while (boundaries.length > 0 && boundaries[0]!.at <= m.at) lines.push(startNote());
    if (m.policy && policyOf.get(m.from) !== m.policy) {
      const before = policyOf.get(m.from);
      policyOf.set(m.from, m.policy);
      lines.push(`  Note over ${id(m.from)}: ${label(before ? `policy ${before} -> ${m.policy}` : `policy ${m.policy}`)}`);
    }
    if (m.kind === 'step' || m.kind === 'search') {
      let j = i + 1;
      while (j < msgs.length && sameGroup(msgs[j]!, m)) j++;
      const n = j - i;
      const what = m.kind === 'step' ? (n === 1 ? 'step' : 'steps') : n === 1 ? 'search' : 'searches';
      lines.push(`  ${id(m.from)}--)${id(m.to)}: ${label(`${n} ${what} ${m.job ?? ''}`.trim())}`);
      i = j;
      continue;
    }
    const arrow = m.kind === 'result' ? '-->>' : '->>';
    const extra = m.kind === 'result' ? resultNote(m) : '';
    lines.push(`  ${id(m.from)}${arrow}${id(m.to)}: ${label(`${m.type} ${m.job ?? m.subject}${extra}`)}`);
    i++;
  }
  while (boundaries.length > 0) lines.push(startNote());
  return `${lines.join('\n')}\n`;
}

function sameGroup(a: TraceMessage, b: TraceMessage): boolean {
  return a.kind === b.kind && a.from === b.from && a.job === b.job && a.policy === b.policy;
}

function resultNote(m: TraceMessage): string {
  const body = m.body as { steps?: unknown; error?: unknown } | null;
  const parts: string[] = [];
  if (body && Array.isArray(body.steps)) parts.push(`${body.steps.length} steps`);
  if (body && typeof body.error === 'string') parts.push('error');
  return parts.length ? ` (${parts.join(', ')})` : '';
}
