import { afterAll, beforeAll } from 'vitest';
import { OpenAIScorer, type PromptLogprobMode } from '../../src/search/score/openai.ts';
import { runScorerConformance } from './conformance.ts';
import { FakeVllm } from './support/fake-vllm.ts';

let server: FakeVllm;
beforeAll(async () => {
  server = await FakeVllm.start();
});
afterAll(async () => {
  await server.close();
});

for (const mode of ['prompt_logprobs', 'echo', 'auto'] as PromptLogprobMode[]) {
  runScorerConformance({
    name: `OpenAIScorer (${mode}) against a fake vLLM`,
    make: async () =>
      new OpenAIScorer({ model: server.opts.model, endpoints: [server.baseURL], apiKey: server.opts.apiKey, mode, batchSize: 3, cacheSize: 0 }),
  });
}
