import { describe, expect, it } from 'vitest';
import { indexRepo } from '../../src/graph/mod.ts';
import { tempDir, writeTree } from './helpers.ts';

describe('references resolved to definitions', () => {
  it('prefers the imported definition among same-named ones, and ignores local ones', async () => {
    const root = writeTree(tempDir(), {
      'a.ts': 'export function render() {}\n',
      'b.ts': 'export function render() {}\n',
      'use.ts': "import { render } from './b';\nrender();\n",
      'local.ts': 'function render() {}\nrender();\n',
    });
    const g = await indexRepo(root, { workers: 0, cache: false });
    const refs = g.graph.outboundNeighbors('file:use.ts').filter((n) => n.startsWith('sym:'));
    expect(refs).toEqual(['sym:b.ts#render']);
    expect(g.graph.outboundNeighbors('file:local.ts').filter((n) => n.startsWith('sym:'))).toEqual(['sym:local.ts#render']);
    expect(g.graph.getEdgeAttributes('defines:file:local.ts->sym:local.ts#render').type).toBe('defines');
    expect(g.graph.hasEdge('references:file:local.ts->sym:a.ts#render')).toBe(false);
  });

  it('takes a unique class without an import, but not a unique function', async () => {
    const root = writeTree(tempDir(), {
      'widget.js': 'class Widget {}\nfunction parse() {}\nmodule.exports = { Widget, parse };\n',
      'app.js': 'const w = new Widget();\nJSON.parse("1");\n',
    });
    const g = await indexRepo(root, { workers: 0, cache: false });
    expect(g.graph.hasEdge('references:file:app.js->sym:widget.js#Widget')).toBe(true);
    expect(g.graph.hasEdge('references:file:app.js->sym:widget.js#parse')).toBe(false);
  });
});
