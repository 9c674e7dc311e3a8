/** The planner: the repository's summary in, requirements and milestones in build order out. */
import { assign, setup } from 'xstate';
import type { Plan, Step } from '../types.ts';
import { action, observation, renderPlan, thoughts, type Answer, type Command, type Speaker } from './common.ts';

interface Ctx {
  speaker: Speaker;
  steps: Step[];
  pending: Command | null;
  plan: Plan | null;
}

export const plannerMachine = setup({
  types: {
    input: {} as { speaker: Speaker },
    context: {} as Ctx,
    events: {} as Answer,
    output: {} as { steps: Step[]; plan: Plan },
  },
}).createMachine({
  id: 'planner',
  context: ({ input }) => ({ speaker: input.speaker, steps: [], pending: { kind: 'plan' }, plan: null }),
  initial: 'planning',
  states: {
    planning: {
      on: {
        PLANNED: {
          target: 'done',
          actions: assign(({ context, event }) => ({
            pending: null,
            plan: event.plan,
            steps: [
              ...context.steps,
              observation(context.speaker, 'brief', event.brief),
              ...event.thoughts.flatMap((t) => thoughts(context.speaker, t)),
              action(context.speaker, 'plan', renderPlan(event.plan)),
            ],
          })),
        },
      },
    },
    done: { type: 'final' },
  },
  output: ({ context }) => ({ steps: context.steps, plan: context.plan! }),
});
