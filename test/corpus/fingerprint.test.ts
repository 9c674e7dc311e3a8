/** A corpus's settings as written to corpus.json and the cluster's KV: no policy's API key in them. */
import { describe, expect, it } from 'vitest';
import { corpusFingerprint } from '../../src/corpus/corpus.ts';

const settings = (apiKey: string) => ({
  seed: 1, budget: 0, faultRate: 0, contextTokens: 65_536, tokenizer: 'llama-3', tokenIds: false, train: {}, verify: true,
  scorer: { kind: 'embedded' as const },
  policies: { coder: { id: 'openai', params: { baseURL: 'http://127.0.0.1:9/v1', model: 'm', apiKey } } },
});

describe('the corpus fingerprint', () => {
  it('holds no API key, yet tells two keys apart', () => {
    const a = JSON.stringify(corpusFingerprint({ settings: settings('sk-secret-one'), format: 'parquet' }));
    const b = JSON.stringify(corpusFingerprint({ settings: settings('sk-secret-two'), format: 'parquet' }));
    expect(a).not.toContain('sk-secret-one');
    expect(b).not.toContain('sk-secret-two');
    expect(a).toContain('"model":"m"');
    expect(a).not.toBe(b);
  });
});
