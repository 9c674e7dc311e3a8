/**
 * The corpus's shards: every finished repository's records, in input order, into one sink
 * (Parquet shards of `shardTokens`, or one zstd JSON Lines file), with the card over all of them.
 * Packing starts from the repositories' own record files each time, so shards do not depend on
 * which worker finished first, nor on how often the corpus was interrupted. It writes beside the
 * final place and renames, so a kill while packing leaves the last complete shards (or none).
 */
import { readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { CardTally, writeCard } from '../dataset/card.ts';
import { openSink, readRecords } from '../dataset/io/mod.ts';
import type { CorpusUntrainedReason, DatasetRecordV2 } from '../dataset/record.ts';
import { remaskSteps } from '../dataset/remask.ts';
import { computeStats } from '../stats/mod.ts';
import type { CorpusFolder } from './state.ts';
import type { CorpusEntry } from './inputs.ts';
import { isFileChange, RepoFiles, TrainedContent, type FileVerdict, type NgramFilter } from './dedup.ts';
import type { ModelCalls } from '../accounting/model-calls.ts';

export interface PackOptions {
  format: 'jsonl' | 'parquet';
  /** The 13-grams of `--exclude-ngrams`' texts (empty: none excluded). */
  exclude: NgramFilter;
  shardTokens?: number;
  card: boolean;
  /** The repositories' model calls added up, for the card. */
  models?: ModelCalls;
  onRepo?: (done: number, total: number) => void;
}

export interface Packed {
  files: string[];
  /** Files the shards mask though their repository's run trained them: duplicates, contaminated. */
  masked: Array<FileVerdict & { repo: string }>;
  card: string[];
  records: number;
  tokens: number;
  trainTokens: number;
}

export async function packCorpus(folder: CorpusFolder, finished: readonly CorpusEntry[], opts: PackOptions): Promise<Packed> {
  const final = folder.dataPath(opts.format);
  const partial = opts.format === 'parquet' ? `${final}.partial` : final.replace(/\.jsonl\.zst$/, '.partial.jsonl.zst');
  rmSync(partial, { recursive: true, force: true });
  const sink = await openSink(partial, { format: opts.format, ...(opts.shardTokens ? { shardTokens: opts.shardTokens } : {}) });
  const tally = new CardTally();
  const totals = { records: 0, tokens: 0, trainTokens: 0 };
  const trainedContent = new TrainedContent();
  const masked: Packed['masked'] = [];
  for (const [i, entry] of finished.entries()) {
    const records = folder.recordsFile(entry.key);
    const verdicts = await judgeRepository(entry, records, trainedContent, opts.exclude);
    masked.push(...verdicts.map((v) => ({ repo: entry.key, ...v })));
    const untrain = new Map(verdicts.map((v) => [v.path, v.reason]));
    for await (const { record } of readRecords(records)) {
      const rec = withFilesMasked(record as DatasetRecordV2, untrain);
      await sink.write(rec);
      tally.add(rec);
      totals.records++;
      totals.tokens += rec.tokens.count;
      totals.trainTokens += rec.tokens.train;
    }
    opts.onRepo?.(i + 1, finished.length);
  }
  await sink.close();
  rmSync(final, { recursive: true, force: true });
  renameSync(partial, final);
  const files = shardFiles(final, opts.format);
  const card = opts.card ? await writeCorpusCard(folder, final, files, tally, opts) : [];
  return { files, card, masked, ...totals };
}

/** Replays a repository's records (a first pass) and judges its files against the corpus so far. */
async function judgeRepository(entry: CorpusEntry, records: string, trained: TrainedContent, exclude: NgramFilter): Promise<FileVerdict[]> {
  const files = new RepoFiles();
  let order: readonly string[] = [];
  for await (const { record } of readRecords(records)) {
    const rec = record as DatasetRecordV2;
    if (order.length === 0) order = rec.repo.files;
    files.add(rec);
  }
  return trained.judge(entry.key, files.files, files.trained, order, exclude);
}

function withFilesMasked(rec: DatasetRecordV2, untrain: ReadonlyMap<string, CorpusUntrainedReason>): DatasetRecordV2 {
  if (untrain.size === 0) return rec;
  const steps = new Map<number, CorpusUntrainedReason>();
  rec.steps.forEach((s, i) => {
    const reason = s.path !== undefined && isFileChange(s) ? untrain.get(s.path) : undefined;
    if (reason) steps.set(i, reason);
  });
  return remaskSteps(rec, steps);
}

/** The dataset's files: the JSON Lines file, or the shards in name order (as readers take them). */
function shardFiles(final: string, format: 'jsonl' | 'parquet'): string[] {
  if (format === 'jsonl') return [final];
  return readdirSync(final).filter((n) => n.endsWith('.parquet')).sort().map((n) => join(final, n));
}

async function writeCorpusCard(folder: CorpusFolder, final: string, files: string[], tally: CardTally, opts: PackOptions): Promise<string[]> {
  const format = opts.format;
  const dir = format === 'parquet' ? final : dirname(final);
  const figures = await computeStats(files).then((r) => r.total).catch(() => undefined);
  return writeCard(dir, tally, {
    name: basename(folder.dir),
    files: files.map((f) => relative(dir, f)),
    format,
    ...(figures ? { fidelity: figures } : {}),
    ...(opts.models ? { models: opts.models } : {}),
  });
}
