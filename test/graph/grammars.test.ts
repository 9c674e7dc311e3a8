import Parser from 'tree-sitter';
import { describe, expect, it } from 'vitest';
import { grammarFor, languages } from '../../src/graph/mod.ts';
import { checkNodeLayout } from '../../src/graph/extract.ts';
import { splitPatterns } from '../../src/graph/query-patterns.ts';

describe('grammars and their extraction queries', () => {
  it('splits a query into top-level patterns, comments, strings and trailing captures included', () => {
    const source = [
      '; a comment with (parens)',
      '(a name: (b) @name) @definition.function',
      '(',
      '  (comment)* @doc',
      '  .',
      '  (c) @definition.class',
      '  (#not-eq? @name ")(")',
      ')',
      '[(d) (e)] @reference.call',
      '(f)+ @x',
    ].join('\n');
    expect(splitPatterns(source)).toEqual([
      '(a name: (b) @name) @definition.function',
      '(\n  (comment)* @doc\n  .\n  (c) @definition.class\n  (#not-eq? @name ")(")\n)',
      '[(d) (e)] @reference.call',
      '(f)+ @x',
    ]);
  });

  it('compiles one query per language, with a reference kind for every reference pattern', () => {
    for (const id of languages) {
      const g = grammarFor(id);
      expect(g.referenceKinds.length, id).toBeGreaterThan(0);
      expect(g.referenceKinds.filter((k) => k !== undefined).every((k) => ['call', 'type', 'class', 'implementation'].includes(k!)), id).toBe(true);
    }
    expect(grammarFor('typescript').referenceKinds).toContain('type');
  });

  it('reads node positions off the marshalled fields only when they match the getters', () => {
    const parser = new Parser();
    parser.setLanguage(grammarFor('python').language);
    const node = parser.parse('a = 1\n\n  \nb = 2\n').rootNode.lastChild!;
    expect(checkNodeLayout(node)).toBe(true);
    const fake = Object.assign(Object.create(Object.getPrototypeOf(node)), node, { 2: 0, 3: 0 });
    expect(checkNodeLayout(fake)).toBe(false);
    expect(checkNodeLayout(node)).toBe(true);
  });
});
