/**
 * What the main job takes and gives: its options, its summary, the status and manifest it
 * publishes, and the errors that mean the input was at fault. runJob (run-job.ts) and its phases
 * share these.
 */
import type { Logger } from 'pino';
import type { DeadLetter } from '../bus/mod.ts';
import type { PolicySpec } from '../agents/policy.ts';
import type { Role } from '../agents/types.ts';
import type { QueueSettings } from '../agents/host.ts';
import type { TrainOptions } from '../dataset/trainable.ts';
import type { RunVerification } from '../dataset/verify.ts';
import type { IndexOptions } from '../graph/mod.ts';
import type { ModelCalls } from '../accounting/model-calls.ts';
import type { PriceTable } from '../accounting/prices.ts';
import type { ModelCallSettings } from '../models/settings.ts';

type IndexProgress = Parameters<NonNullable<IndexOptions['onProgress']>>[0];

export class InputError extends Error {
  override name = 'InputError';
}

export class MissingAgentsError extends Error {
  override name = 'MissingAgentsError';
}

export interface RunProgress {
  phase(name: 'index' | 'plan' | 'files' | 'verify', detail?: { total?: number }): void;
  file(done: number, total: number, path: string): void;
  /**
   * Indexing a local repository: source files settled (parsed or from the cache) of those found,
   * and the step it is at (indexRepo's `onProgress`; `walk`, `resolve` and `graph` come as 0 of 0).
   * Not called for a repository taken from a graph service.
   */
  index?(done: number, total: number, step: IndexProgress['phase']): void;
  /** Verifying: files replayed from the dataset, of the files it lists. */
  verify?(done: number, total: number): void;
}

export interface RunJobOptions {
  /** The repository on disk; may be left out with `graph` (the graph service has it). */
  repoPath?: string;
  /** Its name in the records and the run id; its folder's name by default. */
  name?: string;
  /** Where it came from, when git does not say (a copy without `.git`). */
  origin?: string;
  /** The commit it must be at: a checkout at another one is refused; a copy without git is taken as at it. */
  commit?: string;
  out: string;
  seed: number;
  budget: number;
  faultRate: number;
  /** No dataset record has more tokens than this (65,536 by default, the paper's context). */
  contextTokens?: number;
  /** `llama-3` (default), a Hugging Face tokenizer.json, or a directory holding one. */
  tokenizer?: string;
  /** Keep every record's token ids (`tokens.ids`). */
  tokenIds?: boolean;
  /** `jsonl` (default; `out` ends in .jsonl, .jsonl.gz or .jsonl.zst) or `parquet` (`out` is a directory of shards). */
  format?: 'jsonl' | 'parquet';
  /** Parquet: tokens per shard. */
  shardTokens?: number;
  /** Which files are trained on (lock files, generated, minified and large data files are not, by default). */
  train?: TrainOptions;
  /** Write the dataset card beside the output (`retrace run` does unless --no-card; here, only when asked). */
  card?: boolean;
  resume: boolean;
  runId?: string;
  policies?: Partial<Record<Role, PolicySpec>>;
  /**
   * Model calls: their cache (beside `out` by default) and limits per endpoint (src/models). Absent:
   * no cache and no limits (each policy and scorer retries on its own).
   */
  models?: ModelCallSettings;
  /** Dollars per million tokens of each served model (src/accounting/prices.ts): the summary, trace and card give the cost. */
  prices?: PriceTable;
  /**
   * The scorer the search uses: embedded (default), an OpenAI-compatible server (`openai`), or
   * SGLang's native API (`sglang`); a served one may cap the context it sends (`maxContextTokens`).
   */
  scorer?: { kind: 'embedded' } | { kind: 'openai' | 'sglang'; baseURL: string; model: string; apiKey?: string; maxContextTokens?: number };
  /** NATS servers: run over them with the agents found there (or spawned, with `spawn`). */
  nats?: string[];
  /**
   * With `nats`: the graph service serving the repository (`retrace graph-service --name`). The
   * run and its agents take the index and the texts from it (agents need no copy of the repo);
   * the run pins the version it saw, so an agent reaching another version fails loudly.
   */
  graph?: string;
  spawn?: boolean;
  /**
   * Ack wait and deliveries of the roles' queues. Opening a queue sets them on the server, so they
   * must match the agents' (`retrace agent --ack-wait`); 60 s and 3 by default.
   */
  queue?: QueueSettings;
  verify?: boolean;
  /** Record every message of the run to this file (for `retrace trace`); none when absent. */
  traceFile?: string;
  log?: Logger;
  progress?: RunProgress;
}

export interface RunSummary {
  run: string;
  repo: string;
  out: string;
  files: number;
  steps: number;
  records: number;
  /** Exact tokens of all records under the run's tokenizer; trained and masked. */
  tokens: number;
  trainTokens: number;
  maskedTokens: number;
  trainChars: number;
  maskedChars: number;
  /**
   * Records with no trained token: parts of an observation longer than a record (a context
   * smaller than the largest file read); 0 unless `contextTokens` is small.
   */
  zeroTrainRecords: number;
  /** The files written: the dataset (one, or Parquet shards) and the card. */
  outputs: string[];
  card: string[];
  searches: number;
  scorerCalls: number;
  meanSearchReward: number | null;
  episodes: { total: number; repaired: number };
  failures: Array<{ job: string; error: string }>;
  /**
   * Messages of this run that went to a dead-letter subject while it ran (poison work, malformed
   * messages): what happened to them, and the job they named when they decode.
   */
  deadLetters: RunDeadLetter[];
  skipped: Array<{ path: string; reason: string }>;
  resumedResults: number;
  ms: { index: number; plan: number; files: number; verify: number; total: number; search: number; io: number };
  peakRssBytes: number;
  verify: RunVerification[] | null;
  /** Model calls per role and of the scorer (none with grounded policies and the embedded scorer). */
  models: ModelCalls;
}

/** `run.status` on `retrace.<run>.event.run`: the run started, or ended (finished or failed). */
export const RUN_STATUS = 'run.status';
export interface RunStatus {
  run: string;
  status: 'started' | 'finished' | 'failed';
  repo: string;
  /** Files the run rebuilds. */
  files: number;
  attempt?: string;
  /** Pieces of work that failed (finished runs). */
  failures?: number;
  /** Why the run failed. */
  error?: string;
}

/** A run's entry in KV `retrace-runs` (key: the run id as a subject token). */
export interface RunManifest extends RunStatus {
  /** Files written so far. */
  done: number;
  /** ISO times: when the run started, when this entry was written. */
  started: string;
  updated: string;
  /** The file recording the run's messages, on the driver's machine (`retrace trace --nats --run` shows it). */
  trace?: string;
}

export interface RunDeadLetter {
  subject: string;
  queue?: string;
  reason: DeadLetter['reason'];
  error: string;
  deliveries: number;
  job?: string;
}
