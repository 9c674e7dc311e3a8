/**
 * The role prompts: the facts of each task, and its messages rendered from its template
 * (templates.ts; the built-in ones are `templates/<task>.md`): a system message (who speaks, the
 * house rules, the knowledge boundary) and a user message (`Task: <kind>`, what to write, the facts
 * as a JSON block, and the JSON shape to answer with).
 *
 * The facts keep apart what the model may state and what it may only read: `mayName` lists the
 * names inside the knowledge boundary (declared public names, names used from files already
 * written); `hindsight` holds what the file will be (its definitions, signatures, docs), so that
 * the model understands purpose and shape, never to be quoted. The policy checks every answer
 * against the boundary anyway (boundary.ts).
 *
 * Facts go in as JSON because models read it reliably and because it keeps every name verbatim;
 * long lists are cut (`…and N more`) so a large repository still makes a prompt of bounded size.
 */
import type { DefinitionFacts, FileFacts } from '../facts.ts';
import type { CheckReviewInput, DesignInput, DiagnoseInput, FileIntentInput, PlanInput, TestIntentInput } from '../policy.ts';
import type { FileDesign } from '../types.ts';
import type { ChatMessage } from './chat.ts';
import { declaredDefinitions, declaredNames, importedNames, interfaceEntry } from './grounding.ts';
import { defaultPromptTemplates, renderPrompt, type PromptTemplates, type TaskKind } from './templates.ts';

export type { TaskKind } from './templates.ts';

export const MAX_LISTED_FILES = 300;
const MAX_DEFINITIONS = 60;
const MAX_CONTEXT_CHARS = 6000;
/** Names listed under `mayName`: enough for any file's interface and imports, bounded for huge ones. */
const MAX_NAMES = 60;

/** A task's messages from its template: the facts as an indented JSON block, and the task's own values. */
function prompt(templates: PromptTemplates, kind: TaskKind, facts: unknown, values: Record<string, unknown> = {}): ChatMessage[] {
  return renderPrompt(templates, kind, { ...values, facts: JSON.stringify(facts, null, 1) });
}

function capped<T>(items: readonly T[], max: number): T[] | [...T[], string] {
  return items.length <= max ? [...items] : [...items.slice(0, max), `…and ${items.length - max} more`];
}

/** Names, once each, in order, at most `max`. */
function nameList(names: Iterable<string>, max = MAX_NAMES): string[] {
  return [...new Set(names)].slice(0, max);
}

export function definitionFacts(d: DefinitionFacts): Record<string, unknown> {
  return { name: d.name, kind: d.kind, signature: d.signature, lines: `${d.startLine}-${d.endLine}`, ...(d.doc ? { doc: d.doc } : {}) };
}

/** What the team knows of a file before writing it: where it sits, what it imports, who imports it. */
export function fileFactsJson(f: FileFacts): Record<string, unknown> {
  return {
    path: f.path,
    language: f.language,
    lines: f.lines,
    isTest: f.isTest,
    imports: f.imports,
    importUses: f.importUses,
    externals: f.externals,
    dependents: capped(f.dependents, 40),
  };
}

/** What the file will be: its header comment, its definitions with signatures and docs. Read, never stated. */
export function fileHindsight(f: FileFacts): Record<string, unknown> {
  return {
    ...(f.headerDoc ? { headerDoc: f.headerDoc } : {}),
    definitions: capped(f.definitions.map(definitionFacts), MAX_DEFINITIONS),
  };
}

export function planPrompt(input: PlanInput, templates = defaultPromptTemplates()): ChatMessage[] {
  const summary = input.summary;
  const facts = {
    name: summary.name,
    languages: summary.languages,
    ...(summary.readme ? { readme: summary.readme } : {}),
    manifests: summary.manifests,
    topDirs: summary.topDirs,
    tests: capped(summary.tests, 60),
    order: capped(summary.order, MAX_LISTED_FILES),
  };
  return prompt(templates, 'plan', facts, { name: summary.name });
}

