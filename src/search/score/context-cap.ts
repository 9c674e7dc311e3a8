/**
 * The context cap (`--max-context-tokens N`) of the scorers that send prompts to a server: the
 * context before the target keeps at most its last N tokens; the target is never cut. The cut
 * falls on the left, so what goes is the start of the context (the file's first lines, the
 * repository header), and what stays is nearest the target: the reasoning (joined at the end of
 * the context, src/search/objective.ts) and the code just before it.
 *
 * - Token-id modes (vLLM `prompt_logprobs`, SGLang `/generate`): in the server's own tokens. The
 *   special tokens the server's tokenizer puts first (BOS: what `/tokenize` gives for "") stay
 *   first; then the context from the cut on; the cut falls between two tokens. The number of
 *   tokens cut is rounded up to a whole block (a quarter of N, at most 512), so the context keeps
 *   between N - block + 1 and N tokens, and prompts whose contexts differ only near their end (the
 *   candidates of one search: the same file, different reasoning) are cut at the same token and
 *   still share their prefix in SGLang's radix cache. A cut that moved with every candidate's
 *   length would leave them nothing in common but BOS.
 * - Text mode (classic `echo`): the server's tokens are not known before the call, so the context
 *   keeps its last N tokens as Llama-3's tokenizer cuts them (an estimate of the server's count;
 *   code tokenizers differ by some tens of percent), cut at a token boundary of that tokenizer.
 *
 * What the cut does to log-probs: the target is scored given less context, so a target that draws
 * on what was cut (a name defined early in the file) scores lower than uncapped. Every candidate of
 * a search is cut the same way, but longer reasoning leaves room for less of the file; the
 * baseline (no reasoning) keeps the most. An uncut prompt scores exactly as without the cap.
 */
import { loadTokenizer, type TextTokenizer } from '../../dataset/tokenizer.ts';

export interface CappedPrompt {
  ids: number[];
  /** Index of the first target token in `ids`. */
  from: number;
  /** Context tokens dropped. */
  cut: number;
}

/** Cuts are whole blocks of this many tokens, so that contexts differing near their end cut alike. */
export function cutBlock(max: number): number {
  return Math.max(1, Math.min(512, Math.floor(max / 4)));
}

/**
 * `full` (the prompt's ids: `specials` special tokens, the context, from `from` the target) with
 * at most `max` context tokens: the special tokens, then the context less its first
 * `cut` tokens, `cut` the excess rounded up to a whole block.
 */
export function capContextIds(full: readonly number[], from: number, specials: number, max: number | undefined): CappedPrompt {
  const lead = Math.min(specials, from);
  const contextTokens = from - lead;
  if (max === undefined || contextTokens <= max) return { ids: [...full], from, cut: 0 };
  const block = cutBlock(max);
  const cut = Math.min(contextTokens, Math.ceil((contextTokens - max) / block) * block);
  return { ids: [...full.slice(0, lead), ...full.slice(lead + cut)], from: from - cut, cut };
}

let estimator: TextTokenizer | undefined;

/** The context's last `max` tokens as Llama-3's tokenizer counts them (text modes). */
export function capContextText(context: string, max: number | undefined): string {
  // Every token holds at least one byte: a context of at most `max` bytes needs no count.
  if (max === undefined || Buffer.byteLength(context) <= max) return context;
  estimator ??= loadTokenizer('llama-3');
  const ids = estimator.encode(context);
  if (ids.length <= max) return context;
  let kept = estimator.decode(ids.slice(ids.length - max));
  // Byte-level tokens may split a character: keep only the text the context really ends with.
  while (kept.length > 0 && !context.endsWith(kept)) kept = kept.slice(1);
  return kept;
}
