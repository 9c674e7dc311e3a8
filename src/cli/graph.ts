/**
 * `retrace graph <repo>`: indexes a repository and prints its summary (files per language,
 * skipped files with reasons, edges, cycles, build order), or the summary as JSON.
 *
 *   retrace graph . --workers 2
 *   retrace graph ../some-repo --json --no-cache
 */
import { InvalidArgumentError, type Command } from 'commander';
import { indexRepo } from '../graph/mod.ts';
import { formatSummary, summarize } from '../graph/summary.ts';

interface GraphCommandOptions {
  json?: boolean;
  workers?: number;
  cache: boolean;
  cacheDir?: string;
  maxFileBytes?: number;
  limit: number;
}

const positiveInt = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a non-negative integer');
  return n;
};

export function register(program: Command): void {
  program
    .command('graph')
    .description('Index a repository (tree-sitter, imports, build order) and print a summary.')
    .argument('<repo>', 'repository root')
    .option('--json', 'print the summary as JSON')
    .option('--workers <n>', 'parse worker threads (0: parse on the main thread)', positiveInt)
    .option('--no-cache', 'ignore and do not write the facts cache')
    .option('--cache-dir <dir>', 'facts cache directory (default ~/.cache/retrace/graph)')
    .option('--max-file-bytes <n>', 'skip files larger than this', positiveInt)
    .option('--limit <n>', 'entries per list in the text summary', positiveInt, 40)
    .action(async (repo: string, opts: GraphCommandOptions) => {
      const g = await indexRepo(repo, {
        ...(opts.workers !== undefined ? { workers: opts.workers } : {}),
        ...(opts.maxFileBytes !== undefined ? { maxFileBytes: opts.maxFileBytes } : {}),
        cache: opts.cache ? (opts.cacheDir ? { dir: opts.cacheDir } : {}) : false,
      });
      const summary = summarize(g);
      process.stdout.write(opts.json ? `${JSON.stringify(summary, null, 2)}\n` : formatSummary(summary, opts.limit));
    });
}
