/**
 * The role prompts. Each is a system message (who speaks, the house rules) and a user message
 * (`Task: <kind>`, what to write, the grounded facts as a JSON block, and the JSON shape to answer
 * with). The facts are the only source of names: the model is told to use them and nothing else,
 * and the policy checks that it did (policy.ts).
 *
 * Facts go in as JSON because models read it reliably and because it keeps every name verbatim;
 * long lists are cut (`…and N more`) so a large repository still makes a prompt of bounded size.
 */
import type { DefinitionFacts, FileFacts, RepoSummary } from '../facts.ts';
import type { CheckReviewInput, DesignInput, DiagnoseInput, FileIntentInput, TestIntentInput } from '../policy.ts';
import type { FileDesign } from '../types.ts';
import type { ChatMessage } from './chat.ts';

/** The tasks a prompt can carry; the first line of every user message is `Task: <kind>`. */
export type TaskKind = 'plan' | 'design' | 'file-intent' | 'review-checks' | 'diagnose' | 'test-intent' | 'propose';

export const MAX_LISTED_FILES = 300;
const MAX_DEFINITIONS = 60;
const MAX_CONTEXT_CHARS = 6000;

const HOUSE_RULES = [
  'The team is rebuilding an existing repository from nothing, file by file, and every word you write is recorded as the team\'s working notes.',
  'Speak about the real code only: use the paths, names, signatures and dependencies given in the facts, exactly as written there. Never invent files, functions, packages or APIs.',
  'Write as an engineer thinking at work: concrete, in the first person plural or singular, no filler, no Markdown headings.',
  'Answer with one JSON object and nothing else.',
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
  return { role: 'system', content: `${ROLE_INTROS[kind]}\n${HOUSE_RULES}` };
}

function user(kind: TaskKind, instructions: string, facts: unknown, shape: string): ChatMessage {
  return {
    role: 'user',
    content: [
      `Task: ${kind}`,
      instructions,
      '',
      'Facts (from the repository\'s syntax trees and import graph; every name here is real):',
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

export function definitionFacts(d: DefinitionFacts): Record<string, unknown> {
  return { name: d.name, kind: d.kind, signature: d.signature, lines: `${d.startLine}-${d.endLine}`, ...(d.doc ? { doc: d.doc } : {}) };
}

export function fileFactsJson(f: FileFacts): Record<string, unknown> {
  return {
    path: f.path,
    language: f.language,
    lines: f.lines,
    isTest: f.isTest,
    ...(f.headerDoc ? { headerDoc: f.headerDoc } : {}),
    definitions: capped(f.definitions.map(definitionFacts), MAX_DEFINITIONS),
    imports: f.imports,
    importUses: f.importUses,
    externals: f.externals,
    dependents: capped(f.dependents, 40),
  };
}

export function planPrompt(summary: RepoSummary): ChatMessage[] {
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
  };
  return [
    system('design'),
    user(
      'design',
      [
        `Design the file ${input.file.path}: what it is responsible for, its public interface (the definitions other files use, by their signatures), and the dependencies it uses and why.`,
        'The dependencies are exactly the paths in `imports` and `externals`: one entry for each, none other. Start with a short thought on how this file fits the milestone.',
      ].join('\n'),
      facts,
      `{"thought": string, "design": {"path": "${input.file.path}", "responsibility": string, "publicInterface": [string], "dependencies": [{"path": string, "why": string}]}}`,
    ),
  ];
}

export function fileIntentPrompt(input: FileIntentInput): ChatMessage[] {
  const facts = { file: fileFactsJson(input.file), design: input.design, chunks: input.chunks };
  const pieces = input.chunks > 1 ? ` It is written in ${input.chunks} pieces, one top-level definition at a time.` : '';
  return [
    system('file-intent'),
    user(
      'file-intent',
      `You are about to write ${input.file.path}.${pieces} Say what you will write and in what order, which files you need to read first and why, naming the file's definitions.`,
      facts,
      '{"thought": string}',
    ),
  ];
}

export function reviewChecksPrompt(input: CheckReviewInput): ChatMessage[] {
  const facts = { path: input.path, checks: input.checks, findings: input.findings };
  const what = input.findings.length === 0 ? 'The checks passed: say what that establishes and what it does not.' : 'Read the findings: say what each means and where it points.';
  return [
    system('review-checks'),
    user('review-checks', `You ran checks on ${input.path}. ${what} Name the file and the checks.`, facts, '{"thought": string}'),
  ];
}

export function diagnosePrompt(input: DiagnoseInput): ChatMessage[] {
  const facts = {
    path: input.path,
    findings: input.findings,
    excerpt: input.excerpt,
    ...(input.definition ? { definition: definitionFacts(input.definition) } : {}),
  };
  return [
    system('diagnose'),
    user(
      'diagnose',
      `A check failed on ${input.path}. Localise the fault from the findings and the excerpt, say what caused it and how you will repair it, naming the identifiers involved.`,
      facts,
      '{"thought": string}',
    ),
  ];
}

export function testIntentPrompt(input: TestIntentInput): ChatMessage[] {
  const facts = { file: fileFactsJson(input.file), subjects: input.subjects };
  return [
    system('test-intent'),
    user(
      'test-intent',
      `You are about to write the test file ${input.file.path}. Say what it exercises in ${input.subjects.join(', ') || 'the code'} and which behaviours each test pins down, naming the real definitions.`,
      facts,
      '{"thought": string}',
    ),
  ];
}

/** What the proposer may say about its target: its shape, never its body. */
export interface TargetSketch {
  /** The file the target sits in. */
  path?: string;
  signature?: string;
  name?: string;
  kind: string;
  params: string[];
  isAsync: boolean;
  doc?: string;
  calls: string[];
  constructs: string[];
  dependencies: string[];
  errors: string[];
  methods: string[];
  extends?: string;
  control: Record<string, number>;
  lines: number;
  /** Names the target uses that the repository defines. */
  repoNames: string[];
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
        'Each step is one or two sentences on what the code must do and why: the approach, the cases it handles, the calls it makes, naming the real identifiers. Explain; do not write the code itself.',
        'Give each step your confidence (0 to 1) that it is the most useful next thought.',
      ].join('\n'),
      facts,
      '{"steps": [{"text": string, "confidence": number}]}',
    ),
  ];
}
