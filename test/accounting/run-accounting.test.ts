/**
 * Accounting of a run with served models, as a user runs it (`retrace run` and `retrace corpus`
 * as processes, the fake chat and vLLM servers counting what they are sent): the summary, each
 * record's `run.model_calls`, the trace and the dataset card hold the calls the servers saw, and a
 * price table turns their tokens into cost. A bad price table is refused with exit 2; the embedded
 * default's records and card say nothing of model calls.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetRecordV2 } from '../../src/dataset/record.ts';
import { FakeChat } from '../agents/support/fake-chat.ts';
import { FakeVllm } from '../score/support/fake-vllm.ts';
import { retraceCli } from '../support/retrace-cli.ts';
import { tempDir } from '../support/tmp.ts';

const fixture = join(import.meta.dirname, '../agents/fixtures/mini');
const tmp = tempDir('retrace-accounting-');
const PROBE = 'Answer with one word: ready?';
const PRICES = { prompt: 0.5, completion: 2, scored: 0.1 };
let chat: FakeChat;
let vllm: FakeVllm;
let env: NodeJS.ProcessEnv;
let pricesFile: string;

beforeAll(async () => {
  chat = await FakeChat.start({ apiKey: 'test-key' });
  vllm = await FakeVllm.start({ model: 'fake-coder', apiKey: 'test-key' });
  env = { ...process.env, OPENAI_API_KEY: 'test-key' };
  pricesFile = join(tmp, 'prices.json');
  writeFileSync(pricesFile, JSON.stringify({ [chat.opts.model]: { prompt: PRICES.prompt, completion: PRICES.completion }, 'fake-coder': { prompt: 9, scored: PRICES.scored } }));
});
afterAll(async () => {
  await Promise.all([chat.close(), vllm.close()]);
});

const served = (repo: string, out: string, extra: string[] = []) => [
  'run', repo, '-o', out, '--llm', `openai:${chat.baseURL}#${chat.opts.model}`, '--scorer', `openai:${vllm.baseURL}#fake-coder`,
  '--budget', '2', '--fault-rate', '1', '--no-model-cache', '--json', ...extra,
];
const records = (file: string) => readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as DatasetRecordV2);
/** The lines of the card's "Model calls" section (the "By role" table has rows of the same names). */
function modelCallsSection(card: string): string[] {
  const lines = card.split('\n');
  const start = lines.indexOf('## Model calls');
  expect(start).toBeGreaterThan(0);
  const end = lines.findIndex((l, i) => i > start && l.startsWith('## '));
  return lines.slice(start, end < 0 ? undefined : end);
}
const chatSent = () => chat.requests.filter((r) => r.messages?.[0]?.content !== PROBE).length;

interface Stats { model: string; requests: number; errors: number; cached: number; promptTokens: number; completionTokens: number; cachedPromptTokens: number; cachedCompletionTokens: number; costUsd?: number | null }

/** One priced run, made once: its summary, records, card and trace, and what the chat server saw. */
let pricedRun: Promise<{ summary: any; out: string; sent: number; scoresSent: number }> | undefined;
function priced(): NonNullable<typeof pricedRun> {
  pricedRun ??= (async () => {
    chat.reset();
    const scoresBefore = vllm.count('completions');
    const out = join(tmp, 'priced', 'd.jsonl');
    const r = await retraceCli(served(fixture, out, ['--prices', pricesFile]), { env, cwd: tmp });
    expect(r.status, r.stderr).toBe(0);
    // The preflight's one-item score is not the run's.
    return { summary: JSON.parse(r.stdout), out, sent: chatSent(), scoresSent: vllm.count('completions') - scoresBefore - 1 };
  })();
  return pricedRun;
}

