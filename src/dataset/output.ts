/**
 * The dataset side of a run: what the records say about the repository (origin, commit, licence),
 * which files are replayed but not trained on, the writer that packs the steps, and at the end
 * the sink (JSONL or Parquet) and the dataset card beside it.
 *
 * The settings are checked before the run starts (`checkOutputSettings`), so a bad extension or
 * tokenizer costs no work and leaves no file.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import type { Step } from '../agents/types.ts';
import { CardTally, writeCard } from './card.ts';
import { checkParquetDir, DatasetOutputError, JSONL_ENDINGS, openSink } from './io/mod.ts';
import { detectLicenceIn } from './licence.ts';
import { gitProvenance } from '../graph/provenance.ts';
import type { RepoProvenance, RunProvenance, UntrainedFileReason } from './record.ts';
import { loadTokenizer, type TextTokenizer } from './tokenizer.ts';
import { trainableFile, type TrainOptions } from './trainable.ts';
import { DatasetWriter, type WriterTotals } from './writer.ts';
import type { RecordCalls } from '../accounting/record-calls.ts';
import type { ModelCalls } from '../accounting/model-calls.ts';

export class OutputSettingsError extends Error {
  override name = 'OutputSettingsError';
}

export interface OutputSettings {
  /** A `.jsonl`, `.jsonl.gz` or `.jsonl.zst` file; a directory of shards for Parquet. */
  out: string;
  format: 'jsonl' | 'parquet';
  /** Parquet: tokens per shard. */
  shardTokens?: number;
  /** `llama-3` (default), a tokenizer.json or a directory holding one. */
  tokenizer: string;
  contextTokens: number;
  tokenIds: boolean;
  train: TrainOptions;
  /** Write the dataset card (README.md and plots) beside the output. */
  card: boolean;
}

export const DEFAULT_CONTEXT_TOKENS = 65_536;

/** Throws OutputSettingsError for settings that cannot work, touching no file; loads the tokenizer. */
export async function checkOutputSettings(s: OutputSettings): Promise<TextTokenizer> {
  if (s.format === 'jsonl' && !JSONL_ENDINGS.some((e) => s.out.endsWith(e))) {
    throw new OutputSettingsError(`${s.out}: a JSONL dataset's name ends in ${JSONL_ENDINGS.join(', ')} (for Parquet shards: --format parquet and a directory)`);
  }
  if (s.format === 'parquet') {
    try {
      await checkParquetDir(s.out);
    } catch (err) {
      if (err instanceof DatasetOutputError) throw new OutputSettingsError(err.message);
      throw err;
    }
  }
  if (!Number.isInteger(s.contextTokens) || s.contextTokens < 64) throw new OutputSettingsError(`--context-tokens must be an integer of at least 64, got ${s.contextTokens}`);
  try {
    return loadTokenizer(s.tokenizer);
  } catch (err) {
    throw new OutputSettingsError((err as Error).message);
  }
}

/** Where the run's spool and checkpoint live: beside the output. */
export const outputStem = (s: Pick<OutputSettings, 'out'>): string => s.out.replace(/\/+$/, '');

export interface RepoFacts {
  name: string;
  /** The repository on disk, to ask git; absent when it is served by a graph service. */
  root?: string;
  /** HEAD and origin as the graph service saw them, for a served repository. */
  git?: { commit: string | null; origin: string | null };
  languages: Record<string, number>;
  order: string[];
  read(path: string): string;
}

/** Origin, commit and licence of the repository, for every record. */
export async function repoProvenance(r: RepoFacts): Promise<RepoProvenance> {
  const git = r.git ?? (r.root ? await gitProvenance(r.root) : { commit: null, origin: null });
  // From the texts the run works on (the disk's or the graph service's), so both read alike.
  const licence = detectLicenceIn(r.order, r.read);
  return { name: r.name, origin: git.origin, commit: git.commit, licence: licence.licence, licence_source: licence.source, languages: r.languages, files: r.order };
}

/** The files replayed but not trained on, with their reasons. */
export function untrainedFiles(r: Pick<RepoFacts, 'order' | 'read'>, train: TrainOptions): Map<string, UntrainedFileReason> {
  const out = new Map<string, UntrainedFileReason>();
  for (const path of r.order) {
    const verdict = trainableFile(path, r.read(path), train);
    if (!verdict.train) out.set(path, verdict.reason);
  }
  return out;
}

export interface FinishedOutput extends WriterTotals {
  card: string[];
}

/** The run's dataset: steps in as they come, records, sink and card out at `finish`. */
export class DatasetOutput {
  private readonly writer: DatasetWriter;

  constructor(
    private readonly settings: OutputSettings,
    tokenizer: TextTokenizer,
    meta: { repo: RepoProvenance; run: Omit<RunProvenance, 'policies' | 'tokenizer' | 'context_tokens'>; untrained: ReadonlyMap<string, UntrainedFileReason> },
  ) {
    this.writer = new DatasetWriter({
      tokenizer,
      contextTokens: settings.contextTokens,
      tokenIds: settings.tokenIds,
      untrained: meta.untrained,
      repo: meta.repo,
      run: meta.run,
      spool: `${outputStem(settings)}.spool.jsonl`,
    });
  }

  get totals(): DatasetWriter['totals'] {
    return this.writer.totals;
  }

  add(steps: readonly Step[], calls?: RecordCalls): void {
    this.writer.add(steps, calls);
  }

  abandon(): void {
    this.writer.abandon();
  }

  /** Writes the records and the card; `fidelity` gives the card its `retrace stats` figures, `models` its model calls. */
  async finish(fidelity?: (files: string[]) => Promise<object | undefined>, models?: ModelCalls): Promise<FinishedOutput> {
    const sink = await openSink(this.settings.out, { format: this.settings.format, ...(this.settings.shardTokens ? { shardTokens: this.settings.shardTokens } : {}) });
    const tally = new CardTally();
    const totals = await this.writer.finish(sink, (rec) => tally.add(rec));
    let card: string[] = [];
    if (this.settings.card) {
      const dir = cardDir(this.settings);
      const figures = fidelity ? await fidelity(totals.files) : undefined;
      card = writeCard(dir, tally, {
        name: basename(outputStem(this.settings)),
        files: totals.files.map((f) => relative(dir, f)),
        format: this.settings.format,
        ...(figures ? { fidelity: figures as never } : {}),
        ...(models ? { models } : {}),
      });
    }
    return { ...totals, card };
  }
}

/**
 * The card's folder: the Parquet directory, or the JSONL file's folder — unless that folder has a
 * README.md of someone else's, which is never overwritten: then `<out>.card/`.
 */
export function cardDir(s: Pick<OutputSettings, 'out' | 'format'>): string {
  if (s.format === 'parquet') return outputStem(s);
  const dir = dirname(s.out);
  const readme = join(dir, 'README.md');
  if (!existsSync(readme) || isOurCard(readme)) return dir;
  return `${s.out}.card`;
}

function isOurCard(file: string): boolean {
  const head = readFileSync(file, 'utf8').slice(0, 4000);
  return head.startsWith('---\n') && /\n- retrace\n/.test(head);
}
