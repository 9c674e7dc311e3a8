/**
 * The debugger, for one failing file: localises the fault from the tester's findings, reasons
 * about the repair (refined by the search), and edits the file back to the real code.
 */
import { assign, setup } from 'xstate';
import type { Step } from '../types.ts';
import { action, reasoningSteps, thoughts, type Answer, type Command, type Speaker } from './common.ts';

interface Ctx {
  speaker: Speaker;
  path: string;
  steps: Step[];
  pending: Command | null;
  edit: { old: string; new: string } | null;
}

export const debuggerMachine = setup({
  types: {
    input: {} as { speaker: Speaker; path: string },
    context: {} as Ctx,
    events: {} as Answer,
    output: {} as { steps: Step[]; edit: { old: string; new: string } },
  },
}).createMachine({
  id: 'debugger',
  context: ({ input }) => ({ speaker: input.speaker, path: input.path, steps: [], pending: { kind: 'diagnose' }, edit: null }),
  initial: 'diagnosing',
  states: {
    diagnosing: {
      on: {
        DIAGNOSED: {
          target: 'repairing',
          actions: assign(({ context, event }) => ({
            pending: { kind: 'repair' } as Command,
            steps: [...context.steps, ...thoughts(context.speaker, event.text, { path: context.path })],
          })),
        },
      },
    },
    repairing: {
      on: {
        REPAIRED: {
          target: 'done',
          actions: assign(({ context, event }) => ({
            pending: null,
            edit: event.edit,
            steps: [
              ...context.steps,
              ...reasoningSteps(context.speaker, event.steps, context.path, event.stats),
              action(context.speaker, 'edit', `replace:\n${event.edit.old}\nwith:\n${event.edit.new}`, {
                path: context.path,
                edit: event.edit,
              }),
            ],
          })),
        },
      },
    },
    done: { type: 'final' },
  },
  output: ({ context }) => ({ steps: context.steps, edit: context.edit! }),
});
