/**
 * What is known before each file of a real repository is written: the brief (tokenised once per
 * workspace) and the names of the files before it (a set asked, not built) give every file the
 * same answer as the brief and those names told to a fresh Knowledge.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Knowledge } from '../../src/boundary/mod.ts';
import { briefOf, knowledgeBefore, namesBefore, writtenBefore } from '../../src/agents/knowledge.ts';
import { Workspaces } from '../../src/agents/workspace.ts';
import { languageOf } from '../../src/graph/languages.ts';

const repo = join(import.meta.dirname, '../../node_modules/commander');

describe('knowledge before a file', () => {
  it('is, for every file, the brief and the names defined before it', async () => {
    const ws = await new Workspaces().get({ name: 'commander', root: repo });
    const brief = briefOf(ws);
    expect(briefOf(ws)).toBe(brief);
    // Walk the order backwards too: the names before a file do not depend on what was asked first.
    for (const path of [...ws.order].reverse().concat(ws.order)) {
      const at = ws.order.indexOf(path);
      const expected = new Set<string>();
      for (const p of ws.order.slice(0, at)) if (ws.graph.data.facts.has(p)) for (const d of ws.facts(p).definitions) expected.add(d.name);
      expect(new Set(namesBefore(ws, path))).toEqual(expected);
      const flat = new Knowledge(languageOf(path)).addText(brief).addNames(expected);
      expect(knowledgeBefore(ws, brief, path).answer(ws.read(path))).toEqual(flat.answer(ws.read(path)));
      for (const other of ws.order) expect(writtenBefore(ws, other, path)).toBe(ws.order.indexOf(other) >= 0 && ws.order.indexOf(other) < at);
    }
    expect(ws.order.some((p) => namesBefore(ws, p).size > 10)).toBe(true);
  });
});
