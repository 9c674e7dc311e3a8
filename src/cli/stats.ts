/**
 * `retrace stats <dataset...>`: the fidelity figures of datasets (docs/dataset.md, "Fidelity
 * figures"): what the reasoning states of the code it precedes, what it makes up, how it reads,
 * what it is trained on. Exit codes: 0 done; 1 unexpected error; 2 bad input (a missing file, an
 * unknown extension, a malformed line).
 */
import type { Command } from 'commander';
import { computeStats, DatasetInputError, formatStats } from '../stats/mod.ts';
import { EXIT } from './run-options.ts';

export function register(program: Command): void {
  program
    .command('stats')
    .description('fidelity figures of datasets: boundary leaks, invented names, openings, reasoning per code, trained characters')
    .argument('<dataset...>', 'dataset files (.jsonl or .jsonl.gz)')
    .option('--json', 'print the figures as one JSON object: { runs: [...], total: {...} }')
    .action(async (datasets: string[], o: { json?: boolean }) => {
      let report;
      try {
        report = await computeStats(datasets);
      } catch (err) {
        if (err instanceof DatasetInputError) {
          process.stderr.write(`retrace stats: ${err.message}\n`);
          process.exitCode = EXIT.input;
          return;
        }
        throw err;
      }
      process.stdout.write(o.json ? JSON.stringify(report) + '\n' : formatStats(report));
    });
}
