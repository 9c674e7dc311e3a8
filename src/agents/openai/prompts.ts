/**
 * The role prompts. Each is a system message (who speaks, the house rules, the knowledge
 * boundary) and a user message (`Task: <kind>`, what to write, the facts as a JSON block, and the
 * JSON shape to answer with).
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

/** The tasks a prompt can carry; the first line of every user message is `Task: <kind>`. */
export type TaskKind = 'plan' | 'design' | 'file-intent' | 'review-checks' | 'diagnose' | 'test-intent' | 'propose';

export const MAX_LISTED_FILES = 300;
const MAX_DEFINITIONS = 60;
const MAX_CONTEXT_CHARS = 6000;
/** Names listed under `mayName`: enough for any file's interface and imports, bounded for huge ones. */
const MAX_NAMES = 60;

const HOUSE_RULES = [
  "The team is rebuilding an existing repository from nothing, file by file, and every word you write is recorded as the team's working notes.",
  'Speak about the real repository only: its paths, and the names you may name, exactly as the facts write them. Never invent files, functions, packages or APIs.',
  'Write as an engineer thinking at work: concrete, in the first person plural or singular, no filler, no Markdown headings.',
  'Answer with one JSON object and nothing else.',
].join('\n');

/**
 * The knowledge boundary, said to the model (docs/reasoning.md): its words are read before the
 * code they are about, so they may hold only what the team knows at that point.
 */
const BOUNDARY_RULES = [
  'What you write is read before the code it is about is written, so it may hold only what the team knows at this point: the brief (README, manifests, file tree), the plan, the designs, the files already written, and the names the facts list under `mayName`.',
  'Name no other identifier of the code to come, and never quote its code, its lines, its string or number literals or its comments. Facts under `hindsight` show what the code will be so that you understand its purpose and shape: say that purpose and shape in your own words, never what they hold.',
].join('\n');

const ROLE_INTROS: Record<TaskKind, string> = {
  plan: 'You are the planner of a small software team.',
  design: 'You are the architect of a small software team.',
  'file-intent': 'You are the coder of a small software team.',
  propose: 'You are the coder of a small software team, thinking before you write a piece of code.',
  'review-checks': 'You are the tester of a small software team.',
  'test-intent': 'You are the tester of a small software team.',
  diagnose: 'You are the debugger of a small software team.',
};

function system(kind: TaskKind): ChatMessage {
  return { role: 'system', content: `${ROLE_INTROS[kind]}\n${HOUSE_RULES}\n${BOUNDARY_RULES}` };
}

