/**
 * Preflight of an SGLang scorer (src/run/preflight.ts): `GET /get_model_info` and `/v1/models`,
 * then one tiny score through the real SGLangScorer, against the fake SGLang server (and a fake
 * vLLM, for a server of the wrong kind).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { preflight, PreflightError } from '../../src/run/preflight.ts';
import { FakeSglang } from './support/fake-sglang.ts';
import { FakeVllm } from './support/fake-vllm.ts';

let sglang: FakeSglang;
let vllm: FakeVllm;
beforeAll(async () => {
  sglang = await FakeSglang.start({ model: '/models/coder-1b', servedName: 'coder-1b' });
  vllm = await FakeVllm.start({ model: 'coder-1b' });
});
afterAll(async () => {
  await Promise.all([sglang.close(), vllm.close()]);
});

async function failure(run: Promise<void>): Promise<PreflightError> {
  const err = await run.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(PreflightError);
  return err as PreflightError;
}

describe('preflight of an SGLang scorer', () => {
  it('passes a server that serves the model, by its served name or its path, and scores with it', async () => {
    const before = sglang.count('generate');
    await preflight({ scorer: { kind: 'sglang', baseURL: sglang.url, model: 'coder-1b' } });
    await preflight({ scorer: { kind: 'sglang', baseURL: `${sglang.url}/v1`, model: '/models/coder-1b' } });
    expect(sglang.count('generate')).toBe(before + 2);
  });

  it('fails a model the server does not serve, naming what it serves', async () => {
    const err = await failure(preflight({ scorer: { kind: 'sglang', baseURL: sglang.url, model: 'coder-7b' } }));
    expect(err.message).toContain('does not serve the model "coder-7b"');
    expect(err.message).toContain('coder-1b');
  });

  it('fails a server that is not SGLang, saying what to use for vLLM', async () => {
    const err = await failure(preflight({ scorer: { kind: 'sglang', baseURL: vllm.url, model: 'coder-1b', apiKey: vllm.opts.apiKey } }));
    expect(err.message).toContain('not an SGLang server');
    expect(err.message).toContain('openai:');
  });

  it('fails a dead endpoint within seconds', async () => {
    const t0 = Date.now();
    const err = await failure(preflight({ scorer: { kind: 'sglang', baseURL: 'http://127.0.0.1:9', model: 'coder-1b' } }));
    expect(err.message).toMatch(/cannot connect/);
    expect(Date.now() - t0).toBeLessThan(10_000);
  });
});
