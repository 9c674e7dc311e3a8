/**
 * The wire shapes of SGLang's native `POST /generate` when it scores a prompt, validated with zod,
 * and how a target's tokens are read out of them.
 *
 * A batch goes as `input_ids: number[][]` (the response is then a list, one object per prompt, in
 * order) with `return_logprob: true`, `logprob_start_len: number[]` (one per prompt),
 * `return_text_in_logprobs: true` and `sampling_params.max_new_tokens: 0` (prefill only: nothing is
 * generated). Each object's `meta_info.input_token_logprobs` holds one `[logprob, token id, text]`
 * per prompt token from `logprob_start_len` on; the first of them is always `null` (SGLang shifts
 * the values by one and puts `null` first whatever the start), so to score the token at position
 * `p` the start is `p - 1`. `meta_info` also reports `prompt_tokens`, `completion_tokens` and
 * `cached_tokens` (the prompt tokens found in the radix cache: not computed again). The radix
 * cache is matched at most up to `logprob_start_len`, which is why the start is the target's, not 0.
 */
import { z } from 'zod';
import { ScorerBadResponseError, UnsupportedServerError } from './errors.ts';
import type { ScoreResult } from './types.ts';

const LogprobEntry = z.tuple([z.number().nullable(), z.number().int(), z.string().nullish()]).rest(z.unknown());

const MetaInfo = z.object({
  prompt_tokens: z.number().optional(),
  completion_tokens: z.number().optional(),
  cached_tokens: z.number().optional(),
  input_token_logprobs: z.array(LogprobEntry).nullish(),
});

const GenerateOutput = z.object({ meta_info: MetaInfo });

export const GenerateResponse = z.array(GenerateOutput);
export type GenerateOutput = z.infer<typeof GenerateOutput>;

/** What one prompt of a batch asks for: its token ids and where log-probs start. */
export interface PromptToScore {
  ids: readonly number[];
  /** Index of the first token that holds target text. */
  from: number;
}

/** The position SGLang starts its log-probs at so that token `from` gets one (the first is null). */
export function logprobStart(from: number): number {
  return Math.max(0, from - 1);
}

/** The `/generate` body that scores `prompts` in one batch, generating nothing. */
export function generateBody(prompts: readonly PromptToScore[]): Record<string, unknown> {
  return {
    input_ids: prompts.map((p) => [...p.ids]),
    return_logprob: true,
    logprob_start_len: prompts.map((p) => logprobStart(p.from)),
    return_text_in_logprobs: true,
    sampling_params: { max_new_tokens: 0, temperature: 0 },
  };
}

/** The outputs of a batch, one per prompt, or throws. */
export function outputsByPrompt(body: unknown, prompts: number, endpoint: string): GenerateOutput[] {
  const parsed = GenerateResponse.safeParse(body);
  if (!parsed.success) {
    throw new ScorerBadResponseError(`malformed /generate response from ${endpoint}: ${parsed.error.message.slice(0, 300)}`, { endpoint, cause: parsed.error });
  }
  if (parsed.data.length !== prompts) {
    throw new ScorerBadResponseError(`/generate response from ${endpoint} has ${parsed.data.length} outputs for ${prompts} prompts`, { endpoint });
  }
  return parsed.data;
}

/** Prompt and cached tokens over a batch's outputs, as the server reported them. */
export function batchUsage(outputs: readonly GenerateOutput[]): { prompt_tokens: number; completion_tokens: number; cached_tokens: number } {
  const usage = { prompt_tokens: 0, completion_tokens: 0, cached_tokens: 0 };
  for (const o of outputs) {
    usage.prompt_tokens += o.meta_info.prompt_tokens ?? 0;
    usage.completion_tokens += o.meta_info.completion_tokens ?? 0;
    usage.cached_tokens += o.meta_info.cached_tokens ?? 0;
  }
  return usage;
}

/**
 * The target's scores from one output. Every entry must carry the id of the prompt token at its
 * position (a server that answered for other tokens is caught here, not averaged in).
 */
export function fromInputLogprobs(output: GenerateOutput, prompt: PromptToScore, endpoint: string): ScoreResult {
  const entries = output.meta_info.input_token_logprobs;
  if (!entries) {
    throw new UnsupportedServerError(`${endpoint}: no input_token_logprobs in the /generate response (is it an SGLang server with return_logprob?)`, { endpoint });
  }
  const start = logprobStart(prompt.from);
  if (entries.length !== prompt.ids.length - start) {
    throw new ScorerBadResponseError(`${endpoint}: input_token_logprobs has ${entries.length} entries for prompt tokens ${start}..${prompt.ids.length - 1}`, { endpoint });
  }
  const out: ScoreResult = { logprob: 0, tokenLogprobs: [], tokens: [] };
  for (let i = prompt.from; i < prompt.ids.length; i++) {
    const [value, id, text] = entries[i - start]!;
    if (id !== prompt.ids[i]) throw new ScorerBadResponseError(`${endpoint}: input_token_logprobs[${i - start}] is for token ${id}, the prompt has ${prompt.ids[i]}`, { endpoint });
    // The first prompt token has no log-prob (nothing precedes it); it cannot be scored.
    if (value === null) {
      if (i === 0) continue;
      throw new ScorerBadResponseError(`${endpoint}: prompt token ${i} has no log-prob`, { endpoint });
    }
    out.tokens.push(text ?? '');
    out.tokenLogprobs.push(value);
    out.logprob += value;
  }
  return out;
}
