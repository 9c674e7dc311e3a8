/**
 * The objective every search maximises:
 *
 *   R(z) = (log P(y | c, z) - log P(y | c)) / tokens(y)  -  lambda * tokens(z)
 *
 * the gain in nats per target token that reasoning z brings over no reasoning, less a length
 * penalty per reasoning token. `joinReasoning` is the one place where context and reasoning are
 * put together into the scorer's context; `R(empty) = 0` exactly because the empty reasoning joins
 * to the very string the baseline is scored with.
 */
import { tokenize } from './score/mod.ts';

export interface ObjectiveOptions {
  /** Penalty in nats per target token, per reasoning token. 0.0005 by default. */
  lambda?: number;
}

export const DEFAULT_LAMBDA = 0.0005;

/**
 * The scorer context for context `c` and reasoning steps `z`: the context, a blank line, then the
 * steps as a comment block, one `- ` bullet per step, closed before the code starts:
 *
 *   <c>
 *
 *   /* Reasoning:
 *    * - first step
 *    * - second step
 *    *\/
 *
 * With no steps it is `<c>` and the blank line, so the baseline sees the same separator. A comment
 * block reads as natural code to every code model, and the target begins on a fresh line.
 */
export function joinReasoning(context: string, steps: readonly string[]): string {
  const base = context.length === 0 || context.endsWith('\n') ? context : context + '\n';
  if (steps.length === 0) return base + '\n';
  const bullets = steps.map((s) => ` * - ${s.replace(/\*\//g, '* /').replace(/\s*\n\s*/g, ' ')}`).join('\n');
  return `${base}\n/* Reasoning:\n${bullets}\n */\n`;
}

/** Tokens of the reasoning, counted with the code tokenizer, whitespace left out. */
export function reasoningTokens(steps: readonly string[]): number {
  let n = 0;
  for (const step of steps) for (const t of tokenize(step)) if (t.trim().length > 0) n++;
  return n;
}

/** R(z) from the two log-probabilities: the one formula, used by every search. */
export function reward(
  logprobWith: number,
  baselineLogprob: number,
  targetTokens: number,
  steps: readonly string[],
  opts: ObjectiveOptions = {},
): number {
  if (steps.length === 0) return 0;
  const lambda = opts.lambda ?? DEFAULT_LAMBDA;
  return (logprobWith - baselineLogprob) / Math.max(1, targetTokens) - lambda * reasoningTokens(steps);
}