describe('a run with served models', { timeout: 240_000 }, () => {
  it("prices each role's and the scorer's tokens in the summary", async () => {
    const { summary } = await priced();
    const roles = Object.values(summary.models.roles as Record<string, Stats>);
    expect(roles.length).toBe(5);
    for (const s of roles) expect(s.costUsd).toBeCloseTo((s.promptTokens * PRICES.prompt + s.completionTokens * PRICES.completion) / 1e6, 12);
    const scorer = summary.models.scorer as Stats;
    expect(scorer.promptTokens).toBeGreaterThan(0);
    expect(scorer.costUsd).toBeCloseTo((scorer.promptTokens * PRICES.scored) / 1e6, 12);
    const sum = [...roles, scorer].reduce((n, s) => n + s.costUsd!, 0);
    expect(summary.models.total.costUsd).toBeCloseTo(sum, 12);
    expect(summary.models.total.unpriced).toEqual([]);
  });

  it("gives each record its work's calls per role, adding up to every chat request the server saw", async () => {
    const { summary, out, sent } = await priced();
    const byRole = new Map<string, { calls: number; prompt: number; completion: number }>();
    for (const rec of records(out)) {
      for (const [role, c] of Object.entries(rec.run.model_calls ?? {})) {
        const t = byRole.get(role) ?? { calls: 0, prompt: 0, completion: 0 };
        byRole.set(role, { calls: t.calls + c.calls, prompt: t.prompt + c.prompt_tokens, completion: t.completion + c.completion_tokens });
      }
    }
    expect(sent).toBeGreaterThan(10);
    expect([...byRole.values()].reduce((n, c) => n + c.calls, 0)).toBe(sent);
    for (const [role, s] of Object.entries(summary.models.roles as Record<string, Stats>)) {
      expect(byRole.get(role), role).toEqual({ calls: s.requests - s.errors + s.cached, prompt: s.promptTokens + s.cachedPromptTokens, completion: s.completionTokens + s.cachedCompletionTokens });
    }
  });

  it('writes the same model_calls in every record when a repeated run is answered from the cache', async () => {
    const out = join(tmp, 'cached', 'd.jsonl');
    const withCache = (extra: string[]) => served(fixture, out, extra).filter((a) => a !== '--no-model-cache');
    const paid = await retraceCli(withCache(['--no-trace', '--no-card']), { env, cwd: tmp });
    expect(paid.status, paid.stderr).toBe(0);
    const first = records(out).map((r) => r.run.model_calls);
    chat.reset();
    const again = await retraceCli(withCache(['--no-trace', '--no-card']), { env, cwd: tmp });
    expect(again.status, again.stderr).toBe(0);
    expect(chatSent()).toBe(0);
    expect(JSON.parse(again.stdout).models.total.requests).toBe(0);
    expect(first.filter(Boolean).length).toBeGreaterThan(0);
    expect(records(out).map((r) => r.run.model_calls)).toEqual(first);
  });

  it("writes the run's model calls into the trace, and the text view shows them", async () => {
    const { summary, out, scoresSent } = await priced();
    const lines = readFileSync(`${out}.trace.jsonl`, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const entries = lines.filter((l) => l.type === 'run.models');
    expect(entries.length).toBe(1);
    expect(entries[0].body.total).toEqual(summary.models.total);
    expect(entries[0].body.scorer.requests).toBe(scoresSent);
    const view = await retraceCli(['trace', `${out}.trace.jsonl`], { env, cwd: tmp });
    expect(view.status, view.stderr).toBe(0);
    const t = summary.models.total;
    expect(view.stdout).toContain(`model calls: ${t.requests} requests (${t.cached} cached, ${t.errors} errors), ${t.promptTokens} prompt + ${t.completionTokens} completion tokens, $${t.costUsd.toFixed(4)}`);
  });

  it('gives the card a model-call row per role and for the scorer, with the cost', async () => {
    const { summary, out } = await priced();
    const card = readFileSync(join(out, '..', 'README.md'), 'utf8');
    const section = modelCallsSection(card);
    const coder = summary.models.roles.coder as Stats;
    const row = section.find((l) => l.startsWith('| `coder` |'))!;
    expect(row.split(' | ').slice(1, 4)).toEqual([`\`${chat.opts.model}\``, coder.requests.toLocaleString('en-US'), '0']);
    expect(row).toContain(`$${coder.costUsd!.toFixed(4)} |`);
    const scorerRow = section.find((l) => l.startsWith('| `scorer` |'))!;
    expect(scorerRow).toContain(`| ${(summary.models.scorer as Stats).promptTokens.toLocaleString('en-US')} |`);
    expect(card).toContain(`; $${summary.models.total.costUsd.toFixed(4)}.`);
  });

  it('takes the price table from the config file, naming a model it has no price for', async () => {
    const config = join(tmp, 'run.json');
    writeFileSync(config, JSON.stringify({ prices: { 'fake-coder': { scored: 1 } } }));
    const out = join(tmp, 'config', 'd.jsonl');
    const r = await retraceCli(served(fixture, out, ['--config', config, '--no-trace', '--no-card']), { env, cwd: tmp });
    expect(r.status, r.stderr).toBe(0);
    const m = JSON.parse(r.stdout).models;
    expect(m.roles.coder.costUsd).toBeNull();
    expect(m.scorer.costUsd).toBeCloseTo(m.scorer.promptTokens / 1e6, 12);
    expect(m.total.unpriced).toEqual([chat.opts.model]);
  });
});

describe('a bad price table', () => {
  it('is refused with exit 2, its unknown keys named, before any work', async () => {
    const bad = join(tmp, 'bad-prices.json');
    writeFileSync(bad, JSON.stringify({ m: { prompt: 1, prompts: 2 }, n: { completion: -1 } }));
    const r = await retraceCli(['run', fixture, '-o', join(tmp, 'bad', 'd.jsonl'), '--prices', bad], { env, cwd: tmp });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown key "m.prompts" (a model\'s price takes: completion, prompt, scored)');
    expect(r.stderr).toContain('n.completion:');
  });

  it('is refused with exit 2 when it is not JSON, and in the config file when a key is unknown', async () => {
    const notJson = join(tmp, 'prices.txt');
    writeFileSync(notJson, 'prompt = 1');
    const r = await retraceCli(['run', fixture, '--prices', notJson], { env, cwd: tmp });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`--prices ${notJson}: not JSON`);
    const config = join(tmp, 'bad-config.json');
    writeFileSync(config, JSON.stringify({ prices: { m: { cost: 1 } } }));
    const c = await retraceCli(['run', fixture, '--config', config], { env, cwd: tmp });
    expect(c.status).toBe(2);
    expect(c.stderr).toContain('prices');
  });
});

