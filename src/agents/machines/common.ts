/**
 * What every role machine shares. A machine is pure logic: its context says which command it
 * needs carried out next (`pending`); the agent host carries it out (policy, repo, search, checks)
 * and sends the result back as an event. Tests drive a machine by sending those events and reading
 * snapshots, with no bus, no clock and no I/O.
 */
import type { FileDesign, Finding, Plan, Role, SearchStats, Step } from '../types.ts';

export type Command =
  | { kind: 'plan' }
  | { kind: 'design'; path: string }
  | { kind: 'intent' }
  | { kind: 'testIntent' }
  | { kind: 'read'; path: string }
  | { kind: 'refine'; chunk: number }
  | { kind: 'draft'; chunk: number }
  | { kind: 'check' }
  | { kind: 'review'; findings: Finding[]; baseline: Finding[] }
  | { kind: 'diagnose' }
  | { kind: 'repair' };

export type Answer =
  /** `brief`: what the team is given (README, manifests, file tree), recorded first, not trained on. */
  | { type: 'PLANNED'; brief: string; thoughts: string[]; plan: Plan }
  | { type: 'DESIGNED'; path: string; thought: string; design: FileDesign }
  | { type: 'INTENT'; text: string }
  /** `source: design`: the file is not written yet (an import cycle), so its design is what is read. */
  | { type: 'READ'; path: string; content: string; source: 'file' | 'design' }
  | { type: 'REFINED'; chunk: number; steps: string[]; stats?: SearchStats }
  | { type: 'DRAFTED'; chunk: number; text: string; faulty: boolean }
  /** `findings`: what the real file does not have (faults); `baseline`: what it has too (the checker's limits). */
  | { type: 'CHECKED'; findings: Finding[]; baseline: Finding[]; output: string }
  | { type: 'REVIEWED'; text: string }
  | { type: 'DIAGNOSED'; text: string }
  | { type: 'REPAIRED'; steps: string[]; stats?: SearchStats; edit: { old: string; new: string } };

/** Who is speaking in the steps a machine records. */
export interface Speaker {
  role: Role;
  /** `id@revision` of the policy for this piece of work. */
  policy: string;
}

export const think = (s: Speaker, text: string, extra: Partial<Step> = {}): Step => ({
  role: s.role,
  kind: 'think',
  text,
  train: true,
  policy: s.policy,
  ...extra,
});

/**
 * A thought, as steps: none when the policy had nothing to say inside the knowledge boundary (a
 * repaired text can be empty), so no empty think is ever trained on.
 */
export const thoughts = (s: Speaker, text: string, extra: Partial<Step> = {}): Step[] => (text.trim().length > 0 ? [think(s, text, extra)] : []);

export const action = (s: Speaker, tool: NonNullable<Step['tool']>, text: string, extra: Partial<Step> = {}): Step => ({
  role: s.role,
  kind: 'action',
  tool,
  text,
  train: true,
  policy: s.policy,
  ...extra,
});

/** Observations are what the world answered: context for the model, never a training target. */
export const observation = (s: Speaker, tool: NonNullable<Step['tool']>, text: string, extra: Partial<Step> = {}): Step => ({
  role: s.role,
  kind: 'observation',
  tool,
  text,
  train: false,
  policy: s.policy,
  ...extra,
});

/** Reasoning steps from the search; the last carries the search statistics. */
export function reasoningSteps(s: Speaker, texts: readonly string[], path: string, stats?: SearchStats): Step[] {
  return texts.map((t, i) => think(s, t, { path, ...(stats && i === texts.length - 1 ? { search: stats } : {}) }));
}

export function renderPlan(plan: Plan): string {
  const lines = [plan.overview, '', 'Requirements:', ...plan.requirements.map((r) => `- ${r}`), '', 'Milestones:'];
  for (const m of plan.milestones) lines.push(`- ${m.title}: ${m.goal}`, ...m.files.map((f) => `  - ${f}`));
  return lines.join('\n');
}

export function renderDesign(d: FileDesign): string {
  const lines = [`${d.path}: ${d.responsibility}`];
  if (d.publicInterface.length > 0) lines.push('Interface:', ...d.publicInterface.map((s) => `- ${s}`));
  if (d.dependencies.length > 0) lines.push('Uses:', ...d.dependencies.map((x) => `- ${x.path}: ${x.why}`));
  return lines.join('\n');
}

export function renderFindings(findings: readonly Finding[]): string {
  if (findings.length === 0) return 'ok: no findings';
  return findings.map((f) => `${f.check} line ${f.line}: ${f.message}`).join('\n');
}
