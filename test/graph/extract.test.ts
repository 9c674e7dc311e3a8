import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileParser, adaptedTags, rawTags } from '../../src/graph/mod.ts';
import { nodeModules } from './helpers.ts';

const parser = new FileParser();

describe('extraction from tags queries', () => {
  it('adapts the tags queries: TS gets the JS patterns, the rejected predicates are gone', () => {
    const own = readFileSync(join(nodeModules, 'tree-sitter-typescript', 'queries', 'tags.scm'), 'utf8');
    expect(own).not.toContain('function_declaration');
    expect(rawTags('typescript').startsWith(own)).toBe(true);
    const ts = adaptedTags('typescript');
    expect(ts).toContain('function_declaration');
    for (const p of ['#strip!', '#select-adjacent!', '#set-adjacent!']) {
      expect(adaptedTags('javascript', { keepDocCaptures: true })).not.toContain(p);
      expect(adaptedTags('go')).not.toContain(p);
    }
  });

  it('reads TypeScript definitions with kind, lines and signature line', () => {
    const facts = parser.parse('typescript', ['/** doc */', 'export class Box<T> {', '  get(): T {', '    return this.v;', '  }', '}', 'export interface Shape { area(): number }', 'export function make(): Box<number> { return new Box(); }', ''].join('\n'));
    expect(facts.definitions).toEqual([
      { name: 'Box', kind: 'class', startLine: 2, endLine: 6, signature: 'export class Box<T> {' },
      { name: 'get', kind: 'method', startLine: 3, endLine: 5, signature: 'get(): T {' },
      { name: 'Shape', kind: 'interface', startLine: 7, endLine: 7, signature: 'export interface Shape { area(): number }' },
      { name: 'area', kind: 'method', startLine: 7, endLine: 7, signature: 'export interface Shape { area(): number }' },
      { name: 'make', kind: 'function', startLine: 8, endLine: 8, signature: 'export function make(): Box<number> { return new Box(); }' },
    ]);
    expect(facts.references).toContainEqual({ name: 'Box', kind: 'class', line: 8, count: 1 });
    expect(facts.parseError).toBe(false);
  });

  it('adds module-level constants, type aliases and enums, once per node', () => {
    const facts = parser.parse('typescript', "export const k = 1;\nconst f = () => 2;\ntype T = number;\nenum E { A }\nfunction g() { const inner = 1; }\nconst r = require('./r');\nconst d = await import('./d');\n");
    expect(facts.definitions.map((d) => `${d.kind} ${d.name}`)).toEqual(['constant k', 'function f', 'type T', 'enum E', 'function g']);
  });

  it('aggregates references per name and kind', () => {
    const facts = parser.parse('javascript', 'f(); f(); g();\n');
    expect(facts.references).toEqual([
      { name: 'f', kind: 'call', line: 1, count: 2 },
      { name: 'g', kind: 'call', line: 1, count: 1 },
    ]);
  });

  it('applies the tags predicates on names: require() is no reference, constructor no method', () => {
    const facts = parser.parse('javascript', "const a = require('./a');\nrequired();\nclass K { constructor() {} m() {} }\n");
    expect(facts.references).toEqual([{ name: 'required', kind: 'call', line: 2, count: 1 }]);
    expect(facts.imports).toEqual([{ kind: 'require', specifier: './a', line: 1 }]);
    expect(facts.definitions.map((d) => d.name)).toEqual(['K', 'm']);
    expect(parser.parse('javascript', "notRequire('./x');\n").imports).toEqual([]);
  });

  it('expands Rust use trees and reads Python, Java and Go imports', () => {
    expect(parser.parse('rust', 'use a::{b::{c, d as e}, self, f::*};\n').imports.map((i) => i.specifier)).toEqual(['a::b::c', 'a::b::d', 'a', 'a::f::*']);
    expect(parser.parse('python', 'from .. import (a,  # c\n  b as z)\nimport x.y as q, w\n').imports).toEqual([
      { kind: 'python-from', specifier: '..', names: ['a', 'b'], line: 1 },
      { kind: 'python', specifier: 'x.y', line: 3 },
      { kind: 'python', specifier: 'w', line: 3 },
    ]);
    expect(parser.parse('java', 'package p.q;\nimport static a.B.c;\nclass X {}\n')).toMatchObject({ packageName: 'p.q', imports: [{ kind: 'java-static', specifier: 'a.B.c', line: 2 }] });
    expect(parser.parse('go', 'package m\nimport x "a/b"\n').imports).toEqual([{ kind: 'go', specifier: 'a/b', line: 2 }]);
  });

  it('parses a file with syntax errors partially and flags it', () => {
    const facts = parser.parse('python', 'def ok():\n    return 1\n\ndef broken(:\n    pass\n');
    expect(facts.parseError).toBe(true);
    expect(facts.definitions.map((d) => d.name)).toContain('ok');
  });

  it('counts lines in UTF-16 text correctly past non-ASCII characters', () => {
    const facts = parser.parse('javascript', 'const s = "héllo😀";\nfunction foo() {}\n');
    expect(facts.definitions).toEqual([
      { name: 's', kind: 'constant', startLine: 1, endLine: 1, signature: 'const s = "héllo😀";' },
      { name: 'foo', kind: 'function', startLine: 2, endLine: 2, signature: 'function foo() {}' },
    ]);
  });
});