describe('the embedded default', () => {
  it('writes records and a card that say nothing of model calls', async () => {
    const out = join(tmp, 'embedded', 'd.jsonl');
    const r = await retraceCli(['run', fixture, '-o', out, '--budget', '2', '--json'], { env, cwd: tmp });
    expect(r.status, r.stderr).toBe(0);
    expect(records(out).some((rec) => 'model_calls' in rec.run)).toBe(false);
    expect(readFileSync(join(out, '..', 'README.md'), 'utf8')).not.toContain('Model calls');
    expect(readFileSync(`${out}.trace.jsonl`, 'utf8')).not.toContain('run.models');
  });
});

describe('a corpus with served models', { timeout: 300_000 }, () => {
  it('adds up its repositories\' model calls in its summary, manifest and card', async () => {
    for (const name of ['mini-a', 'mini-b']) cpSync(fixture, join(tmp, 'repos', name), { recursive: true });
    chat.reset();
    const dir = join(tmp, 'corpus');
    const r = await retraceCli(
      ['corpus', join(tmp, 'repos'), '--out-dir', dir, '--llm', `openai:${chat.baseURL}#${chat.opts.model}`, '--budget', '0', '--no-model-cache', '--prices', pricesFile, '--json'],
      { env, cwd: tmp, timeoutMs: 280_000 },
    );
    expect(r.status, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout.trim().split('\n').pop()!);
    const manifest = readFileSync(join(dir, 'manifest.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const perRepo = manifest.map((o) => o.figures.models.total.requests as number);
    expect(perRepo.every((n) => n > 0)).toBe(true);
    expect(summary.models.total.requests).toBe(perRepo[0]! + perRepo[1]!);
    expect(summary.models.total.requests).toBe(chatSent());
    expect(summary.models.total.costUsd).toBeCloseTo(manifest.reduce((n, o) => n + o.figures.models.total.costUsd, 0), 12);
    const card = readFileSync(join(dir, 'data', 'README.md'), 'utf8');
    const coder = modelCallsSection(card).find((l) => l.startsWith('| `coder` |'))!;
    expect(coder.split(' | ')[2]).toBe(String(summary.models.roles.coder.requests));
  });
});
