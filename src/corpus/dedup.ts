/**
 * What a corpus does not train on twice, or at all: a file whose content was already trained on
 * earlier in the corpus (a fork, a vendored copy, the same LICENSE) is replayed but masked as
 * `duplicate`; a file sharing a 13-gram of words with a text the user excludes (benchmark
 * solutions, `--exclude-ngrams`) is masked as `contaminated`. Decided in input order, file by
 * file in each repository's writing order, so the verdicts do not depend on which worker ran
 * first.
 *
 * Words are runs of letters, digits and `_`, lower-cased: the n-gram overlap of contamination
 * studies, which ignores spacing and punctuation (code reformatted still matches).
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import type { Step } from '../agents/types.ts';
import type { CorpusUntrainedReason, DatasetRecordV2 } from '../dataset/record.ts';
import { Replayer } from '../run/replay.ts';
import { InputError } from '../run/run-job.ts';

export const NGRAM = 13;

export interface ExcludedText {
  /** Where it came from: `file` or `file:line` (a JSONL line's `id` when it has one). */
  id: string;
  text: string;
}

export interface FileVerdict {
  path: string;
  reason: CorpusUntrainedReason;
  /** `duplicate`: the first `repo:path` trained with this content; `contaminated`: the text's id and the shared words. */
  of: string;
}

const WORD = /[\p{L}\p{N}_]+/gu;

const words = (text: string): string[] => text.toLowerCase().match(WORD) ?? [];

/** Every 13-gram of the excluded texts; a file is tested against them by a sliding window. */
export class NgramFilter {
  private readonly grams = new Map<string, string>();

  constructor(texts: readonly ExcludedText[]) {
    for (const t of texts) {
      const w = words(t.text);
      for (let i = 0; i + NGRAM <= w.length; i++) {
        const g = w.slice(i, i + NGRAM).join(' ');
        if (!this.grams.has(g)) this.grams.set(g, t.id);
      }
    }
  }

  get size(): number {
    return this.grams.size;
  }

  /** The first 13-gram `text` shares with an excluded text, and that text's id; null when none. */
  firstMatch(text: string): { id: string; ngram: string } | null {
    if (this.grams.size === 0) return null;
    const w = words(text);
    for (let i = 0; i + NGRAM <= w.length; i++) {
      const g = w.slice(i, i + NGRAM).join(' ');
      const id = this.grams.get(g);
      if (id !== undefined) return { id, ngram: g };
    }
    return null;
  }
}

/**
 * The texts of `--exclude-ngrams` files: a `.jsonl` file gives one text per line (`text`, and
 * `id` when present); any other file is one text.
 */
export function readExcludedTexts(files: readonly string[]): ExcludedText[] {
  return files.flatMap((file) => {
    if (!statSync(file, { throwIfNoEntry: false })?.isFile()) throw new InputError(`--exclude-ngrams: no such file: ${file}`);
    const text = readFileSync(file, 'utf8');
    if (!file.endsWith('.jsonl')) return [{ id: file, text }];
    return text.split('\n').flatMap((line, i) => (line.trim() === '' ? [] : [jsonlText(file, i + 1, line)]));
  });
}

function jsonlText(file: string, line: number, raw: string): ExcludedText {
  let v: { id?: unknown; text?: unknown };
  try {
    v = JSON.parse(raw) as typeof v;
  } catch (err) {
    throw new InputError(`--exclude-ngrams ${file}:${line}: not JSON: ${(err as Error).message}`);
  }
  if (typeof v?.text !== 'string') throw new InputError(`--exclude-ngrams ${file}:${line}: wants a "text" string`);
  return { id: typeof v.id === 'string' || typeof v.id === 'number' ? `${file}:${String(v.id)}` : `${file}:${line}`, text: v.text };
}

/** The content already trained on in this corpus: sha256 of a file's text -> its first `repo:path`. */
export class TrainedContent {
  private readonly seen = new Map<string, string>();

  /**
   * Verdicts for one repository's files (replayed from its records), in its writing order; files
   * it trains on are remembered for the repositories after it.
   */
  judge(repo: string, files: ReadonlyMap<string, string>, trained: ReadonlySet<string>, order: readonly string[], filter: NgramFilter): FileVerdict[] {
    const verdicts: FileVerdict[] = [];
    for (const path of order) {
      const text = files.get(path);
      if (text === undefined || text === '' || !trained.has(path)) continue;
      const hit = filter.firstMatch(text);
      if (hit) {
        verdicts.push({ path, reason: 'contaminated', of: `${hit.id}: "${hit.ngram}"` });
        continue;
      }
      const key = createHash('sha256').update(text).digest('hex');
      const first = this.seen.get(key);
      if (first !== undefined) verdicts.push({ path, reason: 'duplicate', of: first });
      else this.seen.set(key, `${repo}:${path}`);
    }
    return verdicts;
  }
}

/** What a repository's records write: each file's final text, and the files with a trained write. */
export class RepoFiles {
  private readonly replayer = new Replayer();
  readonly trained = new Set<string>();

  add(rec: DatasetRecordV2): void {
    for (const s of rec.steps) {
      this.replayer.apply(s);
      if (s.train && isFileChange(s)) this.trained.add(s.path!);
    }
  }

  get files(): ReadonlyMap<string, string> {
    return this.replayer.files;
  }
}

export const isFileChange = (s: Pick<Step, 'kind' | 'tool' | 'path'>): boolean => s.kind === 'action' && (s.tool === 'write' || s.tool === 'edit') && s.path !== undefined;
