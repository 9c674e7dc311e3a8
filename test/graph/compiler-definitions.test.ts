/**
 * TS files tree-sitter cannot parse cleanly keep their definitions: the TypeScript compiler's
 * parser reads them too. Real code: zod's declaration files (node_modules/zod/v4), where
 * tree-sitter reports errors.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileParser } from '../../src/graph/mod.ts';
import { nodeModules } from './helpers.ts';

const schemas = join(nodeModules, 'zod', 'v4', 'core', 'schemas.d.ts');

describe('zod v4/core/schemas.d.ts (tree-sitter reports errors)', () => {
  const facts = new FileParser().parse('typescript', readFileSync(schemas, 'utf8'));
  const text = readFileSync(schemas, 'utf8');

  it('is marked as a partial parse', () => {
    expect(facts.parseError).toBe(true);
  });

  it('keeps a definition for every exported interface, type and constant in the file', () => {
    const exported = [...text.matchAll(/^export (?:interface|type|declare const) ([\w$]+)/gm)].map((m) => m[1]!);
    const found = new Set(facts.definitions.map((d) => d.name));
    expect(exported.length).toBeGreaterThan(300);
    expect(exported.filter((n) => !found.has(n))).toEqual([]);
  });

  it('gives each definition its line range and first line', () => {
    const d = facts.definitions.find((x) => x.name === '$ZodString' && x.kind === 'interface')!;
    const lines = text.split('\n');
    expect(lines[d.startLine - 1]!.trim()).toBe(d.signature);
    expect(lines[d.endLine - 1]!.trim()).toBe('}');
  });
});
