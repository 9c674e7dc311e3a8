/**
 * The dataset record, format 2: what a trainer loads. One record is one packed sequence of a run:
 * it fits the context (`tokens.count` ≤ the run's `context_tokens`), stands alone (it opens with
 * `context`: the brief, the plan and, when it starts inside a file, that file's design, all masked)
 * and carries its provenance. docs/dataset.md describes every field.
 *
 * Offsets: `mask` is in Unicode code points of `text` (Python's `str` indices); `tokens.mask` is
 * in tokens of `tokens.ids` (the tokenizer's encoding of `text`, block by block).
 */
import type { Role, SearchStats, Step } from '../agents/types.ts';
import type { RecordCalls } from '../accounting/record-calls.ts';

export const DATASET_FORMAT = 2;

export type IndexedStep = Step & { index: number };

/** Why a write is replayed but not trained on (beside a debugging episode's `faulty-draft`). */
export const UNTRAINED_FILE_REASONS = ['lock-file', 'generated', 'minified', 'data'] as const;
export type UntrainedFileReason = (typeof UNTRAINED_FILE_REASONS)[number];

/** Why a corpus masks a file its repository's run trained on (src/corpus/dedup.ts). */
export type CorpusUntrainedReason = 'duplicate' | 'contaminated';

export interface RepoProvenance {
  name: string;
  /** `remote.origin.url` of a git checkout, credentials removed; null otherwise. */
  origin: string | null;
  /** HEAD's SHA of a git checkout; null otherwise. */
  commit: string | null;
  /** SPDX expression (e.g. `MIT`, `Apache-2.0 OR MIT`); null when none is found. */
  licence: string | null;
  /** Where the licence was found (`LICENSE`, `package.json`, ...); null with no licence. */
  licence_source: string | null;
  /** Files per language. */
  languages: Record<string, number>;
  /** The writing order of the run. */
  files: string[];
}

export interface RunProvenance {
  id: string;
  seed: number;
  /** Scorer calls per refined chunk. */
  budget: number;
  fault_rate: number;
  /** Role -> the `id@revision`s of the policies that made this record's steps, in order of first use. */
  policies: Partial<Record<Role, string[]>>;
  /** `embedded`, or `openai` with the server's model. */
  scorer: { kind: string; model: string | null };
  /** The search's settings: method and batch size (null with no search). */
  search: { method: string; batch: number } | null;
  tokenizer: string;
  context_tokens: number;
  /**
   * Per role, the model calls of the work whose first step this record holds: answers used (paid
   * or from the cache) and their tokens. Absent when no model was called (src/accounting/record-calls.ts).
   */
  model_calls?: RecordCalls;
}

export interface RecordTokens {
  /** Exact token count of `text` under `run.tokenizer`. */
  count: number;
  train: number;
  masked: number;
  /** Token spans [start, end) masked from the loss. */
  mask: Array<[number, number]>;
  /** Tokens of each block of `text` (one block a step: `context`'s, then `steps`'). */
  blocks: number[];
  /** The token ids (with `--token-ids`), else absent. */
  ids?: number[];
}

export interface DatasetRecordV2 {
  /** `<repo>/<run>#<chunk>`. */
  id: string;
  format: number;
  repo: RepoProvenance;
  run: RunProvenance;
  /** `count`: records of the run; `first_step`: index of `steps[0]` in the run. */
  chunk: { index: number; count: number; first_step: number };
  /** Earlier steps repeated so the record stands alone: masked, never replayed, never counted. */
  context: IndexedStep[];
  /** This record's own steps, in run order. */
  steps: IndexedStep[];
  /** Per refined step: where it is and the log-likelihood of its target before and after. */
  search: Array<SearchStats & { step: number; path: string | null }>;
  /** `context` then `steps`, flattened (renderStep). */
  text: string;
  /** Code-point spans [start, end) of `text` masked from the loss. */
  mask: Array<[number, number]>;
  tokens: RecordTokens;
  stats: { steps: number; chars: number; train_chars: number; masked_chars: number };
}
