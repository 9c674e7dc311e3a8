/**
 * The OpenAI scorer's calls through a model gateway (the real client against the fake vLLM
 * server): a second scorer on the same cache sends no request at all (neither /tokenize nor
 * /v1/completions); a batch needing items another batch is scoring waits for them; a corrupt
 * entry is scored again; a 429 storm is waited out; the gateway's limit on requests in flight holds.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/logger.ts';
import { CallCache, DiskCallStore, ModelGateway } from '../../src/models/mod.ts';
import { OpenAIScorer, type OpenAIScorerOptions } from '../../src/search/score/openai.ts';
import { fakeExpected, FakeVllm } from '../score/support/fake-vllm.ts';
import { tempDir } from '../support/tmp.ts';

const tmp = tempDir('retrace-scorer-calls-');
let vllm: FakeVllm;
beforeAll(async () => {
  vllm = await FakeVllm.start({ model: 'fake-coder' });
});
afterAll(async () => {
  await vllm.close();
});
afterEach(() => {
  vllm.requests.length = 0;
});

const ITEMS = [
  { context: 'def add(a, b):\n', target: '    return a + b\n' },
  { context: 'x = 1\n', target: 'y = x + 1\n' },
  { context: 'let total = 0;\n', target: 'total += n;\n' },
];
const scorer = (gateway: ModelGateway, extra: Partial<OpenAIScorerOptions> = {}) =>
  new OpenAIScorer({ model: 'fake-coder', endpoints: [vllm.baseURL], apiKey: vllm.opts.apiKey, gateway, ...extra });
const diskGateway = (dir: string, log?: ReturnType<typeof createLogger>) => new ModelGateway({ cache: new CallCache(new DiskCallStore(dir), log) });

describe('scoring through the gateway', () => {
  it('a second scorer on the same cache (a repeated run) sends no request, and scores the same', async () => {
    const dir = join(tmp, 'repeat');
    const first = await scorer(diskGateway(dir)).scoreBatch(ITEMS);
    const sent = vllm.requests.length;
    expect(vllm.count('completions')).toBe(1);
    const again = scorer(diskGateway(dir));
    expect(await again.scoreBatch(ITEMS)).toEqual(first);
    expect(vllm.requests.length).toBe(sent);
    expect(again.calls()).toMatchObject({ requests: 0, tokenizeRequests: 0, cached: 3 });
    expect(first[0]!.logprob).toBeCloseTo(fakeExpected(ITEMS[0]!.context, ITEMS[0]!.target).logprob, 9);
  });

  it('a batch that needs items another batch is scoring waits for them instead of sending them', async () => {
    const s = scorer(new ModelGateway(), { mode: 'echo' });
    vllm.inject('completions', { kind: 'slow', ms: 100 });
    const [a, b] = await Promise.all([s.scoreBatch(ITEMS), s.scoreBatch([ITEMS[1]!, ITEMS[2]!])]);
    expect(b).toEqual([a[1], a[2]]);
    expect(vllm.count('completions')).toBe(1);
    expect(s.calls().cached).toBe(2);
  });

  it('a corrupt entry is scored again, with a warning', async () => {
    const dir = join(tmp, 'corrupt');
    await scorer(diskGateway(dir)).scoreBatch(ITEMS.slice(0, 1));
    const shard = readdirSync(dir)[0]!;
    const file = join(dir, shard, readdirSync(join(dir, shard))[0]!);
    writeFileSync(file, '{"format":1,');
    const lines: string[] = [];
    const log = createLogger({ level: 'warn', destination: { write: (l: string) => void lines.push(l) } });
    const before = vllm.count('completions');
    const [r] = await scorer(diskGateway(dir, log)).scoreBatch(ITEMS.slice(0, 1));
    expect(r!.logprob).toBeCloseTo(fakeExpected(ITEMS[0]!.context, ITEMS[0]!.target).logprob, 9);
    expect(vllm.count('completions')).toBe(before + 1);
    expect(lines.join('')).toContain('ignoring a corrupt entry');
  });

  it('waits out a 429 storm far longer than its retries, naming nothing as failed', async () => {
    vllm.rateLimit({ count: 8, every: 9, retryAfterS: 0 });
    const s = scorer(new ModelGateway(), { mode: 'echo', retries: 1, sleep: async () => {} });
    const results = await s.scoreBatch(ITEMS);
    expect(results.map((r) => r.logprob)).toEqual(ITEMS.map((i) => expect.closeTo(fakeExpected(i.context, i.target).logprob, 9)));
    expect(vllm.rateLimited).toBe(8);
    expect(s.calls()).toMatchObject({ requests: 9, errors: 8, errorsByKind: { ScorerRateLimitedError: 8 } });
  });

  it("keeps at most the gateway's maxInFlight scoring requests at the server", async () => {
    vllm.maxInFlight = 0;
    const s = scorer(new ModelGateway({ limits: { maxInFlight: 1 } }), { mode: 'echo', concurrency: 8, batchSize: 1 });
    vllm.inject('completions', ...Array.from({ length: 3 }, () => ({ kind: 'slow' as const, ms: 40 })));
    await s.scoreBatch(ITEMS);
    expect(vllm.count('completions')).toBe(3);
    expect(vllm.maxInFlight).toBe(1);
  });
});
