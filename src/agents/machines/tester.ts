/**
 * The tester, for one file: real checks on what was written (the observation is the checks'
 * genuine output) and its reading of them; for the repository's own test files, first its intent,
 * Reads of the code under test, then chunk by chunk (the whole file, or its cases and groups of
 * cases) reasoning refined by the search and a Write, as the coder writes code.
 */
import { assign, setup } from 'xstate';
import type { Finding, Step } from '../types.ts';
import { action, observation, reasoningSteps, renderFindings, thoughts, type Answer, type Command, type Speaker } from './common.ts';

export interface TesterInput {
  speaker: Speaker;
  path: string;
  mode: 'check' | 'write-test';
  reads: string[];
  /** Chunks the test file is written in (write-test mode; 0 in check mode). */
  chunks: number;
}

interface Ctx extends TesterInput {
  r: number;
  c: number;
  steps: Step[];
  pending: Command | null;
  findings: Finding[];
  baseline: Finding[];
  content: string | null;
}

export const testerMachine = setup({
  types: {
    input: {} as TesterInput,
    context: {} as Ctx,
    events: {} as Answer,
    output: {} as { steps: Step[]; passed: boolean; findings: Finding[]; content: string | null },
  },
  guards: {
    writesTest: ({ context }) => context.mode === 'write-test',
    moreReads: ({ context }) => context.r < context.reads.length,
    moreChunks: ({ context }) => context.c < context.chunks,
    readCurrent: ({ context, event }) => event.type === 'READ' && event.path === context.reads[context.r],
    chunkCurrent: ({ context, event }) => (event.type === 'REFINED' || event.type === 'DRAFTED') && event.chunk === context.c,
  },
}).createMachine({
  id: 'tester',
  context: ({ input }) => ({ ...input, r: 0, c: 0, steps: [], pending: null, findings: [], baseline: [], content: null }),
  initial: 'start',
  states: {
    start: { always: [{ guard: 'writesTest', target: 'intent' }, { target: 'checking' }] },
    intent: {
      entry: assign({ pending: { kind: 'testIntent' } as Command }),
      on: {
        INTENT: {
          target: 'nextRead',
          actions: assign(({ context, event }) => ({ steps: [...context.steps, ...thoughts(context.speaker, event.text, { path: context.path })] })),
        },
      },
    },
    nextRead: { always: [{ guard: 'moreReads', target: 'reading' }, { target: 'nextChunk' }] },
    reading: {
      entry: assign(({ context }) => ({
        pending: { kind: 'read', path: context.reads[context.r]! } as Command,
        steps: [...context.steps, action(context.speaker, 'read', context.reads[context.r]!, { path: context.reads[context.r]! })],
      })),
      on: {
        READ: {
          guard: 'readCurrent',
          target: 'nextRead',
          actions: assign(({ context, event }) => ({
            r: context.r + 1,
            steps: [...context.steps, observation(context.speaker, 'read', event.content, { path: event.path, source: event.source })],
          })),
        },
      },
    },
    nextChunk: { always: [{ guard: 'moreChunks', target: 'chunk' }, { target: 'checking' }] },
    chunk: {
      initial: 'refining',
      states: {
        refining: {
          entry: assign(({ context }) => ({ pending: { kind: 'refine', chunk: context.c } as Command })),
          on: {
            REFINED: {
              guard: 'chunkCurrent',
              target: 'drafting',
              actions: assign(({ context, event }) => ({
                steps: [...context.steps, ...reasoningSteps(context.speaker, event.steps, context.path, event.stats)],
              })),
            },
          },
        },
        drafting: {
          entry: assign(({ context }) => ({ pending: { kind: 'draft', chunk: context.c } as Command })),
          on: {
            DRAFTED: {
              guard: 'chunkCurrent',
              target: '#tester.nextChunk',
              actions: assign(({ context, event }) => ({
                c: context.c + 1,
                content: (context.content ?? '') + event.text,
                steps: [...context.steps, action(context.speaker, 'write', event.text, { path: context.path, write: { mode: context.c === 0 ? 'create' : 'append' } })],
              })),
            },
          },
        },
      },
    },
    checking: {
      entry: assign(({ context }) => ({
        pending: { kind: 'check' } as Command,
        steps: [...context.steps, action(context.speaker, 'check', `check ${context.path}`, { path: context.path })],
      })),
      on: {
        CHECKED: {
          target: 'reviewing',
          actions: assign(({ context, event }) => ({
            findings: event.findings,
            baseline: event.baseline,
            steps: [
              ...context.steps,
              observation(context.speaker, 'check', event.output, {
                path: context.path,
                check: { findings: event.findings.length + event.baseline.length, baseline: event.baseline.length },
              }),
            ],
          })),
        },
      },
    },
    reviewing: {
      entry: assign(({ context }) => ({ pending: { kind: 'review', findings: context.findings, baseline: context.baseline } as Command })),
      on: {
        REVIEWED: {
          target: 'done',
          actions: assign(({ context, event }) => ({
            pending: null,
            steps: [...context.steps, ...thoughts(context.speaker, event.text, { path: context.path })],
          })),
        },
      },
    },
    done: { type: 'final' },
  },
  output: ({ context }) => ({
    steps: context.steps,
    passed: context.findings.length === 0,
    findings: context.findings,
    content: context.content,
  }),
});

export { renderFindings };
