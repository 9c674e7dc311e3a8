/**
 * `retrace scorer-node`: serves one scorer on the bus as a scoring node of its model.
 *
 *   retrace scorer-node --backend embedded --nats nats://127.0.0.1:4222 --train src/
 *   retrace scorer-node --backend openai --model Qwen/Qwen2.5-Coder-7B \
 *       --endpoint http://gpu1:8000/v1 --endpoint http://gpu2:8000/v1 --nats nats://bus:4222
 *
 * An embedded node also scores requests that name a run's corpus (searches of agents and search
 * services) with a scorer trained on that corpus, its texts read from the graph service or the
 * file system the request names. Credentials come from the environment (RETRACE_NATS_*).
 *
 * SIGINT/SIGTERM stop the node (requests in flight finish) and close the connection.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { Command } from 'commander';
import { createLogger } from '../log/logger.ts';
import { addNatsOptions, connectFromOptions } from './nats-options.ts';
import { UsageError } from './bad-input.ts';
import { positiveInt } from './numbers.ts';
import { CorpusScorers } from '../search/score/corpus.ts';
import { EmbeddedScorer } from '../search/score/embedded.ts';
import { ScoringNode } from '../search/score/node.ts';
import { OpenAIScorer, type PromptLogprobMode } from '../search/score/openai.ts';
import { SGLangScorer } from '../search/score/sglang.ts';
import { scoreSubject } from '../search/score/protocol.ts';
import type { Scorer } from '../search/score/types.ts';

const SOURCE_EXTENSIONS = new Set(['.ts', '.tsx', '.js', '.jsx', '.mjs', '.cjs', '.py', '.go', '.rs', '.java', '.c', '.h', '.cc', '.cpp', '.hpp', '.rb', '.md']);
const SKIP_DIRS = new Set(['node_modules', '.git', 'dist', 'build', 'target', '.venv']);

/** Source files under the given paths, in a stable order. */
function sourceFiles(paths: readonly string[]): string[] {
  const out: string[] = [];
  const visit = (path: string): void => {
    const st = statSync(path);
    if (st.isDirectory()) {
      for (const name of readdirSync(path).sort()) if (!SKIP_DIRS.has(name)) visit(join(path, name));
    } else if (st.isFile() && SOURCE_EXTENSIONS.has(extname(path))) out.push(path);
  };
  for (const p of paths) visit(p);
  return out;
}

interface NodeCommandOptions {
  backend: string;
  nats?: string[];
  logLevel: string;
  model?: string;
  order: number;
  train: string[];
  endpoint: string[];
  apiKey?: string;
  mode: string;
  batchSize: number;
  concurrency?: number;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function buildScorer(opts: NodeCommandOptions): Scorer {
  if (opts.backend === 'embedded') {
    const scorerOpts: { order: number; model?: string } = { order: opts.order };
    if (opts.model) scorerOpts.model = opts.model;
    const scorer = new EmbeddedScorer(scorerOpts);
    const files = sourceFiles(opts.train);
    for (const file of files) scorer.train(readFileSync(file, 'utf8'));
    process.stderr.write(`scorer-node: trained ${scorer.model} on ${files.length} files, ${scorer.ngram.trainedTokens} tokens\n`);
    return scorer;
  }
  if (opts.backend === 'openai') {
    if (!opts.model) throw new UsageError('--backend openai needs --model (the served model name)');
    if (opts.endpoint.length === 0) throw new UsageError('--backend openai needs at least one --endpoint (e.g. http://gpu1:8000/v1)');
    const mode = opts.mode as PromptLogprobMode;
    if (!['auto', 'prompt_logprobs', 'echo'].includes(mode)) throw new UsageError(`--mode must be auto, prompt_logprobs or echo, got ${opts.mode}`);
    const scorerOpts: ConstructorParameters<typeof OpenAIScorer>[0] = {
      model: opts.model,
      endpoints: opts.endpoint,
      mode,
      batchSize: opts.batchSize,
    };
    const apiKey = opts.apiKey ?? process.env.OPENAI_API_KEY;
    if (apiKey) scorerOpts.apiKey = apiKey;
    return new OpenAIScorer(scorerOpts);
  }
  if (opts.backend === 'sglang') {
    if (!opts.model) throw new UsageError('--backend sglang needs --model (the served model name)');
    if (opts.endpoint.length === 0) throw new UsageError('--backend sglang needs at least one --endpoint (the server root, e.g. http://gpu1:30000)');
    const apiKey = opts.apiKey ?? process.env.OPENAI_API_KEY;
    return new SGLangScorer({ model: opts.model, endpoints: opts.endpoint, batchSize: opts.batchSize, ...(apiKey ? { apiKey } : {}) });
  }
  throw new UsageError(`--backend must be embedded, openai or sglang, got ${opts.backend}`);
}

export function register(program: Command): void {
  const cmd = program
    .command('scorer-node')
    .description('Serve log P(code | context) on the bus as a scoring node (queue group per model).')
    .option('--backend <kind>', "embedded (n-gram, CPU), openai (a vLLM server's /v1/completions) or sglang (SGLang's /generate, prefix-cached)", 'embedded')
    .option('--log-level <level>', 'log level', 'info')
    .option('--model <name>', 'model name (openai: as served; embedded: defaults to embedded-kn<order>)')
    .option('--order <n>', 'embedded: n-gram order', positiveInt, 4)
    .option('--train <path>', 'embedded: train on the source files under this path (repeatable)', collect, [])
    .option('--endpoint <url>', 'openai: base URL such as http://gpu1:8000/v1; sglang: the server root such as http://gpu1:30000 (repeatable, failover in turn)', collect, [])
    .option('--api-key <key>', 'openai: API key (default $OPENAI_API_KEY, else EMPTY)')
    .option('--mode <mode>', 'openai: auto, prompt_logprobs or echo', 'auto')
    .option('--batch-size <n>', 'openai: prompts per request', positiveInt, 16)
    .option('--concurrency <n>', 'batches handled at once (default 1 embedded, 8 openai)', positiveInt);
  addNatsOptions(cmd, false).action(async (opts: NodeCommandOptions) => {
    const scorer = buildScorer(opts);
    const log = createLogger({ level: opts.logLevel });
    const bus = await connectFromOptions(opts.nats ?? [process.env.NATS_URL ?? 'nats://127.0.0.1:4222'], log, 'retrace-scorer-node');
    const concurrency = opts.concurrency ?? (opts.backend === 'embedded' ? 1 : 8);
    const nodeOpts: Parameters<typeof ScoringNode.start>[0] = { bus, scorer, backend: opts.backend, concurrency };
    // Embedded nodes of the agents' model also score searches over a run's corpus.
    if (opts.backend === 'embedded') {
      const order = opts.order;
      const model = scorer.model;
      nodeOpts.corpora = new CorpusScorers(4, () => new EmbeddedScorer({ order, model }));
    }
    const node = await ScoringNode.start(nodeOpts);
    process.stderr.write(`scorer-node ${node.id}: serving ${scoreSubject(scorer.model)}\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await node.stop();
    await scorer.close();
    await bus.close();
  });
}
