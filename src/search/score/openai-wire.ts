/**
 * The wire shapes of OpenAI-compatible servers that return prompt log-probs, validated with zod,
 * and how a target's tokens are cut out of them.
 *
 * - vLLM `prompt_logprobs`: each choice carries `prompt_logprobs`, one entry per prompt token:
 *   null for the first, else `{ "<token id>": { logprob, rank, decoded_token } }` holding the
 *   prompt's token AND the top alternatives, in no order we may rely on (JSON objects with integer
 *   keys come back sorted by id). We look up the prompt's own token id, from `/tokenize`.
 * - Classic `echo` + `logprobs`: `logprobs.tokens / token_logprobs / text_offset` cover the prompt
 *   and then the generated token(s). Offsets are characters (code points, the server is Python) of
 *   the text as the server decoded it, which may start with a special token's text (`<s>`), so we
 *   measure the target back from where the prompt ends, never from the start.
 */
import { z } from 'zod';
import { ScorerBadResponseError, UnsupportedServerError } from './errors.ts';
import type { ScoreResult } from './types.ts';

const PromptLogprobEntry = z.object({
  logprob: z.number(),
  rank: z.number().nullish(),
  decoded_token: z.string().nullish(),
});

const ClassicLogprobs = z.object({
  tokens: z.array(z.string()).nullish(),
  token_logprobs: z.array(z.number().nullable()).nullish(),
  text_offset: z.array(z.number()).nullish(),
});

const Choice = z.object({
  index: z.number().int().nonnegative(),
  text: z.string().nullish(),
  logprobs: ClassicLogprobs.nullish(),
  prompt_logprobs: z.array(z.record(z.string(), PromptLogprobEntry).nullable()).nullish(),
});

export const CompletionResponse = z.object({ choices: z.array(Choice) });
export type CompletionChoice = z.infer<typeof Choice>;

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

/** vLLM / SGLang `/tokenize`: `{ tokens, count, max_model_len }`. */
export const TokenizeResponse = z.object({ tokens: z.array(z.number().int()) });

const LLAMA_HINT =
  'the server returns no prompt log-probs (llama.cpp\'s server cannot score prompts); use vLLM or SGLang';

/** Orders the choices by `index`, one per prompt, or throws. */
export function choicesByPrompt(body: unknown, prompts: number, endpoint: string): CompletionChoice[] {
  const parsed = CompletionResponse.safeParse(body);
  if (!parsed.success) {
    throw new ScorerBadResponseError(`malformed completions response from ${endpoint}: ${parsed.error.message.slice(0, 300)}`, { endpoint, cause: parsed.error });
  }
  const out = new Array<CompletionChoice | undefined>(prompts);
  for (const choice of parsed.data.choices) {
    if (choice.index >= prompts || out[choice.index]) {
      throw new ScorerBadResponseError(`completions response from ${endpoint} has an unexpected choice index ${choice.index}`, { endpoint });
    }
    out[choice.index] = choice;
  }
  if (out.some((c) => c === undefined)) {
    throw new ScorerBadResponseError(`completions response from ${endpoint} has ${parsed.data.choices.length} choices for ${prompts} prompts`, { endpoint });
  }
  return out as CompletionChoice[];
}

/** Length of the longest common prefix: where the target's tokens start in the full prompt. */
export function commonPrefix(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  let k = 0;
  while (k < n && a[k] === b[k]) k++;
  return k;
}

/**
 * The target's scores from a vLLM `prompt_logprobs` choice. `ids` are the full prompt's token ids
 * (as sent), `from` the index of the first token that holds target text.
 */
export function fromPromptLogprobs(choice: CompletionChoice, ids: readonly number[], from: number, endpoint: string): ScoreResult {
  const entries = choice.prompt_logprobs;
  if (!entries) throw new UnsupportedServerError(`${endpoint}: ${LLAMA_HINT} (no prompt_logprobs in the response)`, { endpoint });
  if (entries.length !== ids.length) {
    throw new ScorerBadResponseError(`${endpoint}: prompt_logprobs has ${entries.length} entries for ${ids.length} prompt tokens`, { endpoint });
  }
  const tokens: string[] = [];
  const tokenLogprobs: number[] = [];
  let logprob = 0;
  for (let i = from; i < ids.length; i++) {
    const entry = entries[i];
    // The first prompt token has no log-prob (nothing precedes it); it cannot be scored.
    if (entry === null || entry === undefined) {
      if (i === 0) continue;
      throw new ScorerBadResponseError(`${endpoint}: prompt token ${i} has no log-prob`, { endpoint });
    }
    const own = entry[String(ids[i])];
    if (!own) throw new ScorerBadResponseError(`${endpoint}: prompt_logprobs[${i}] lacks the prompt's own token ${ids[i]}`, { endpoint });
    tokens.push(own.decoded_token ?? '');
    tokenLogprobs.push(own.logprob);
    logprob += own.logprob;
  }
  return { logprob, tokenLogprobs, tokens };
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
  const lp = choice.logprobs;
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
