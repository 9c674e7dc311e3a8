/**
 * The wire shapes of OpenAI-compatible servers that return prompt log-probs, checked, and how a
 * target's tokens are cut out of them.
 *
 * - vLLM `prompt_logprobs`: each choice carries `prompt_logprobs`, one entry per prompt token:
 *   null for the first, else `{ "<token id>": { logprob, rank, decoded_token } }` holding the
 *   prompt's token AND the top alternatives, in no order we may rely on (JSON objects with integer
 *   keys come back sorted by id). We look up the prompt's own token id, from `/tokenize`.
 * - Classic `echo` + `logprobs`: `logprobs.tokens / token_logprobs / text_offset` cover the prompt
 *   and then the generated token(s). Offsets are characters (code points, the server is Python) of
 *   the text as the server decoded it, which may start with a special token's text (`<s>`), so we
 *   measure the target back from where the prompt ends, never from the start.
 *
 * The hot path is checked by hand, not with zod: a vLLM answer holds one entry per prompt token
 * (~5,000 per prompt of a search), and a schema walked over all of them (and copying each) cost
 * ~60 ms of CPU per prompt, as much as the GPU's prefill (bench/models.ts). Only what is read is
 * checked: each choice's `index`, and the entries from the target's first token on; the rest of
 * an answer is passed over. Small and rare shapes (the classic echo, usage) keep their schemas.
 */
import { z } from 'zod';
import { ScorerBadResponseError, UnsupportedServerError } from './errors.ts';
import type { ScoreResult } from './types.ts';

const ClassicLogprobs = z.object({
  tokens: z.array(z.string()).nullish(),
  token_logprobs: z.array(z.number().nullable()).nullish(),
  text_offset: z.array(z.number()).nullish(),
});

/** One choice of a completions answer: its `index` checked, the rest read (and checked) where used. */
export interface CompletionChoice {
  index: number;
  logprobs?: unknown;
  prompt_logprobs?: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const UsageResponse = z.object({
  usage: z.object({ prompt_tokens: z.number().optional(), completion_tokens: z.number().optional() }).nullish(),
});

/** The `usage` a completions response reports, when it reports one. */
export function reportedUsage(body: unknown): { prompt_tokens?: number | undefined; completion_tokens?: number | undefined } | undefined {
  const parsed = UsageResponse.safeParse(body);
  return parsed.success ? (parsed.data.usage ?? undefined) : undefined;
}

/** A score as the call cache keeps it (src/models): read back, it is checked against this. */
export const ScoreResultShape = z.object({ logprob: z.number(), tokenLogprobs: z.array(z.number()), tokens: z.array(z.string()) });

/** vLLM / SGLang `/tokenize` (`{ tokens, count, max_model_len }`): its token ids, or undefined when it is not that shape. */
export function tokenizedIds(body: unknown): number[] | undefined {
  const tokens = isObject(body) ? body.tokens : undefined;
  if (!Array.isArray(tokens)) return undefined;
  for (const t of tokens) if (!Number.isInteger(t)) return undefined;
  return tokens as number[];
}

const LLAMA_HINT =
  'the server returns no prompt log-probs (llama.cpp\'s server cannot score prompts); use vLLM or SGLang';

/** Orders the choices by `index`, one per prompt, or throws. */
export function choicesByPrompt(body: unknown, prompts: number, endpoint: string): CompletionChoice[] {
  const choices = isObject(body) ? body.choices : undefined;
  if (!Array.isArray(choices)) throw new ScorerBadResponseError(`malformed completions response from ${endpoint}: no choices list`, { endpoint });
  const out = new Array<CompletionChoice | undefined>(prompts);
  for (const choice of choices as unknown[]) {
    const index = isObject(choice) ? choice.index : undefined;
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0) {
      throw new ScorerBadResponseError(`malformed completions response from ${endpoint}: a choice without a valid index`, { endpoint });
    }
    if (index >= prompts || out[index]) {
      throw new ScorerBadResponseError(`completions response from ${endpoint} has an unexpected choice index ${index}`, { endpoint });
    }
    out[index] = choice as CompletionChoice;
  }
  if (out.some((c) => c === undefined)) {
    throw new ScorerBadResponseError(`completions response from ${endpoint} has ${choices.length} choices for ${prompts} prompts`, { endpoint });
  }
  return out as CompletionChoice[];
}

/**
 * The target's scores from a vLLM `prompt_logprobs` choice. `ids` are the full prompt's token ids
 * (as sent), `from` the index of the first token that holds target text.
 */
