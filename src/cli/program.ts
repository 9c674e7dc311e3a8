/**
 * The `retrace` command tree. Each capability registers its subcommands from its own file
 * (`src/cli/<capability>.ts` exporting `register(program)`), so adding one touches this file by a
 * line.
 */
import { Command, InvalidArgumentError } from 'commander';
import { register as registerScore } from './score.ts';
import { register as registerGraph } from './graph.ts';
import { register as registerAgent } from './agent.ts';
import { register as registerPolicy } from './policy.ts';
import { register as registerTrace } from './trace.ts';
import { register as registerRun } from './run.ts';
import { register as registerSearch } from './search.ts';
import { register as registerRuns } from './runs.ts';
import { register as registerStats } from './stats.ts';
import { register as registerCorpus } from './corpus.ts';
import { register as registerSetup } from './setup.ts';

export function buildProgram(): Command {
  const program = new Command('retrace')
    .description('Reverse-engineer how a repository was built, as trajectories for training.')
    .version('0.1.0')
    .showHelpAfterError()
    .option('--outage-ms <ms>', 'how long work waits, with backoff, for an absent service or role (one restarting) before it fails; sets RETRACE_OUTAGE_MS for this process and those it starts (default 60000)', parseOutageMs)
    .hook('preAction', (cmd) => {
      const ms = cmd.opts<{ outageMs?: number }>().outageMs;
      if (ms !== undefined) process.env.RETRACE_OUTAGE_MS = String(ms);
    });
  // Subcommands register here, one line each:
  registerScore(program);
  registerGraph(program);
  registerAgent(program);
  registerPolicy(program);
  registerTrace(program);
  registerRun(program);
  registerSearch(program);
  registerRuns(program);
  registerStats(program);
  registerCorpus(program);
  registerSetup(program);
  return program;
}

function parseOutageMs(raw: string): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError('a whole number of milliseconds >= 0');
  return n;
}
