/** `retrace stats`: fidelity figures of any dataset (docs/dataset.md, "Fidelity figures"). */
export { computeStats, statsOfRuns, type StatsReport, type RunFigures, type TotalFigures, type Figures } from './compute.ts';
export { DatasetInputError, loadRuns, runsOfRecords } from './load.ts';
export { formatStats } from './report.ts';
export type { Example, RunSteps } from './types.ts';
