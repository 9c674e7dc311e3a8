import { afterAll, beforeAll } from 'vitest';
import { SGLangScorer } from '../../src/search/score/sglang.ts';
import { runScorerConformance } from './conformance.ts';
import { FakeSglang } from './support/fake-sglang.ts';

let server: FakeSglang;
beforeAll(async () => {
  server = await FakeSglang.start({ apiKey: 'test-key' });
});
afterAll(async () => {
  await server.close();
});

runScorerConformance({
  name: 'SGLangScorer against a fake SGLang (/generate, logprob_start_len)',
  make: async () => new SGLangScorer({ model: server.opts.servedName, endpoints: [server.url], apiKey: 'test-key', batchSize: 3, cacheSize: 0 }),
});

runScorerConformance({
  name: 'SGLangScorer with a context cap the items fit in',
  make: async () => new SGLangScorer({ model: server.opts.servedName, endpoints: [server.url], apiKey: 'test-key', batchSize: 16, cacheSize: 0, maxContextTokens: 4096 }),
});
