/**
 * One input for every prompt the openai policy builds, and every branch its words take (a file in
 * one piece and in several, a review with findings, with none, with only the checker's limits,
 * a diagnosis with and without its definition, a test of no subject). The snapshot of what the
 * hard-coded prompts made of them (fixtures/default-prompts.json) was written before the prompts
 * moved into template files; the default files must make the same bytes.
 */
import type { CheckReviewInput, DiagnoseInput } from '../../../../src/agents/policy.ts';
import type { ChatMessage } from '../../../../src/agents/openai/chat.ts';
import {
  designPrompt,
  diagnosePrompt,
  fileIntentPrompt,
  planPrompt,
  proposePrompt,
  reviewChecksPrompt,
  testIntentPrompt,
  type TargetSketch,
} from '../../../../src/agents/openai/prompts.ts';
import { openGuard } from '../../../../src/boundary/mod.ts';
import { COUNT, COUNT_TEST, FORMAT, SUMMARY } from '../../policy-conformance.ts';

const FREE = openGuard();
const MILESTONE = { title: 'Formatting', goal: 'Print tables', files: [FORMAT.path] };
const DESIGN = { path: FORMAT.path, responsibility: 'Tables.', publicInterface: ['function `formatTable`'], dependencies: [{ path: 'src/count.ts', why: 'the counts' }] };
const FINDING = { check: 'undefined-name' as const, line: 5, message: '`widht` is not defined' };
const LIMIT = { check: 'undefined-name' as const, line: 2, message: '`pc` is not defined' };

const review = (findings: CheckReviewInput['findings'], baseline: CheckReviewInput['baseline']): CheckReviewInput => ({
  path: FORMAT.path,
  checks: ['syntax', 'undefined-name'],
  findings,
  baseline,
  guard: FREE,
});

const diagnosis = (withDefinition: boolean): DiagnoseInput => ({
  path: FORMAT.path,
  findings: [FINDING],
  excerpt: '4 export function formatTable(rows) {\n5   return rows.map((r) => r.padEnd(widht));',
  ...(withDefinition ? { definition: FORMAT.definitions[0]! } : {}),
  guard: FREE,
});

const SKETCH: TargetSketch = {
  path: FORMAT.path,
  kind: 'function',
  name: 'formatTable',
  isAsync: false,
  params: 1,
  ownNames: 3,
  lines: 4,
  control: { return: 1 },
  mayName: ['formatTable', 'topWords'],
  calls: ['Math.max'],
  constructs: [],
  errors: [],
  dependencies: ['picocolors'],
  hindsight: { signature: 'export function formatTable(rows: Array<[string, number]>): string {', doc: 'Aligned two-column table.' },
};

/** Case name -> the messages the policy sends for it. */
export const PROMPT_CASES: Record<string, () => ChatMessage[]> = {
  plan: () => planPrompt({ summary: SUMMARY, guard: FREE }),
  design: () => designPrompt({ overview: 'tally', milestone: MILESTONE, file: FORMAT, declarable: ['formatTable', 'topWords'], guard: FREE }),
  'file-intent one piece': () => fileIntentPrompt({ file: FORMAT, design: DESIGN, chunks: 1, reads: [{ path: COUNT.path, written: true }], guard: FREE }),
  'file-intent three pieces': () => fileIntentPrompt({ file: FORMAT, design: DESIGN, chunks: 3, reads: [{ path: COUNT.path, written: false }], guard: FREE }),
  'review-checks findings': () => reviewChecksPrompt(review([FINDING], [])),
  'review-checks findings and limits': () => reviewChecksPrompt(review([FINDING], [LIMIT])),
  'review-checks passed': () => reviewChecksPrompt(review([], [])),
  'review-checks only limits': () => reviewChecksPrompt(review([], [LIMIT])),
  'diagnose in a definition': () => diagnosePrompt(diagnosis(true)),
  'diagnose outside definitions': () => diagnosePrompt(diagnosis(false)),
  'test-intent subjects': () => testIntentPrompt({ file: COUNT_TEST, subjects: ['src/count.ts', 'src/format.ts'], guard: FREE }),
  'test-intent no subject': () => testIntentPrompt({ file: COUNT_TEST, subjects: [], guard: FREE }),
  'propose with design': () => proposePrompt(SKETCH, DESIGN, "import pc from 'picocolors';\n", ['Start from the widest word.'], 3),
  'propose long context': () => proposePrompt(SKETCH, undefined, `${'x'.repeat(7000)}\n`, [], 1),
};
