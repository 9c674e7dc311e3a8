/**
 * The run's first phase: what it works on and where it writes, checked before anything starts —
 * the repository (a directory, or a graph service's), its name and the run id, the output
 * settings and their tokenizer.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { RepoRef } from '../agents/types.ts';
import { checkOutputSettings, DEFAULT_CONTEXT_TOKENS, OutputSettingsError, type OutputSettings } from '../dataset/output.ts';
import type { RepoProvenance } from '../dataset/record.ts';
import { repoName } from '../graph/mod.ts';
import { InputError, type RunJobOptions } from './job-types.ts';

export interface JobInput {
  /** The repository on disk; absent when a graph service has it. */
  root?: string;
  name: string;
  /** `root`, or `graph:<service>`. */
  where: string;
  run: string;
  repo: RepoRef;
  output: OutputSettings;
  tokenizer: Awaited<ReturnType<typeof checkOutputSettings>>;
}

export async function checkJobInput(opts: RunJobOptions): Promise<JobInput> {
  if (opts.graph && !(opts.nats && opts.nats.length > 0)) throw new InputError('--graph names a graph service on NATS: it needs --nats');
  if (opts.repoPath === undefined && !opts.graph) throw new InputError("give the repository's path, or --graph NAME (a graph service serving it) with --nats");
  // Without a path the repository is only on the graph service's machine: it is named after the
  // service, and its root there is filled in from the service's snapshot.
  const root = opts.repoPath === undefined ? undefined : resolve(opts.repoPath);
  if (root !== undefined && !existsSync(root)) throw new InputError(`no such repository: ${opts.repoPath}`);
  if (root !== undefined && !statSync(root).isDirectory()) throw new InputError(`not a directory: ${opts.repoPath}`);
  const name = opts.name ?? (root !== undefined ? repoName(root) : opts.graph!);
  const where = root ?? `graph:${opts.graph}`;
  const output = outputSettings(opts);
  let tokenizer: JobInput['tokenizer'];
  try {
    tokenizer = await checkOutputSettings(output);
  } catch (err) {
    if (err instanceof OutputSettingsError) throw new InputError(err.message);
    throw err;
  }
  // `-o out/data.jsonl` into a folder not made yet: made, as the trace and checkpoint go beside it.
  mkdirSync(dirname(output.out), { recursive: true });
  if (opts.traceFile) mkdirSync(dirname(resolve(opts.traceFile)), { recursive: true });
  return { ...(root !== undefined ? { root } : {}), name, where, run: opts.runId ?? `${name}-s${opts.seed}`, repo: { name, root: where }, output, tokenizer };
}

function outputSettings(opts: RunJobOptions): OutputSettings {
  return {
    out: outPath(opts),
    format: opts.format ?? 'jsonl',
    ...(opts.shardTokens !== undefined ? { shardTokens: opts.shardTokens } : {}),
    tokenizer: opts.tokenizer ?? 'llama-3',
    contextTokens: opts.contextTokens ?? DEFAULT_CONTEXT_TOKENS,
    tokenIds: opts.tokenIds === true,
    train: opts.train ?? {},
    card: opts.card === true,
  };
}

/** The output path without a trailing slash (a Parquet directory may be given as `out/`). */
const outPath = (opts: Pick<RunJobOptions, 'out'>): string => opts.out.replace(/(.)\/+$/, '$1');

/**
 * Provenance with what the caller states about the repository (a corpus manifest): its origin
 * and commit fill in what git does not know; a checkout at another commit than stated is refused.
 */
export function withStatedOrigin(p: RepoProvenance, opts: Pick<RunJobOptions, 'origin' | 'commit' | 'repoPath'>): RepoProvenance {
  if (opts.commit !== undefined && p.commit !== null && !p.commit.startsWith(opts.commit)) {
    throw new InputError(`${opts.repoPath ?? 'the repository'} is at commit ${p.commit}, not ${opts.commit}: check it out at ${opts.commit} first`);
  }
  return { ...p, origin: p.origin ?? opts.origin ?? null, commit: p.commit ?? opts.commit ?? null };
}