function user(kind: TaskKind, instructions: string, facts: unknown, shape: string): ChatMessage {
  return {
    role: 'user',
    content: [
      `Task: ${kind}`,
      instructions,
      '',
      "Facts (from the repository's syntax trees and import graph; every name here is real, and the names under `mayName` are the ones you may state):",
      '```json',
      JSON.stringify(facts, null, 1),
      '```',
      '',
      `Answer with one JSON object of this shape:\n${shape}`,
    ].join('\n'),
  };
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

export function planPrompt(input: PlanInput): ChatMessage[] {
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
  return [
    system('plan'),
    user(
      'plan',
      [
        `Plan how the team builds the repository "${summary.name}". Think it through in a few steps, then write an overview, the requirements the repository meets, and milestones.`,
        'Milestones follow `order`, the order the files are written in: each milestone takes the next consecutive files of `order`, and together the milestones hold every file exactly once. Give each milestone a title and the goal it reaches.',
        'These facts are the brief, all the team has before any file is written: name files by their paths, and no function, class or other name of the code to come.',
      ].join('\n'),
      facts,
      '{"thoughts": [string], "plan": {"overview": string, "requirements": [string], "milestones": [{"title": string, "goal": string, "files": [path]}]}}',
    ),
  ];
}

export function designPrompt(input: DesignInput): ChatMessage[] {
  const facts = {
    overview: input.overview,
    milestone: { title: input.milestone.title, goal: input.milestone.goal },
    file: fileFactsJson(input.file),
    declares: declaredDefinitions(input.file, input.declarable).map((d) => ({ name: d.name, kind: d.kind, entry: interfaceEntry(d) })),
    mayName: nameList(input.declarable),
    hindsight: fileHindsight(input.file),
  };
  return [
    system('design'),
    user(
      'design',
      [
        `Design the file ${input.file.path}: what it is responsible for, its public interface, and the dependencies it uses and why.`,
        'The public interface is the names of `declares` that other files use, one entry each, written exactly as its `entry`: never a signature, a parameter list or any other line of code.',
        'The dependencies are exactly the paths in `imports` and `externals`: one entry for each, none other. Start with a short thought on how this file fits the milestone.',
      ].join('\n'),
      facts,
      `{"thought": string, "design": {"path": "${input.file.path}", "responsibility": string, "publicInterface": [entry], "dependencies": [{"path": string, "why": string}]}}`,
    ),
  ];
}

export function fileIntentPrompt(input: FileIntentInput): ChatMessage[] {
  const facts = {
    file: fileFactsJson(input.file),
    design: input.design,
    chunks: input.chunks,
    reads: input.reads.map((r) => ({ path: r.path, read: r.written ? 'the file as written' : 'its design (the file is not written yet)' })),
    mayName: nameList([...declaredNames(input.design, input.file), ...importedNames(input.file)]),
    hindsight: fileHindsight(input.file),
  };
  const pieces = input.chunks > 1 ? ` It is written in ${input.chunks} pieces, one definition or part of a large one at a time.` : '';
  return [
    system('file-intent'),
    user(
      'file-intent',
      `You are about to write ${input.file.path}.${pieces} Say what you will write and in what order, which files you read first (\`reads\`) and why, naming the file's declared names and what it uses from other files (\`mayName\`), not what goes inside its definitions.`,
      facts,
      '{"thought": string}',
    ),
  ];
}

export function reviewChecksPrompt(input: CheckReviewInput): ChatMessage[] {
  const facts = { path: input.path, checks: input.checks, findings: input.findings, baseline: input.baseline };
  const what: string[] = [];
  if (input.findings.length > 0) what.push('Read the findings: say what each means and where it points.');
  else if (input.baseline.length === 0) what.push('The checks passed: say what that establishes and what it does not.');
  else what.push('No finding is a fault of what was written.');
  if (input.baseline.length > 0) {
    what.push(
      "The findings under `baseline` are the checker's limits, not faults: the real, finished file has them too (a macro the checker does not expand, a global it does not know). Say so in a few words if at all; never treat them as something to repair.",
    );
  }
  return [
    system('review-checks'),
    user(
      'review-checks',
      `You ran checks on ${input.path}. ${what.join(' ')} Name the file and the checks, and no name that the findings' messages do not hold.`,
      facts,
      '{"thought": string}',
    ),
  ];
}

export function diagnosePrompt(input: DiagnoseInput): ChatMessage[] {
  const d = input.definition;
  const facts = {
    path: input.path,
    findings: input.findings,
    excerpt: input.excerpt,
    ...(d ? { definition: { name: d.name, kind: d.kind, lines: `${d.startLine}-${d.endLine}` } } : {}),
  };
  return [
    system('diagnose'),
    user(
      'diagnose',
      [
        `A check failed on ${input.path}. Localise the fault from the findings and the excerpt (the draft as it was written), say what caused it and what kind of change repairs it, naming the identifiers of the excerpt involved.`,
        'Do not write the corrected line or any other code: the repair is the edit that follows, and this note comes before it. Name only what the excerpt and the findings hold.',
      ].join('\n'),
      facts,
      '{"thought": string}',
    ),
  ];
}

export function testIntentPrompt(input: TestIntentInput): ChatMessage[] {
  const facts = { file: fileFactsJson(input.file), subjects: input.subjects, mayName: nameList(importedNames(input.file)), hindsight: fileHindsight(input.file) };
  return [
    system('test-intent'),
    user(
      'test-intent',
      `You are about to write the test file ${input.file.path}. Say what it exercises in ${input.subjects.join(', ') || 'the code'} and which behaviours its tests pin down, naming what it uses from them (\`mayName\`), never the tests' own names or data.`,
      facts,
      '{"thought": string}',
    ),
  ];
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

export function proposePrompt(sketch: TargetSketch, design: FileDesign | undefined, context: string, steps: readonly string[], k: number): ChatMessage[] {
  const facts = {
    target: sketch,
    ...(design ? { fileDesign: { responsibility: design.responsibility, publicInterface: design.publicInterface } } : {}),
    contextTail: context.length > MAX_CONTEXT_CHARS ? `…${context.slice(-MAX_CONTEXT_CHARS)}` : context,
    stepsSoFar: steps,
  };
  return [
    system('propose'),
    user(
      'propose',
      [
        `Propose ${k} different candidate next steps of your reasoning before writing the target code described in the facts, continuing the steps so far.`,
        "Each step is one or two sentences on what the code must do and why: the approach, the cases it handles, the known functions it calls. Name only `target.mayName`, the calls listed and the language's own names; the target's parameters and locals are its own, so say what they hold, never their names.",
        'Explain in your own words; never write the code, its literals or its comments: `target.hindsight` is there only so that you know what the code is for.',
        'Give each step your confidence (0 to 1) that it is the most useful next thought.',
      ].join('\n'),
      facts,
      '{"steps": [{"text": string, "confidence": number}]}',
    ),
  ];
}
