/**
 * The boundary reads an answer once: `Knowledge.answer` tokenises the code once for its runs and
 * its names, and every guard of one spec shares the sets read off it. Checked against the plain
 * reading on real files, chunk by chunk as a writer meets them: the spec's fields against the
 * plain functions, and each guard's verdicts against a guard of a copy of the spec (a spec read
 * afresh, as one that came over the wire is).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyTokens, guardOf, identifiersOf, Knowledge, SequenceGuard } from '../../src/boundary/mod.ts';
import type { LanguageId } from '../../src/graph/types.ts';

const nm = join(import.meta.dirname, '../../node_modules');
const FILES: Array<{ path: string; language: LanguageId }> = [
  { path: join(nm, 'commander/lib/command.js'), language: 'javascript' },
  { path: join(nm, 'zod/src/v3/types.ts'), language: 'typescript' },
  { path: '/usr/lib/python3.11/json/decoder.py', language: 'python' },
  { path: '/usr/share/go-1.19/src/container/list/list.go', language: 'go' },
];

/** The file cut at every 60th line: the rest of the file from each cut is an answer. */
function cuts(text: string): string[] {
  const lines = text.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i += 60) out.push(lines.slice(i).join('\n'));
  return out;
}

/** Steps made of the answer: slices of its tokens, its lines, and prose around them. */
function stepsOf(answer: string): string[] {
  const tokens = copyTokens(answer);
  const lines = answer.split('\n').filter((l) => l.trim().length > 0);
  const out = ['It starts with the setup.', 'Then `value` is checked.', '100 of them are read'];
  for (let i = 0; i + 9 < tokens.length && out.length < 40; i += 97) out.push(tokens.slice(i, i + 3 + (i % 7)).join(' '));
  for (let i = 0; i < lines.length && out.length < 60; i += 23) out.push(lines[i]!.trim());
  return out;
}

describe('one reading of an answer', () => {
  for (const file of FILES) {
    const text = readFileSync(file.path, 'utf8');
    const name = file.path.split('/').slice(-2).join('/');

    it(`gives the plain reading's names and runs for every cut of ${name}`, () => {
      const known = new Knowledge(file.language).addText(text.slice(0, 2000));
      let namesSeen = 0;
      for (const rest of cuts(text)) {
        const spec = known.answer(rest);
        const plainNames = [...identifiersOf(rest)].filter((n) => !known.knows(n)).sort();
        expect(spec.names).toEqual(plainNames);
        expect(Math.max(-1, ...spec.knownRuns)).toBeLessThan(copyTokens(rest).length);
        namesSeen += spec.names.length;
      }
      expect(namesSeen).toBeGreaterThan(0);
    });

    it(`gives the verdicts of a spec read afresh for every cut of ${name}`, () => {
      const known = new Knowledge(file.language).addText(text.slice(0, 2000));
      let refused = 0;
      let admitted = 0;
      for (const rest of cuts(text)) {
        const spec = known.answer(rest);
        const guards = [new SequenceGuard(spec), guardOf({ answer: spec, prefix: [] }), new SequenceGuard(spec).after(['First, the setup.'])];
        const fresh = [new SequenceGuard(structuredClone(spec)), new SequenceGuard(structuredClone(spec)).after(['First, the setup.'])];
        for (const step of stepsOf(rest)) {
          const verdict = fresh[0]!.violations([step]);
          expect(guards[0]!.violations([step])).toEqual(verdict);
          expect(guards[1]!.violations([step])).toEqual(verdict);
          expect(guards[2]!.violations([step])).toEqual(fresh[1]!.violations([step]));
          if (verdict.length > 0) refused++;
          else admitted++;
        }
      }
      expect(refused).toBeGreaterThan(0);
      expect(admitted).toBeGreaterThan(0);
    });
  }
});
