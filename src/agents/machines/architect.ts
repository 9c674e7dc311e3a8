/** The architect: for each file of a milestone, its responsibility, interface and dependencies. */
import { assign, setup } from 'xstate';
import type { FileDesign, Step } from '../types.ts';
import { action, renderDesign, thoughts, type Answer, type Command, type Speaker } from './common.ts';

interface Ctx {
  speaker: Speaker;
  files: string[];
  i: number;
  steps: Step[];
  pending: Command | null;
  designs: FileDesign[];
}

export const architectMachine = setup({
  types: {
    input: {} as { speaker: Speaker; files: string[] },
    context: {} as Ctx,
    events: {} as Answer,
    output: {} as { steps: Step[]; designs: FileDesign[] },
  },
  guards: {
    more: ({ context }) => context.i < context.files.length,
    // An answer for another file than the one asked for is ignored, never recorded.
    current: ({ context, event }) => event.type === 'DESIGNED' && event.path === context.files[context.i],
  },
}).createMachine({
  id: 'architect',
  context: ({ input }) => ({ speaker: input.speaker, files: input.files, i: 0, steps: [], pending: null, designs: [] }),
  initial: 'next',
  states: {
    next: {
      always: [{ guard: 'more', target: 'designing' }, { target: 'done' }],
    },
    designing: {
      entry: assign(({ context }) => ({ pending: { kind: 'design', path: context.files[context.i]! } as Command })),
      on: {
        DESIGNED: {
          guard: 'current',
          target: 'next',
          actions: assign(({ context, event }) => ({
            i: context.i + 1,
            pending: null,
            designs: [...context.designs, event.design],
            steps: [
              ...context.steps,
              ...thoughts(context.speaker, event.thought, { path: event.path }),
              action(context.speaker, 'design', renderDesign(event.design), { path: event.path }),
            ],
          })),
        },
      },
    },
    done: { type: 'final' },
  },
  output: ({ context }) => ({ steps: context.steps, designs: context.designs }),
});
