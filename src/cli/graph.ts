/**
 * `retrace graph <repo>`: indexes a repository and prints its summary (files per language,
 * skipped files with reasons, edges, cycles, build order), or the summary as JSON.
 *
 *   retrace graph . --workers 2
 *   retrace graph ../some-repo --json --no-cache
 */
import type { Command } from 'commander';
import { UsageError } from './bad-input.ts';
import { nonNegativeInt } from './numbers.ts';
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { indexRepo, repoName, RepoTexts, serveGraph } from '../graph/mod.ts';
import { createLogger } from '../log/logger.ts';
import { addNatsOptions, connectFromOptions } from './nats-options.ts';
import { formatSummary, summarize } from '../graph/summary.ts';

interface IndexCommandOptions {
  workers?: number;
  cache: boolean;
  cacheDir?: string;
  maxFileBytes?: number;
}

interface GraphCommandOptions extends IndexCommandOptions {
  json?: boolean;
  limit: number;
}

/** The indexing options both commands take. */
function addIndexOptions(cmd: Command): Command {
  return cmd
    .option('--workers <n>', 'parse worker threads (0: parse on the main thread)', nonNegativeInt)
    .option('--no-cache', 'ignore and do not write the facts cache')
    .option('--cache-dir <dir>', 'facts cache directory (default ~/.cache/retrace/graph)')
    .option('--max-file-bytes <n>', 'skip files larger than this', nonNegativeInt);
}

function index(repo: string, opts: IndexCommandOptions): ReturnType<typeof indexRepo> {
  if (!existsSync(repo)) throw new UsageError(`no such repository: ${repo}`);
  if (!statSync(repo).isDirectory()) throw new UsageError(`not a directory: ${repo}`);
  return indexRepo(repo, {
    ...(opts.workers !== undefined ? { workers: opts.workers } : {}),
    ...(opts.maxFileBytes !== undefined ? { maxFileBytes: opts.maxFileBytes } : {}),
    cache: opts.cache ? (opts.cacheDir ? { dir: opts.cacheDir } : {}) : false,
  });
}

export function register(program: Command): void {
  addIndexOptions(
    program
      .command('graph')
      .description('Index a repository (tree-sitter, imports, build order) and print a summary.')
      .argument('<repo>', 'repository root')
      .option('--json', 'print the summary as JSON'),
  )
    .option('--limit <n>', 'entries per list in the text summary', nonNegativeInt, 40)
    .action(async (repo: string, opts: GraphCommandOptions) => {
      const g = await index(repo, opts);
      const summary = summarize(g);
      process.stdout.write(opts.json ? `${JSON.stringify(summary, null, 2)}\n` : formatSummary(summary, opts.limit));
    });
  registerService(program);
}

interface GraphServiceCommandOptions extends IndexCommandOptions {
  nats: string[];
  name?: string;
  logLevel: string;
}

function registerService(program: Command): void {
  const cmd = addIndexOptions(
    program
      .command('graph-service')
      .description('Index a repository and serve its graph and files on the bus (retrace.graph.<name>.*), for runs and agents on other machines.')
      .argument('<repo>', 'repository root')
      .option('--name <name>', 'name in subjects and in `retrace run --graph` (default: the directory name)'),
  ).option('--log-level <level>', 'log level', 'info');
  addNatsOptions(cmd).action(async (repo: string, opts: GraphServiceCommandOptions) => {
    const log = createLogger({ level: opts.logLevel });
    const root = resolve(repo);
    const name = opts.name ?? repoName(root);
    const graph = await index(root, opts);
    // Read every kept file now: the service answers for this version, whatever happens on disk later.
    const texts = new RepoTexts(graph);
    const digest = texts.digest();
    const bus = await connectFromOptions(opts.nats, log, `retrace-graph-${name}`);
    const handle = await serveGraph({ bus, graph, repo: name, texts });
    log.info({ repo: name, root, files: graph.data.files.length, digest }, 'graph service ready');
    process.stdout.write(`graph-service ${name} ready (${graph.data.files.length} files, ${graph.data.skipped.length} skipped, digest ${digest.slice(0, 12)})\n`);
    await new Promise<void>((done) => {
      process.once('SIGINT', done);
      process.once('SIGTERM', done);
    });
    await handle.stop();
    await bus.close();
  });
}
