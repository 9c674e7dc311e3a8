/**
 * The built-in prompts are the default template files: rendered from them, every prompt is byte
 * for byte what the hard-coded prompts made (fixtures/default-prompts.json, captured from the code
 * before the prompts moved into files), in every branch its words take.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROMPT_CASES } from './support/prompt-cases.ts';

const snapshot = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures/default-prompts.json'), 'utf8')) as Record<string, unknown>;

describe('default prompt templates', () => {
  it('cover every captured case', () => {
    expect(Object.keys(PROMPT_CASES).sort()).toEqual(Object.keys(snapshot).sort());
  });

  for (const [name, render] of Object.entries(PROMPT_CASES)) {
    it(`render ${name} as the hard-coded prompt did`, () => {
      expect(render()).toEqual(snapshot[name]);
    });
  }
});