export function designPrompt(input: DesignInput, templates = defaultPromptTemplates()): ChatMessage[] {
  const facts = {
    overview: input.overview,
    milestone: { title: input.milestone.title, goal: input.milestone.goal },
    file: fileFactsJson(input.file),
    declares: declaredDefinitions(input.file, input.declarable).map((d) => ({ name: d.name, kind: d.kind, entry: interfaceEntry(d) })),
    mayName: nameList(input.declarable),
    hindsight: fileHindsight(input.file),
  };
  return prompt(templates, 'design', facts, { path: input.file.path });
}

export function fileIntentPrompt(input: FileIntentInput, templates = defaultPromptTemplates()): ChatMessage[] {
  const facts = {
    file: fileFactsJson(input.file),
    design: input.design,
    chunks: input.chunks,
    reads: input.reads.map((r) => ({ path: r.path, read: r.written ? 'the file as written' : 'its design (the file is not written yet)' })),
    mayName: nameList([...declaredNames(input.design, input.file), ...importedNames(input.file)]),
    hindsight: fileHindsight(input.file),
  };
  return prompt(templates, 'file-intent', facts, { path: input.file.path, chunks: input.chunks, inPieces: input.chunks > 1 });
}

export function reviewChecksPrompt(input: CheckReviewInput, templates = defaultPromptTemplates()): ChatMessage[] {
  const facts = { path: input.path, checks: input.checks, findings: input.findings, baseline: input.baseline };
  const hasFindings = input.findings.length > 0;
  const hasBaseline = input.baseline.length > 0;
  // Three cases, one of them said: faults of what was written, no finding at all, or only the checker's limits.
  const cases = { hasFindings, passed: !hasFindings && !hasBaseline, onlyBaseline: !hasFindings && hasBaseline, hasBaseline };
  return prompt(templates, 'review-checks', facts, { path: input.path, ...cases });
}

export function diagnosePrompt(input: DiagnoseInput, templates = defaultPromptTemplates()): ChatMessage[] {
  const d = input.definition;
  const facts = {
    path: input.path,
    findings: input.findings,
    excerpt: input.excerpt,
    ...(d ? { definition: { name: d.name, kind: d.kind, lines: `${d.startLine}-${d.endLine}` } } : {}),
  };
  return prompt(templates, 'diagnose', facts, { path: input.path });
}

export function testIntentPrompt(input: TestIntentInput, templates = defaultPromptTemplates()): ChatMessage[] {
  const facts = { file: fileFactsJson(input.file), subjects: input.subjects, mayName: nameList(importedNames(input.file)), hindsight: fileHindsight(input.file) };
  return prompt(templates, 'test-intent', facts, { path: input.file.path, subjects: input.subjects.join(', ') });
}

/** The proposer's view of its target (target-sketch.ts): what it may state, and hindsight it may only read. */
export interface TargetSketch {
  /** The file the target sits in. */
  path: string;
  kind: string;
  /** Its name, when the team may state it (declared, or used already). */
  name?: string;
  isAsync: boolean;
  /** How many parameters it takes (their names are its own: the answer). */
  params: number;
  /** How many names of its own it declares (parameters and locals): none of them is to be stated. */
  ownNames: number;
  lines: number;
  control: Record<string, number>;
  /** The names its steps may state: known names the target uses, and the file's declared names. */
  mayName: string[];
  /** What it calls, constructs, throws, imports and extends: only what states names the team knows. */
  calls: string[];
  constructs: string[];
  errors: string[];
  dependencies: string[];
  extends?: string;
  /** The declaration's first line and the doc above it: to understand, never to quote or name from. */
  hindsight: { signature?: string; doc?: string };
}

export function proposePrompt(
  sketch: TargetSketch,
  design: FileDesign | undefined,
  context: string,
  steps: readonly string[],
  k: number,
  templates = defaultPromptTemplates(),
): ChatMessage[] {
  const facts = {
    target: sketch,
    ...(design ? { fileDesign: { responsibility: design.responsibility, publicInterface: design.publicInterface } } : {}),
    contextTail: context.length > MAX_CONTEXT_CHARS ? `…${context.slice(-MAX_CONTEXT_CHARS)}` : context,
    stepsSoFar: steps,
  };
  return prompt(templates, 'propose', facts, { k });
}
