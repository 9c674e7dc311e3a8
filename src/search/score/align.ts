/**
 * Where a target's tokens start in its prompt, in the server's own tokens (`/tokenize`), for the
 * scorers that send token ids (vLLM `prompt_logprobs`, SGLang `/generate`).
 *
 * The definition: the target starts where the tokens of the context alone and of context + target
 * part (a token straddling the boundary holds target text, so it is the target's). Asking for both
 * costs two `/tokenize` round trips of the whole prompt per candidate, and a search's candidates
 * all differ in their context (the reasoning is joined at its end), so no cache saves the second.
 *
 * One round trip instead: the target is the same for every candidate of a search, so its own
 * tokens are asked once (cached by the caller). When the full prompt ends with exactly the
 * target's own tokens (the special tokens the tokenizer puts first, what it gives for "", left
 * out), no token straddles the boundary and the target starts that many tokens from the end.
 * Contexts end with a newline (src/search/objective.ts), so this is the usual case; when the
 * prompt's tail differs (a merge across the boundary, as Llama-3's "\n" + "    " into one token,
 * or a tokenizer that marks a text's start), the context is tokenized after all and the two
 * tokenizations are compared, as before.
 */
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { ScoreItem } from './types.ts';

/** The server's tokens of a text, specials first (`/tokenize` with `add_special_tokens`). */
export type RemoteTokenize = (text: string) => Promise<number[]>;

export interface AlignedPrompt {
  /** The full prompt's ids (context + target), as the server tokenizes it. */
  full: number[];
  /** Index in `full` of the first token that holds target text. */
  from: number;
}

/** Length of the longest common prefix: where the target's tokens start in the full prompt. */
export function commonPrefix(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  let k = 0;
  while (k < n && a[k] === b[k]) k++;
  return k;
}

/** Whether `full` ends with `own[lead..]`, with at least `lead` tokens before it. */
function endsWithOwn(full: readonly number[], own: readonly number[], lead: number): boolean {
  const n = own.length - lead;
  if (n <= 0 || full.length - n < lead) return false;
  const at = full.length - n;
  for (let k = 0; k < n; k++) if (full[at + k] !== own[lead + k]) return false;
  return true;
}

/** The item's prompt in the server's tokens and where its target starts (see the file's comment). */
export async function alignPrompt(tokenize: RemoteTokenize, item: ScoreItem): Promise<AlignedPrompt> {
  if (item.context === '') {
    const full = await tokenize(item.target);
    return { full, from: 0 };
  }
  const [full, target, empty] = await Promise.all([tokenize(item.context + item.target), tokenize(item.target), tokenize('')]);
  const lead = commonPrefix(empty, target);
  if (endsWithOwn(full, target, lead)) return { full, from: full.length - (target.length - lead) };
  const context = await tokenize(item.context);
  return { full, from: commonPrefix(context, full) };
}

/**
 * The server's tokens of texts already asked, kept as promises: the candidates of one batch are
 * aligned at once, and each asks for the same target and the same "" (specials), so a plain cache
 * filled on answer would send those once per candidate. A failed question is forgotten, to be
 * asked again.
 */
export class TokenMemo {
  private readonly asked: LRUCache<string, Promise<number[]>>;

  constructor(max = 4096) {
    this.asked = new LRUCache({ max });
  }

  get(endpoint: string, text: string, ask: () => Promise<number[]>): Promise<number[]> {
    const key = createHash('sha256').update(endpoint).update('|').update(text).digest('base64');
    let tokens = this.asked.get(key);
    if (!tokens) {
      tokens = ask();
      this.asked.set(key, tokens);
      tokens.catch(() => this.asked.delete(key));
    }
    return tokens;
  }

  clear(): void {
    this.asked.clear();
  }
}
