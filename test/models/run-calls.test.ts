/**
 * `retrace run` with served models, as a user runs it (real processes, the real clients, the fake
 * chat and vLLM servers counting what they are sent): a second identical run pays no model call
 * and writes the same bytes; a run killed half-way and resumed pays no call twice; a 429 storm
 * from both servers slows the run and never fails it, with requests in flight held to the limit.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/models/mod.ts';
import { FakeChat } from '../agents/support/fake-chat.ts';
import { FakeVllm } from '../score/support/fake-vllm.ts';
import { retraceCli } from '../support/retrace-cli.ts';
import { tempDir } from '../support/tmp.ts';

const bin = join(import.meta.dirname, '../../bin/retrace.js');
const fixture = join(import.meta.dirname, '../agents/fixtures/mini');
const tmp = tempDir('retrace-run-calls-');
let chat: FakeChat;
let vllm: FakeVllm;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  chat = await FakeChat.start({ apiKey: 'test-key' });
  vllm = await FakeVllm.start({ model: 'fake-coder', apiKey: 'test-key' });
  env = { ...process.env, OPENAI_API_KEY: 'test-key' };
});
afterAll(async () => {
  await Promise.all([chat.close(), vllm.close()]);
});

const PROBE = 'Answer with one word: ready?';
const isProbe = (r: FakeChat['requests'][number]) => r.messages?.[0]?.content === PROBE;
const served = (out: string, extra: string[] = []) => [
  'run', fixture, '-o', out, '--llm', `openai:${chat.baseURL}#${chat.opts.model}`, '--scorer', `openai:${vllm.baseURL}#fake-coder`,
  '--budget', '2', '--fault-rate', '1', '--no-trace', '--json', ...extra,
];

/** One whole run, uninterrupted, on a fresh cache: its dataset, summary and chat requests (made once per file). */
let whole: Promise<{ out: string; bytes: Buffer; summary: any; chatSent: number }> | undefined;
function wholeRun(): NonNullable<typeof whole> {
  whole ??= (async () => {
    chat.reset();
    const out = join(tmp, 'whole.jsonl');
    const r = await retraceCli(served(out), { env, cwd: tmp });
    expect(r.status, r.stderr).toBe(0);
    return { out, bytes: readFileSync(out), summary: JSON.parse(r.stdout), chatSent: chat.requests.filter((q) => !isProbe(q)).length };
  })();
  return whole;
}

describe('the model-call cache in a run', { timeout: 240_000 }, () => {
  it('a second identical run sends no model call (only the preflight probes) and writes the same dataset', async () => {
    const { out, bytes, summary: s1, chatSent } = await wholeRun();
    const scoresSent = vllm.count('completions');
    expect(chatSent).toBeGreaterThan(10);
    chat.reset();
    expect(s1.models.total.requests).toBe(chatSent + s1.models.scorer.requests);
    expect(existsSync(`${out}.model-calls`)).toBe(true);

    const second = await retraceCli(served(out), { env, cwd: tmp });
    expect(second.status, second.stderr).toBe(0);
    const s2 = JSON.parse(second.stdout);
    // The only requests of the second run: the chat probe and the one-item score of its preflight.
    expect(chat.requests.filter((r) => !isProbe(r)).length).toBe(0);
    expect(vllm.count('completions')).toBe(scoresSent + 1);
    expect(s2.models.total).toMatchObject({ requests: 0, promptTokens: 0, completionTokens: 0 });
    expect(s2.models.total.cached).toBe(s1.models.total.requests - s1.models.total.errors + s1.models.scorer.items - s1.models.scorer.requests);
    expect(s2.models.cache).toMatchObject({ where: `${out}.model-calls`, corrupt: 0 });
    expect(readFileSync(out).equals(bytes)).toBe(true);
  });

  it('a run killed half-way and resumed pays no chat call twice, and its dataset is the uninterrupted one', async () => {
    const { bytes, chatSent: total } = await wholeRun();
    chat.reset();
    const out = join(tmp, 'killed.jsonl');
    chat.hold(Math.floor(total / 2));
    const child = spawn(process.execPath, [bin, ...served(out)], { env, cwd: tmp, stdio: 'ignore' });
    while (chat.held === 0) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('close', r));
    const answered = chat.requests.slice(0, Math.floor(total / 2)).filter((r) => !isProbe(r)).map((r) => canonicalJson(r));
    chat.release();
    chat.reset();

    const resumed = await retraceCli([...served(out), '--resume'], { env, cwd: tmp });
    expect(resumed.status, resumed.stderr).toBe(0);
    const again = chat.requests.filter((r) => !isProbe(r)).map((r) => canonicalJson(r));
    expect(answered.length).toBeGreaterThan(5);
    expect(again.filter((body) => answered.includes(body))).toEqual([]);
    // Killed and resumed, it sent what one whole run sends: nothing was paid for twice.
    expect(answered.length + again.length).toBe(total);
    expect(readFileSync(out).equals(bytes)).toBe(true);
  });
});

describe('limits in a run', { timeout: 240_000 }, () => {
  it('a 429 storm from both servers completes the run, slowed, with requests in flight held to --max-in-flight', async () => {
    chat.reset();
    chat.maxInFlight = 0;
    vllm.maxInFlight = 0;
    // Every other request is refused, the preflight's first (a chat probe; a one-item score) among them.
    chat.rateLimit({ count: 30, every: 2, retryAfterMs: 5 });
    vllm.rateLimit({ count: 10, every: 2, retryAfterS: 0 });
    const out = join(tmp, 'storm.jsonl');
    const r = await retraceCli([...served(out), '--no-model-cache', '--max-in-flight', '2'], { env, cwd: tmp });
    expect(r.status, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.failures).toEqual([]);
    expect(s.verify[0].ok).toBe(true);
    expect(chat.rateLimited).toBe(30);
    expect(vllm.rateLimited).toBe(10);
    const chatErrors = Object.values(s.models.roles as Record<string, { errorsByKind: Record<string, number> }>).reduce((n, c) => n + (c.errorsByKind.PolicyRateLimitedError ?? 0), 0);
    // The preflight's 429s (busy, not dead: it lets the run start) are not the run's calls.
    expect(chatErrors).toBe(29);
    expect(s.models.scorer.errorsByKind).toEqual({ ScorerRateLimitedError: 9 });
    expect(chat.maxInFlight).toBeLessThanOrEqual(2);
    expect(vllm.maxInFlight).toBeLessThanOrEqual(2);
  });

  it('refuses a limit that is not a positive integer, with exit 2', async () => {
    const r = await retraceCli(['run', fixture, '--max-in-flight', '0'], { env, cwd: tmp });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--max-in-flight must be an integer >= 1, got "0"');
  });
});
