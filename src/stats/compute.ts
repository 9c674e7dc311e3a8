/**
 * `computeStats`: the fidelity figures of datasets, per run and over all runs (docs/dataset.md,
 * "Fidelity figures"). Each run is tallied on its own as additive data; the total is the sum of
 * the tallies, its ratios taken from the sums.
 */
import type { DatasetRecord } from '../dataset/format.ts';
import { presentChars, tallyChars, type CharsTally } from './chars.ts';
import { checkDesigns } from './designs.ts';
import { tallyFaultyDrafts, type DraftsTally } from './drafts.ts';
import { DatasetInputError, loadRuns, runsOfRecords } from './load.ts';
import { tallyNarratedFailures } from './narrated-failures.ts';
import { tallyInventedNames, tallyKeywordStatements, type CountTally } from './names.ts';
import { presentOpenings, tallyOpenings, type OpeningsTally } from './openings.ts';
import { checkPlan } from './plan.ts';
import { tallyUnwrittenReads } from './reads.ts';
import { presentReasoning, tallyReasoning, type ReasoningTally } from './reasoning.ts';
import { isWrite, RunContext } from './run-context.ts';
import { presentSearch, tallySearch, type SearchTally } from './search.ts';
import { checkSegments, segmentsOf } from './segments.ts';
import { addTally, type Tally } from './tally.ts';
import type { RunSteps } from './types.ts';
import type { LeakTally } from './violations.ts';

interface RunTally {
  runs: number;
  records: number;
  steps: number;
  files: number;
  writes: number;
  segments: LeakTally;
  designs: LeakTally;
  plan: LeakTally;
  inventedNames: CountTally;
  keywordStatements: CountTally;
  openings: OpeningsTally;
  reasoning: ReasoningTally;
  chars: CharsTally;
  narratedFailures: CountTally;
  unwrittenReads: CountTally;
  falseAlreadyWritten: CountTally;
  faultyDrafts: DraftsTally;
  search: SearchTally;
}

function tallyRun(run: RunSteps): RunTally {
  const ctx = new RunContext(run);
  const segments = segmentsOf(ctx);
  return {
    runs: 1,
    records: run.records,
    steps: run.steps.length,
    files: ctx.finals.size,
    writes: run.steps.filter(isWrite).length,
    segments: checkSegments(ctx, segments),
    designs: checkDesigns(ctx),
    plan: checkPlan(ctx),
    inventedNames: tallyInventedNames(ctx),
    keywordStatements: tallyKeywordStatements(ctx),
    openings: tallyOpenings(ctx),
    reasoning: tallyReasoning(ctx, segments),
    chars: tallyChars(ctx),
    narratedFailures: tallyNarratedFailures(ctx),
    ...tallyUnwrittenReads(ctx),
    faultyDrafts: tallyFaultyDrafts(ctx),
    search: tallySearch(run),
  };
}

function present(t: RunTally) {
  return {
    records: t.records,
    steps: t.steps,
    files: t.files,
    writes: t.writes,
    boundary: { segments: t.segments, designs: t.designs, plan: t.plan },
    inventedNames: t.inventedNames,
    keywordStatements: t.keywordStatements,
    openings: presentOpenings(t.openings),
    ...presentReasoning(t.reasoning),
    chars: presentChars(t.chars),
    narratedFailures: t.narratedFailures,
    unwrittenReads: t.unwrittenReads,
    falseAlreadyWritten: t.falseAlreadyWritten,
    faultyDrafts: t.faultyDrafts,
    search: presentSearch(t.search),
  };
}

export type Figures = ReturnType<typeof present>;
export type RunFigures = { run: string; repo: string } & Figures;
export type TotalFigures = { runs: number } & Figures;

export interface StatsReport {
  runs: RunFigures[];
  total: TotalFigures;
}

/** The figures of runs already loaded. */
export function statsOfRuns(runs: readonly RunSteps[]): StatsReport {
  if (runs.length === 0) throw new DatasetInputError('no runs in the dataset');
  const tallies = runs.map(tallyRun);
  const total = tallies.slice(1).reduce((a, b) => addTally(a as unknown as Tally, b as unknown as Tally) as unknown as RunTally, tallies[0]!);
  return {
    runs: runs.map((r, i) => ({ run: r.key, repo: r.repo, ...present(tallies[i]!) })),
    total: { runs: total.runs, ...present(total) },
  };
}

/** The fidelity figures of datasets: files (`.jsonl`, `.jsonl.gz`) or records in memory. */
export async function computeStats(input: readonly string[] | readonly DatasetRecord[]): Promise<StatsReport> {
  if (input.length === 0) throw new DatasetInputError('no dataset given');
  const runs = typeof input[0] === 'string' ? await loadRuns(input as readonly string[]) : runsOfRecords(input as readonly DatasetRecord[]);
  return statsOfRuns(runs);
}
