/**
 * The card's "Model calls" section: per role and for the scorer, what the run (or the corpus)
 * asked of served models — requests, cached answers, errors, tokens, latency and, with a price
 * table, cost. Nothing at all when no model was called (the embedded default's card is unchanged).
 */
import { calledModels, type ModelCalls, type ModelCallStats } from '../accounting/model-calls.ts';
import { num, table } from './card.ts';

const dash = '–';
const ms = (x: number | undefined) => (x === undefined ? 'n/a' : `${x} ms`);
const usd = (x: number | null | undefined) => (x === undefined ? '' : x === null ? 'no price' : `$${x.toFixed(4)}`);

function errorsCell(s: ModelCallStats): string {
  if (s.errors === 0) return '0';
  return `${num(s.errors)} (${Object.entries(s.errorsByKind).map(([k, n]) => `${num(n)} ${k}`).join(', ')})`;
}

/** One row: a role's tokens are prompt and completion; a scorer's prompt tokens are what it scored. */
function row(who: string, s: ModelCallStats, scorer: boolean, priced: boolean): string[] {
  const cells = [
    `\`${who}\``,
    `\`${s.model}\``,
    num(s.requests),
    num(s.cached),
    errorsCell(s),
    scorer ? dash : num(s.promptTokens),
    num(s.completionTokens),
    scorer ? num(s.promptTokens) : dash,
    ms(s.latencyMs?.p50),
    ms(s.latencyMs?.p95),
  ];
  return priced ? [...cells, usd(s.costUsd)] : cells;
}

export function modelCallsSection(models: ModelCalls | undefined): string[] {
  if (!calledModels(models)) return [];
  const priced = models.total.costUsd !== undefined;
  const head = ['who', 'model', 'requests', 'cached', 'errors', 'prompt tokens', 'completion tokens', 'scored tokens', 'latency p50', 'latency p95', ...(priced ? ['cost'] : [])];
  const rows = [
    ...Object.entries(models.roles).map(([role, s]) => row(role, s, false, priced)),
    ...(models.scorer ? [row('scorer', models.scorer, true, priced)] : []),
  ];
  const t = models.total;
  const unpriced = t.unpriced ?? [];
  return [
    '## Model calls',
    '',
    'What was asked of served models, per role and for the scorer: requests sent (failed ones included), answers taken from',
    'the model-call cache (not paid for), failed requests, the tokens the responses reported and the latency of a request (n/a: no request sent, or a corpus\'s sum).',
    "A scorer's tokens are the ones it sent to be scored (its requests' prompt tokens). Each record's `run.model_calls`",
    'holds what its own work used.',
    '',
    ...table(head, rows, head.map((_, i) => i >= 2)),
    '',
    `In all: ${num(t.requests)} requests, ${num(t.cached)} answered from the cache, ${num(t.errors)} errors, ${num(t.promptTokens)} prompt + ${num(t.completionTokens)} completion tokens${priced ? `; ${usd(t.costUsd)}` : ''}.`,
    ...(unpriced.length > 0 ? ['', `The price table has no price for ${unpriced.map((m) => `\`${m}\``).join(', ')}: not in the cost.`] : []),
  ];
}
