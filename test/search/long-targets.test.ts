import { describe, expect, it } from 'vitest';
import { identifiersOf, Knowledge, SequenceGuard } from '../../src/boundary/mod.ts';
import { GroundedProposer, importBindings } from '../../src/search/mod.ts';
import { usesSoFar } from '../../src/search/grounded-proposer.ts';
import { targetParts } from '../../src/search/facts/parts.ts';

const head = `const { test } = require('tap')
const Fastify = require('..')
const { decode } = require('./codec')
`;

/** A test case of `n` lines of checks: what a suite's cases look like. */
const testCase = (i: number, n: number): string =>
  `test('case ${i}', t => {\n  const app = Fastify()\n${Array.from({ length: n }, (_, k) => `  t.equal(decode(app, ${k}), ${k})`).join('\n')}\n})\n`;

/** A long Go function: a doc comment, then a body of checks, loops and calls. */
const goFile = `package codec

import "strings"

`;
const goTarget = `// Parse reads the text and fills the table.
//
// It accepts upper and lower case alike.
// Blank lines are skipped.
// A line that does not parse is an error.
// The table is reset first.
// Keys are compared without regard to case.
// Values keep their case.
func Parse(text string, table map[string]string) error {
	for k := range table {
		delete(table, k)
	}
	for _, line := range strings.Split(text, "\\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		if !ok {
			return errBadLine
		}
		table[strings.ToLower(key)] = value
	}
	if len(table) == 0 {
		return errEmpty
	}
	return nil
}
`.repeat(1);

function proposals(p: GroundedProposer, target: string, seeds = 12, k = 12): string[] {
  const out: string[] = [];
  for (let seed = 0; seed < seeds; seed++) for (const s of p.proposeSync({ target, context: '', steps: [], k, seed })) out.push(s.text);
  return out;
}

describe('the parts of a long target', () => {
  it('reads a run of comments as one part and a function that holds the rest as its body', () => {
    const parts = targetParts(goTarget, 'go');
    expect(parts[0]!.comment).toBe(true);
    expect(parts[0]!.text.split('\n').length).toBe(8);
    expect(parts.length).toBe(2);
    const suite = targetParts([1, 2, 3].map((i) => testCase(i, 3)).join('\n'), 'javascript');
    expect(suite.length).toBe(3);
    expect(suite.every((p) => p.text.startsWith('test('))).toBe(true);
  });

  it('says the parts of a long target in order, inside the boundary', () => {
    const target = `${goTarget}\n${goTarget.replaceAll('Parse', 'ParseAll')}`;
    const knowledge = new Knowledge('go').addText(goFile).addNames(['Parse', 'ParseAll']);
    const guard = new SequenceGuard(knowledge.answer(target));
    const p = new GroundedProposer({ language: 'go', preceding: goFile, imports: importBindings(goFile, 'go'), knownIdentifiers: new Set([...identifiersOf(goFile), 'Parse', 'ParseAll']) });
    const said = proposals(p, target).filter((t) => /then/.test(t) && /documenting/.test(t));
    expect(said.length).toBeGreaterThan(0);
    for (const t of said) {
      expect(guard.violations([t]), t).toEqual([]);
      expect(t.lastIndexOf('`Parse`')).toBeLessThan(t.lastIndexOf('`ParseAll`'));
      expect(t).not.toMatch(/\b(errBadLine|errEmpty|table|line|key|value)\b/);
    }
  });

  it('says more of a longer target: what is said per character does not collapse as the target grows', () => {
    const known = new Set([...identifiersOf(head), 'test', 'Fastify', 'decode']);
    const p = new GroundedProposer({ language: 'javascript', preceding: head, imports: importBindings(head), knownIdentifiers: known });
    const longest = (cases: number, variety: boolean) => {
      const target = Array.from({ length: cases }, (_, i) => (variety && i % 2 ? `function helper${i}() {\n  return decode(${i})\n}\n` : testCase(i, 12))).join('\n');
      const best = Math.max(...proposals(p, target, 6, 3).map((t) => t.length));
      return best / target.length;
    };
    const small = longest(2, true);
    const big = longest(8, true);
    expect(small).toBeGreaterThan(0.05);
    expect(big).toBeGreaterThan(small / 2);
  });
});

describe('the habits of a file are not news', () => {
  it('counts the uses of a name the file so far makes, not its import', () => {
    expect(usesSoFar('test', head, 'tap')).toBe(0);
    expect(usesSoFar('test', `${head}${testCase(1, 1)}`, 'tap')).toBe(1);
    expect(usesSoFar('Fastify', `${head}${testCase(1, 1)}${testCase(2, 1)}`, '..')).toBe(2);
    expect(usesSoFar('strings', 'import "strings"\nvar x = strings.ToLower(y)\n', 'strings')).toBe(1);
  });

  it('says an import comes in only before the file first uses it', () => {
    const target = testCase(3, 2);
    const known = new Set([...identifiersOf(head), 'test', 'Fastify', 'decode']);
    const fresh = new GroundedProposer({ language: 'javascript', preceding: head, imports: importBindings(head), knownIdentifiers: known });
    const later = `${head}${testCase(1, 2)}`;
    const used = new GroundedProposer({ language: 'javascript', preceding: later, imports: importBindings(later), knownIdentifiers: known });
    const fromTap = (t: string) => t.includes("'tap'");
    expect(proposals(fresh, target).some(fromTap)).toBe(true);
    expect(proposals(used, target).some(fromTap)).toBe(false);
    expect(proposals(used, target).some((t) => t.includes("'./codec'"))).toBe(false);
  });

  it('still says the habits where nothing else is left to say', () => {
    const bare = `test('case 9', t => {\n  Fastify()\n})\n`;
    const known = new Set([...identifiersOf(head), 'test', 'Fastify']);
    const later = `${head}${[1, 2, 3].map((i) => testCase(i, 1)).join('')}`;
    const used = new GroundedProposer({ language: 'javascript', preceding: later, imports: importBindings(later), knownIdentifiers: known });
    expect(proposals(used, bare).length).toBeGreaterThan(0);
  });
});
