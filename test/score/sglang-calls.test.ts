/**
 * The SGLang scorer through the run's model gateway (src/models), against the fake SGLang server:
 * a second scorer on the same call cache (a repeated or resumed run) sends no request at all, and
 * the gateway's limit on requests in flight holds for /generate.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallCache, DiskCallStore, ModelGateway } from '../../src/models/mod.ts';
import { SGLangScorer } from '../../src/search/score/sglang.ts';
import { tempDir } from '../support/tmp.ts';
import { FakeSglang } from './support/fake-sglang.ts';

const tmp = tempDir('retrace-sglang-calls-');
let server: FakeSglang;
beforeAll(async () => {
  server = await FakeSglang.start({ model: 'coder-1b' });
});
afterAll(async () => {
  await server.close();
});

const ITEMS = [
  { context: 'def add(a, b):\n', target: '    return a + b\n' },
  { context: 'x = 1\n', target: 'y = x + 1\n' },
];
const scorer = (gateway: ModelGateway, maxContextTokens?: number) =>
  new SGLangScorer({ model: 'coder-1b', endpoints: [server.url], gateway, batchSize: 1, ...(maxContextTokens ? { maxContextTokens } : {}) });

describe('the SGLang scorer through the gateway', () => {
  it('a second scorer on the same cache sends no request, and scores the same', async () => {
    const dir = join(tmp, 'repeat');
    const first = await scorer(new ModelGateway({ cache: new CallCache(new DiskCallStore(dir)) })).scoreBatch(ITEMS);
    const sent = server.requests.length;
    const second = await scorer(new ModelGateway({ cache: new CallCache(new DiskCallStore(dir)) })).scoreBatch(ITEMS);
    expect(server.requests.length).toBe(sent);
    expect(second).toEqual(first);
  });

  it('a capped scorer does not take an uncapped score from the cache', async () => {
    const dir = join(tmp, 'cap');
    await scorer(new ModelGateway({ cache: new CallCache(new DiskCallStore(dir)) })).scoreBatch(ITEMS);
    const before = server.count('generate');
    await scorer(new ModelGateway({ cache: new CallCache(new DiskCallStore(dir)) }), 4).scoreBatch(ITEMS);
    expect(server.count('generate')).toBe(before + ITEMS.length);
  });

  it('sends no more /generate requests at once than the gateway allows', async () => {
    server.inject('generate', { kind: 'slow', ms: 150 }, { kind: 'slow', ms: 150 }, { kind: 'slow', ms: 150 });
    server.maxInFlight = 0;
    const items = [0, 1, 2].map((k) => ({ context: `let v${k} = ${k};\n`, target: `use(v${k});\n` }));
    const results = await scorer(new ModelGateway({ limits: { maxInFlight: 1 } })).scoreBatch(items);
    expect(results).toHaveLength(3);
    expect(server.maxInFlight).toBe(1);
  });
});
