/**
 * The knowledge boundary as each role meets it (docs/reasoning.md): what the team is given (the
 * brief), what is known before a file is written, and the one enforcement every policy's text goes
 * through before it is recorded. The boundary itself (what is known, what is the answer, the guard
 * on sequences) is src/boundary; this file only says where its inputs come from in a workspace.
 *
 * Invariant: everything added here as known appears in the trajectory before the text it guards
 * (the brief is its first step, designs precede all writes, reads and earlier chunks precede the
 * chunk), so the agents' guards are never looser than `retrace stats`.
 */
import { Knowledge, type SequenceGuard } from '../boundary/mod.ts';
import { languageOf } from '../graph/languages.ts';
import type { Logger } from 'pino';
import { MANIFESTS } from './facts.ts';
import type { FileDesign } from './types.ts';
import type { Workspace } from './workspace.ts';
import { renderDesign } from './machines/common.ts';

const BRIEF_README_LINES = 30;
const BRIEF_MANIFEST_LINES = 60;
const BRIEF_TREE_FILES = 1000;
/** The planner's text is held against this much of the repository (in writing order). */
const PLAN_ANSWER_CHARS = 1_000_000;


/** What the team is given before anything is written: the README's first lines, the manifests, the file tree. */
export function briefOf(ws: Workspace): string {
  const files = ws.graph.data.files.map((f) => f.path);
  const parts: string[] = [];
  const readme = files.find((f) => /^readme(\.\w+)?$/i.test(f));
  if (readme) parts.push(`${readme} (first lines):\n${ws.read(readme).split('\n').slice(0, BRIEF_README_LINES).join('\n').trimEnd()}`);
  for (const m of MANIFESTS) {
    if (!files.includes(m)) continue;
    const lines = ws.read(m).split('\n');
    const shown = lines.slice(0, BRIEF_MANIFEST_LINES).join('\n').trimEnd();
    parts.push(`${m}:\n${shown}${lines.length > BRIEF_MANIFEST_LINES ? `\n(${lines.length - BRIEF_MANIFEST_LINES} more lines)` : ''}`);
  }
  const tree = files.slice(0, BRIEF_TREE_FILES).join('\n');
  parts.push(`Files (${files.length}):\n${tree}${files.length > BRIEF_TREE_FILES ? `\n(${files.length - BRIEF_TREE_FILES} more)` : ''}`);
  return parts.join('\n\n');
}

/** Whether `dep` is written before `path` in the writing order. */
export function writtenBefore(ws: Workspace, dep: string, path: string): boolean {
  const i = ws.order.indexOf(dep);
  return i >= 0 && i < ws.order.indexOf(path);
}

/** Names of the top-level definitions of the files written before `path`: declared by their designs, then written. */
function namesBefore(ws: Workspace, path: string): string[] {
  const out: string[] = [];
  const end = ws.order.indexOf(path);
  for (const p of ws.order.slice(0, Math.max(0, end))) {
    if (ws.graph.data.facts.has(p)) for (const d of ws.facts(p).definitions) out.push(d.name);
  }
  return out;
}

/** Known before anything of `path` is said: the brief, and the names of what is written before it. */
export function knowledgeBefore(ws: Workspace, brief: string, path: string): Knowledge {
  return new Knowledge(languageOf(path)).addText(brief).addNames(namesBefore(ws, path));
}

/**
 * Names a design may declare for `path`: its top-level definitions (its public interface) and the
 * names it uses from files written before it (its dependencies).
 */
export function declarableNames(ws: Workspace, path: string): string[] {
  const f = ws.facts(path);
  const names = new Set(f.definitions.map((d) => d.name));
  // Of a dependency, only what its own design declared: its top-level definitions (not its members).
  for (const dep of f.imports) {
    if (!writtenBefore(ws, dep, path) || !ws.graph.data.facts.has(dep)) continue;
    const top = new Set(ws.facts(dep).definitions.map((d) => d.name));
    for (const n of f.importUses[dep] ?? []) if (top.has(n)) names.add(n);
  }
  return [...names];
}

/** The repository as the planner's answer: everything, in writing order, up to a size. */
export function repositoryText(ws: Workspace): string {
  const parts: string[] = [];
  let size = 0;
  for (const p of ws.order) {
    const t = ws.read(p);
    if (size + t.length > PLAN_ANSWER_CHARS) break;
    parts.push(t);
    size += t.length;
  }
  return parts.join('\n');
}

/** What a Read of `dep` returns while `path` is written: the file, or its design when it is not written yet. */
export function readFor(ws: Workspace, dep: string, path: string, designs: readonly FileDesign[] | undefined): { content: string; source: 'file' | 'design' } {
  if (writtenBefore(ws, dep, path) || ws.order.indexOf(dep) < 0) return { content: ws.read(dep), source: 'file' };
  const design = designs?.find((d) => d.path === dep);
  const text = design ? renderDesign(design) : `${dep}: not written yet.`;
  return { content: `(${dep} is not written yet; its design:)\n${text}`, source: 'design' };
}

/** Sentences of a text, each with its end: what a repair may keep or drop. */
export function sentences(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const parts = line.split(/(?<=[.!?:])\s+(?=[A-Z`(])/);
    for (const p of parts) if (p.trim().length > 0) out.push(p.trim());
  }
  return out;
}

/**
 * The one enforcement: a text that crosses the boundary keeps only the sentences that stay inside
 * it (as one sequence with what the guard says came before). Every policy's text passes here
 * before it is recorded, whatever the policy did itself.
 */
export function enforce(guard: SequenceGuard, text: string, log?: Logger, what = 'text'): string {
  if (guard.admits([text])) return text;
  const kept = guard.keep(sentences(text)).join(' ');
  log?.warn({ what, violations: guard.violations([text]).slice(0, 5).map((v) => `${v.kind}: ${v.detail}`) }, 'policy text crossed the knowledge boundary: repaired');
  return kept;
}
