/**
 * Holding the model's structure to the facts, where that can be done without loss rather than by
 * asking again:
 * - a plan's milestones are re-cut so that they cover `summary.order` exactly once and in order
 *   (each file stays in the milestone the model put it in, moved later only where needed to keep
 *   the order; files the model left out join the milestone before them; unknown paths are dropped);
 * - a design's path is the file's, its dependencies are exactly the file's imports and externals
 *   (invented ones dropped, missing ones added), and its interface is declared names with their
 *   kinds (function `formatTable`): a signature is a line of the file to come, so an entry that
 *   is one is cut to the declared name it declares.
 */
import { basename } from 'node:path';
import { identifiersOf } from '../../boundary/mod.ts';
import type { DefinitionFacts, FileFacts } from '../facts.ts';
import type { FileDesign, Milestone } from '../types.ts';

/** Whether `text` names the path, its file name, or one of `names` (as a whole word). */
export function mentionsAny(text: string, path: string, names: Iterable<string>): boolean {
  return text.includes(path) || text.includes(basename(path)) || mentionsName(text, names);
}

/** Whether `text` holds one of `names` as a whole word (identifier characters do not continue it). */
export function mentionsName(text: string, names: Iterable<string>): boolean {
  for (const name of names) {
    if (name.length < 2) continue;
    const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    if (new RegExp(`(^|[^\\w$])${escaped}($|[^\\w$])`).test(text)) return true;
  }
  return false;
}

/** The model's milestones re-cut to cover `order` exactly once, in order (see the module comment). */
export function alignMilestones(milestones: readonly Milestone[], order: readonly string[]): Milestone[] {
  const assigned = new Map<string, number>();
  milestones.forEach((m, i) => {
    for (const f of m.files) {
      const path = f.trim().replace(/^\.\//, '');
      if (!assigned.has(path)) assigned.set(path, i);
    }
  });
  const groups: string[][] = milestones.map(() => []);
  let at = 0;
  for (const file of order) {
    const wanted = assigned.get(file);
    if (wanted !== undefined && wanted > at) at = wanted;
    groups[at]!.push(file);
  }
  return milestones.flatMap((m, i) => (groups[i]!.length > 0 ? [{ title: m.title, goal: m.goal, files: groups[i]! }] : []));
}

/** How a design states a public name: its kind and the name (as the grounded architect does), never its signature. */
export function interfaceEntry(d: Pick<DefinitionFacts, 'name' | 'kind'>): string {
  return `${d.kind} \`${d.name}\``;
}

/** The file's definitions the design may declare (`declarable`), once each, in file order. */
export function declaredDefinitions(file: FileFacts, declarable: readonly string[]): DefinitionFacts[] {
  const allowed = new Set(declarable);
  const seen = new Set<string>();
  return file.definitions.filter((d) => allowed.has(d.name) && !seen.has(d.name) && seen.add(d.name));
}

/** The first of `names` an entry states, in the entry's order: `formatTable` in `export function formatTable(rows)`. */
function firstNamed(entry: string, names: ReadonlyMap<string, unknown>): string | undefined {
  for (const id of identifiersOf(entry)) if (names.has(id)) return id;
  return undefined;
}

/** The design held to the facts: the file's own path, its real dependencies, declared names in its interface. */
export function groundDesign(
  design: Omit<FileDesign, 'path'> & { path?: string | undefined },
  file: FileFacts,
  declarable: readonly string[],
): FileDesign {
  const allowed = [...file.imports, ...file.externals];
  const why = new Map<string, string>();
  for (const d of design.dependencies) if (allowed.includes(d.path) && !why.has(d.path) && d.why.trim()) why.set(d.path, d.why.trim());
  const dependencies = allowed.map((path) => ({ path, why: why.get(path) ?? `${file.path} imports it` }));
  const declared = new Map(declaredDefinitions(file, declarable).map((d) => [d.name, d]));
  const chosen: string[] = [];
  for (const entry of design.publicInterface) {
    const name = firstNamed(entry, declared);
    if (name !== undefined && !chosen.includes(name)) chosen.push(name);
  }
  const names = chosen.length > 0 ? chosen : [...declared.keys()];
  return { path: file.path, responsibility: design.responsibility.trim(), publicInterface: names.map((n) => interfaceEntry(declared.get(n)!)), dependencies };
}

/**
 * The public names a design declares for `file`: the file's definitions its interface names
 * (entries are kind and name; an older design's signature lines name them too).
 */
export function declaredNames(design: FileDesign, file: FileFacts): string[] {
  const defined = new Map(file.definitions.map((d) => [d.name, d]));
  const out: string[] = [];
  for (const entry of design.publicInterface) {
    const name = firstNamed(entry, defined);
    if (name !== undefined && !out.includes(name)) out.push(name);
  }
  return out;
}

/** Names a file uses from the repository files it imports (every one was written or designed before it). */
export function importedNames(file: FileFacts, from: readonly string[] = file.imports): string[] {
  const out = new Set<string>();
  for (const path of from) for (const n of file.importUses[path] ?? []) out.add(n);
  return [...out];
}
