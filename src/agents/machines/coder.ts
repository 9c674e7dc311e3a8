/**
 * The coder, for one file: its intent, Reads of the context it needs (observations are the real
 * contents), then chunk by chunk (the whole file, or one definition or a natural part of a large one at a time) reasoning
 * refined by the search and a Write. A draft may carry a fault (a debugging episode); the file is
 * made right later by the debugger's edit.
 */
import { assign, setup } from 'xstate';
import type { Step } from '../types.ts';
import { action, observation, reasoningSteps, thoughts, type Answer, type Command, type Speaker } from './common.ts';

export interface CoderInput {
  speaker: Speaker;
  path: string;
  reads: string[];
  chunks: number;
  /** Reasoning is searched for code files and prose documents; data and config are written directly. */
  refine: boolean;
}

interface Ctx extends CoderInput {
  r: number;
  c: number;
  steps: Step[];
  pending: Command | null;
  content: string;
  faultyChunks: number[];
}

export const coderMachine = setup({
  types: {
    input: {} as CoderInput,
    context: {} as Ctx,
    events: {} as Answer,
    output: {} as { steps: Step[]; content: string; faultyChunks: number[] },
  },
  guards: {
    moreReads: ({ context }) => context.r < context.reads.length,
    moreChunks: ({ context }) => context.c < context.chunks,
    refine: ({ context }) => context.refine,
    readCurrent: ({ context, event }) => event.type === 'READ' && event.path === context.reads[context.r],
    chunkCurrent: ({ context, event }) => (event.type === 'REFINED' || event.type === 'DRAFTED') && event.chunk === context.c,
  },
}).createMachine({
  id: 'coder',
  context: ({ input }) => ({ ...input, r: 0, c: 0, steps: [], pending: { kind: 'intent' }, content: '', faultyChunks: [] }),
  initial: 'intent',
  states: {
    intent: {
      on: {
        INTENT: {
          target: 'nextRead',
          actions: assign(({ context, event }) => ({ steps: [...context.steps, ...thoughts(context.speaker, event.text, { path: context.path })] })),
        },
      },
    },
    nextRead: { always: [{ guard: 'moreReads', target: 'reading' }, { target: 'nextChunk' }] },
    reading: {
      entry: assign(({ context }) => {
        const path = context.reads[context.r]!;
        return {
          pending: { kind: 'read', path } as Command,
          steps: [...context.steps, action(context.speaker, 'read', path, { path })],
        };
      }),
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
    nextChunk: {
      always: [
        { guard: 'moreChunks', target: 'chunk' },
        { target: 'done', actions: assign({ pending: null }) },
      ],
    },
    chunk: {
      initial: 'start',
      states: {
        start: { always: [{ guard: 'refine', target: 'refining' }, { target: 'drafting' }] },
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
              target: '#coder.nextChunk',
              actions: assign(({ context, event }) => ({
                c: context.c + 1,
                content: context.content + event.text,
                faultyChunks: event.faulty ? [...context.faultyChunks, event.chunk] : context.faultyChunks,
                steps: [
                  ...context.steps,
                  // A faulty first draft is replayed, never trained on: the model must not learn the bug.
                  action(context.speaker, 'write', event.text, {
                    path: context.path,
                    write: { mode: context.c === 0 ? 'create' : 'append' },
                    ...(event.faulty ? { train: false, untrained: 'faulty-draft' as const } : {}),
                  }),
                ],
              })),
            },
          },
        },
      },
    },
    done: { type: 'final' },
  },
  output: ({ context }) => ({ steps: context.steps, content: context.content, faultyChunks: context.faultyChunks }),
});
