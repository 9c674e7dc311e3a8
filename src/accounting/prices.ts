/**
 * The price table (`--prices FILE`, or `prices` in the config file): dollars per million tokens
 * of each served model, by the model name the run calls it by:
 *
 *   { "<model>": { "prompt": 0.15, "completion": 0.6, "scored": 0.1 } }
 *
 * `prompt` and `completion` price a policy's chat tokens; `scored` prices the tokens a scorer
 * sends to be scored (its requests' prompt tokens), and falls back to `prompt` when left out. A
 * rate left out costs nothing. Answers from the model-call cache were not paid for: no cost.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { InputError } from '../run/job-types.ts';

export class PriceTableError extends InputError {
  override name = 'PriceTableError';
}

const rate = z.number().finite().min(0);
const RATE_KEYS = ['completion', 'prompt', 'scored'] as const;
export const modelPriceSchema = z.object({ prompt: rate.optional(), completion: rate.optional(), scored: rate.optional() }).strict();
export const priceTableSchema = z.record(z.string().min(1), modelPriceSchema);

export type ModelPrice = z.infer<typeof modelPriceSchema>;
export type PriceTable = z.infer<typeof priceTableSchema>;

/** One message for all that is wrong, each issue named by its path (`"model.prompt"`). */
function describe(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((i) => {
      const where = i.path.map(String).join('.');
      if (i.code === 'unrecognized_keys') {
        return `unknown key${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => `"${where}.${k}"`).join(', ')} (a model's price takes: ${RATE_KEYS.join(', ')})`;
      }
      return `${where || '(file)'}: ${i.message}`;
    })
    .join('; ');
}

/** Checks a price table given as data (`what` names where it came from, for the message). */
export function parsePriceTable(value: unknown, what: string): PriceTable {
  const parsed = priceTableSchema.safeParse(value);
  if (!parsed.success) throw new PriceTableError(`${what}: ${describe(parsed.error.issues)}`);
  return parsed.data;
}

/** Reads and checks a price table file (JSON). */
export function readPriceTable(path: string): PriceTable {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new PriceTableError(`--prices ${path}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new PriceTableError(`--prices ${path}: not JSON: ${(err as Error).message}`);
  }
  return parsePriceTable(value, `--prices ${path}`);
}

/** What calls of `model` cost in dollars: null when the table has no price for it. */
export function callCost(prices: PriceTable, model: string, tokens: { promptTokens: number; completionTokens: number }, scorer: boolean): number | null {
  const p = Object.hasOwn(prices, model) ? prices[model] : undefined;
  if (!p) return null;
  const promptRate = (scorer ? (p.scored ?? p.prompt) : p.prompt) ?? 0;
  return (tokens.promptTokens * promptRate + tokens.completionTokens * (p.completion ?? 0)) / 1e6;
}
