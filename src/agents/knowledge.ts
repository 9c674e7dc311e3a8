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
import { Knowledge, NameSetView, type SequenceGuard } from '../boundary/mod.ts';
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


/**
 * What a workspace's repository gives every piece of work the same: the brief, the brief as known
 * text (tokenised once), and where each name is first defined. Kept beside the workspace (which never changes), so no piece of work walks the whole
 * order again: a repository of 20,000 files would make that quadratic.
 */
interface OrderIndex {
  brief?: string;
  briefKnown?: Knowledge;
  /** Name -> the first position of a file defining it (top-level), for the files scanned so far. */
  firstDefined: Map<string, number>;
  /** Files of the order scanned into `firstDefined`. */
  scanned: number;
}

const indexes = new WeakMap<Workspace, OrderIndex>();

function indexOf(ws: Workspace): OrderIndex {
  let ix = indexes.get(ws);
  if (!ix) {
    ix = { firstDefined: new Map(), scanned: 0 };
    indexes.set(ws, ix);
  }
  return ix;
}

/** What the team is given before anything is written: the README's first lines, the manifests, the file tree. */
export function briefOf(ws: Workspace): string {
  const ix = indexOf(ws);
  ix.brief ??= composeBrief(ws);
  return ix.brief;
}

function composeBrief(ws: Workspace): string {
  const files = ws.graph.data.files.map((f) => f.path);
  const present = new Set(files);
  const parts: string[] = [];
  const readme = files.find((f) => /^readme(\.\w+)?$/i.test(f));
  if (readme) parts.push(`${readme} (first lines):\n${ws.read(readme).split('\n').slice(0, BRIEF_README_LINES).join('\n').trimEnd()}`);
  for (const m of MANIFESTS) {
    if (!present.has(m)) continue;
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
  const i = ws.position(dep);
  return i >= 0 && i < ws.position(path);
}

/**
 * The names of the top-level definitions of the files written before position `end`, as a set
 * that is asked, not built: a name is in it when a file before `end` defines it. Iterated in the
 * order the names are first defined.
 */
class NamesBefore extends NameSetView {
  constructor(
    private readonly first: ReadonlyMap<string, number>,
    private readonly end: number,
  ) {
    super();
  }

  has(name: string): boolean {
    const at = this.first.get(name);
    return at !== undefined && at < this.end;
  }

  get size(): number {
    let n = 0;
    for (const at of this.first.values()) if (at < this.end) n++;
    return n;
  }

  *[Symbol.iterator](): IterableIterator<string> {
    for (const [name, at] of this.first) if (at < this.end) yield name;
  }

}

/** Names of the top-level definitions of the files written before `path`: declared by their designs, then written. */
export function namesBefore(ws: Workspace, path: string): ReadonlySet<string> {
  const ix = indexOf(ws);
  const end = Math.max(0, ws.position(path));
  // The files up to `end` scanned once, in order: a name's first file is the earliest.
  for (; ix.scanned < end; ix.scanned++) {
    const p = ws.order[ix.scanned]!;
    if (!ws.graph.data.facts.has(p)) continue;
    for (const d of ws.facts(p).definitions) if (!ix.firstDefined.has(d.name)) ix.firstDefined.set(d.name, ix.scanned);
  }
  return new NamesBefore(ix.firstDefined, end);
}

/**
 * Known before anything of `path` is said: the brief, and the names of what is written before it.
 * The brief is tokenised once per workspace (a sealed Knowledge every file's is built on).
 */
export function knowledgeBefore(ws: Workspace, brief: string, path: string): Knowledge {
  const ix = indexOf(ws);
  let base: Knowledge;
  if (brief === briefOf(ws)) base = ix.briefKnown ??= new Knowledge(null).addText(brief);
  else base = new Knowledge(null).addText(brief);
  return base.extend(languageOf(path)).addNameSet(namesBefore(ws, path));
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
  if (writtenBefore(ws, dep, path) || ws.position(dep) < 0) return { content: ws.read(dep), source: 'file' };
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
