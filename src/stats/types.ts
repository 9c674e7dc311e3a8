/** The shapes `retrace stats` reads and reports (docs/dataset.md, "Fidelity figures"). */
import type { Step } from '../agents/types.ts';

export type StatStep = Step & { index: number };

/** One run of a dataset: its records' steps in index order. */
export interface RunSteps {
  /** `<repo>/<run id>`. */
  key: string;
  repo: string;
  /** The repository's files as the records list them (the file tree the team is given). */
  files: string[];
  records: number;
  steps: StatStep[];
  /** The scorer calls each search was given (the run's budget), when the records say. */
  budget?: number;
  /** One entry per search; the log-probabilities of the code without and with the chosen reasoning, when recorded. */
  search: Array<{ step: number; scorerCalls: number; reward: number; baselineLogprob?: number; bestLogprob?: number }>;
}

/** Where a figure was seen: the step's index in the run, its file, and what was seen. */
export interface Example {
  step: number;
  path: string | null;
  detail: string;
}

/** Examples kept per figure, per run and in the total. */
export const MAX_EXAMPLES = 20;