export function fromPromptLogprobs(choice: CompletionChoice, ids: readonly number[], from: number, endpoint: string): ScoreResult {
  const entries = choice.prompt_logprobs;
  if (entries === null || entries === undefined) throw new UnsupportedServerError(`${endpoint}: ${LLAMA_HINT} (no prompt_logprobs in the response)`, { endpoint });
  if (!Array.isArray(entries)) throw new ScorerBadResponseError(`${endpoint}: prompt_logprobs is not a list`, { endpoint });
  if (entries.length !== ids.length) {
    throw new ScorerBadResponseError(`${endpoint}: prompt_logprobs has ${entries.length} entries for ${ids.length} prompt tokens`, { endpoint });
  }
  const tokens: string[] = [];
  const tokenLogprobs: number[] = [];
  let logprob = 0;
  for (let i = from; i < ids.length; i++) {
    const entry: unknown = entries[i];
    // The first prompt token has no log-prob (nothing precedes it); it cannot be scored.
    if (entry === null || entry === undefined) {
      if (i === 0) continue;
      throw new ScorerBadResponseError(`${endpoint}: prompt token ${i} has no log-prob`, { endpoint });
    }
    const own = ownEntry(entry, ids[i]!, i, endpoint);
    tokens.push(own.text);
    tokenLogprobs.push(own.logprob);
    logprob += own.logprob;
  }
  return { logprob, tokenLogprobs, tokens };
}

/** The prompt token's own `{ logprob, decoded_token }` in entry `i`, checked. */
function ownEntry(entry: unknown, id: number, i: number, endpoint: string): { logprob: number; text: string } {
  const own = isObject(entry) ? entry[String(id)] : undefined;
  if (own === undefined) throw new ScorerBadResponseError(`${endpoint}: prompt_logprobs[${i}] lacks the prompt's own token ${id}`, { endpoint });
  const logprob = isObject(own) ? own.logprob : undefined;
  const text = isObject(own) ? (own.decoded_token ?? '') : undefined;
  if (typeof logprob !== 'number' || typeof text !== 'string') {
    throw new ScorerBadResponseError(`${endpoint}: prompt_logprobs[${i}] is not { logprob: number, decoded_token: string }`, { endpoint });
  }
  return { logprob, text };
}

/** Length in code points, as a Python server counts offsets. */
export function codePoints(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdbff) n++;
  }
  return n;
}

/**
 * The target's scores from a classic echo choice. We asked for one generated token, so the last
 * token is generated and the prompt ends at its offset; the target is the last `targetLength`
 * characters before that, and every token that ends inside it belongs to it.
 */
export function fromEcho(choice: CompletionChoice, promptLength: number, targetLength: number, endpoint: string): ScoreResult {
  const parsed = ClassicLogprobs.nullish().safeParse(choice.logprobs);
  if (!parsed.success) throw new ScorerBadResponseError(`${endpoint}: malformed echoed logprobs: ${parsed.error.message.slice(0, 300)}`, { endpoint, cause: parsed.error });
  const lp = parsed.data;
  const tokens = lp?.tokens;
  const values = lp?.token_logprobs;
  const offsets = lp?.text_offset;
  if (!tokens || !values || !offsets) throw new UnsupportedServerError(`${endpoint}: ${LLAMA_HINT} (no echoed log-probs)`, { endpoint });
  if (values.length !== tokens.length || offsets.length !== tokens.length) {
    throw new ScorerBadResponseError(`${endpoint}: echoed logprobs arrays differ in length`, { endpoint });
  }
  const promptTokens = tokens.length - 1;
  const promptEnd = promptTokens >= 0 ? offsets[promptTokens]! : 0;
  if (promptTokens <= 0 || promptEnd < promptLength) {
    throw new UnsupportedServerError(`${endpoint}: ${LLAMA_HINT} (the echo does not cover the prompt)`, { endpoint });
  }
  const targetStart = promptEnd - targetLength;
  const out: ScoreResult = { logprob: 0, tokenLogprobs: [], tokens: [] };
  for (let i = 0; i < promptTokens; i++) {
    const end = offsets[i + 1]!;
    if (end <= targetStart) continue;
    const v = values[i];
    if (v === null || v === undefined) {
      if (i === 0) continue;
      throw new ScorerBadResponseError(`${endpoint}: echoed prompt token ${i} has no log-prob`, { endpoint });
    }
    out.tokens.push(tokens[i]!);
    out.tokenLogprobs.push(v);
    out.logprob += v;
  }
  return out;
}
