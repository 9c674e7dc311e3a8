/**
 * How a step reads in the flattened text (`renderStep`, shared by every format), and format 1's
 * record: what datasets written before format 2 (src/dataset/record.ts) hold, still read by
 * `retrace verify` and `retrace stats`. Format 1 counted UTF-16 units and approximate tokens
 * (characters / 4); nothing writes it any more.
 */
import type { SearchStats, Step } from '../agents/types.ts';

export const DATASET_VERSION = 1;

export interface DatasetRecord {
  /** `<repo>/<run>#<chunk>`. */
  id: string;
  format: number;
  repo: { name: string; commit: string | null; languages: Record<string, number>; files: string[] };
  run: { id: string; seed: number; budget: number; faultRate: number; policies: Record<string, string> };
  chunk: { index: number; count: number | null; first_step: number };
  steps: Array<Step & { index: number }>;
  /** One entry per refined step: where it is and what the search found. */
  search: Array<SearchStats & { step: number; path: string | null }>;
  /** The steps flattened into one training text. */
  text: string;
  /** Character spans [start, end) of `text` to mask from the loss (observations). */
  mask: Array<[number, number]>;
  stats: { steps: number; chars: number; train_chars: number; masked_chars: number; approx_tokens: number };
}

/** How one step reads in the flattened text: a header line, then its text. */
export function renderStep(s: Step): string {
  const head = [`### ${s.role} ${s.kind}`, s.tool ?? '', s.path ?? ''].filter(Boolean).join(' ');
  if (s.edit) return `${head}\n<<<<<<< old\n${s.edit.old}\n=======\n${s.edit.new}\n>>>>>>> new\n\n`;
  return `${head}\n${s.text}${s.text.endsWith('\n') ? '' : '\n'}\n`;
}

export function flatten(steps: ReadonlyArray<Step>): { text: string; mask: Array<[number, number]> } {
  let text = '';
  const mask: Array<[number, number]> = [];
  for (const s of steps) {
    const block = renderStep(s);
    if (!s.train) {
      const last = mask[mask.length - 1];
      if (last && last[1] === text.length) last[1] += block.length;
      else mask.push([text.length, text.length + block.length]);
    }
    text += block;
  }
  return { text, mask };
}

export const approxTokens = (chars: number): number => Math.ceil(chars / 4);
