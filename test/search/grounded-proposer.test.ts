import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileParser } from '../../src/graph/mod.ts';
import { GroundedProposer, importBindings, namedIdentifiers, targetFacts } from '../../src/search/mod.ts';

const file = `import { readFile } from 'node:fs/promises';
const path = require('node:path');

/** Loads the settings of a project. Falls back to defaults. */
`;
const target = `export async function loadSettings(root, options) {
  if (typeof root !== 'string') throw new TypeError('root must be a string');
  if (!options) options = {};
  const file = path.join(root, options.name);
  for (const key of options.keys) {
    switch (key) {
      case 'strict': options.strict = true; break;
      case 'loose': options.strict = false; break;
    }
  }
  const text = await readFile(file, 'utf8');
  return { text, file };
}
`;

describe('facts of a target', () => {
  const facts = targetFacts({ target, language: 'javascript', preceding: file, imports: importBindings(file) });
  it('reads purpose, signature, dependencies, control flow, cases, checks and returns', () => {
    expect(facts).toMatchObject({ name: 'loadSettings', kind: 'function', isAsync: true, isExported: true, params: ['root', 'options'] });
    expect(facts.doc).toBe('Loads the settings of a project.');
    expect(facts.dependencies).toEqual([
      { name: 'readFile', module: 'node:fs/promises' },
      { name: 'path', module: 'node:path' },
    ]);
    expect(facts.calls).toEqual(['path.join', 'readFile']);
    expect(facts.control).toMatchObject({ branches: 2, loops: 1, switches: 1, throws: 1, awaits: 1, returns: 1 });
    expect(facts.iterates).toEqual(['options.keys']);
    expect(facts.cases).toEqual(["'strict'", "'loose'"]);
    expect(facts.checks).toEqual([
      { kind: 'typeof', subject: 'root', type: 'string' },
      { kind: 'missing', subject: 'options' },
    ]);
    expect(facts.errors).toEqual(['TypeError']);
    expect(facts.returns).toEqual([{ kind: 'object', keys: ['text', 'file'] }]);
    expect(facts.locals).toEqual(['file', 'key', 'text'].filter((n) => n !== 'key'));
  });
});

describe('the grounded proposer', () => {
  const proposer = new GroundedProposer({ language: 'javascript', preceding: file, imports: importBindings(file) });
  const req = { context: file, target, steps: [] as string[], k: 5, seed: 7 };

  it('is deterministic for a seed and varies choice, order and wording across seeds', () => {
    const a = proposer.proposeSync(req);
    expect(proposer.proposeSync(req)).toEqual(a);
    expect(a).toHaveLength(5);
    const seen = new Set<string>();
    for (let seed = 0; seed < 20; seed++) for (const p of proposer.proposeSync({ ...req, seed })) seen.add(p.text);
    expect(seen.size).toBeGreaterThan(15);
    expect([...seen].some((t) => t.includes('`readFile`') && t.includes("'node:fs/promises'"))).toBe(true);
    expect([...seen].some((t) => /`root` is a string/.test(t))).toBe(true);
  });

  it('names only identifiers of the target or of the repo', () => {
    const ids = targetFacts({ target }).identifiers;
    for (let seed = 0; seed < 30; seed++) {
      for (const p of proposer.proposeSync({ ...req, seed, k: 30 })) for (const n of namedIdentifiers(p.text)) expect(ids.has(n)).toBe(true);
    }
  });

  it('does not restate a fact already among the steps', () => {
    const first = proposer.proposeSync({ ...req, k: 1 })[0]!;
    const next = proposer.proposeSync({ ...req, steps: [first.text], k: 100, seed: 8 });
    expect(next.length).toBeGreaterThan(0);
    expect(next.map((p) => p.text)).not.toContain(first.text);
  });

  it('grounds steps in real code from installed packages', () => {
    const dir = 'node_modules/commander/lib';
    const parser = new FileParser();
    let checked = 0;
    for (const name of readdirSync(dir).filter((n) => n.endsWith('.js')).sort()) {
      const text = readFileSync(join(dir, name), 'utf8');
      const lines = text.split('\n');
      const known = new Set(text.match(/[A-Za-z_$][\w$]*/g));
      for (const def of parser.parse('javascript', text).definitions.filter((d) => d.endLine - d.startLine < 60).slice(0, 5)) {
        const t = lines.slice(def.startLine - 1, def.endLine).join('\n');
        const p = new GroundedProposer({ language: 'javascript', preceding: lines.slice(0, def.startLine - 1).join('\n') });
        const steps = p.proposeSync({ context: '', target: t, steps: [], k: 50, seed: 1 });
        expect(steps.length).toBeGreaterThan(0);
        for (const s of steps) for (const n of namedIdentifiers(s.text)) expect(known.has(n)).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(5);
  });
});
