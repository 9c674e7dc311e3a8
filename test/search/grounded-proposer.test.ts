import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { identifiersOf, Knowledge, SequenceGuard } from '../../src/boundary/mod.ts';
import { FileParser, type LanguageId } from '../../src/graph/mod.ts';
import { GroundedProposer, importBindings, namedIdentifiers, targetFacts } from '../../src/search/mod.ts';
import { lexicalImports } from '../../src/search/facts.ts';
import { actionOf, gerund, nounOf, pathWordsOf, phraseOf } from '../../src/search/name-words.ts';

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

/** The boundary at the target: the file so far is written, the target's name was declared. */
const knowledge = () => new Knowledge('javascript').addText(file).addNames(['loadSettings']);
const knownNames = new Set([...identifiersOf(file), 'loadSettings']);
const guard = new SequenceGuard(knowledge().answer(target));

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
    expect(facts.locals).toEqual(['file', 'text']);
  });

  it('knows every name the target binds itself: parameters, variables, loop variables', () => {
    expect([...facts.bound].sort()).toEqual(['file', 'key', 'options', 'root', 'text']);
  });

  it('reads other languages structurally: kind, name, parameters, base class, control flow, calls, errors', () => {
    const py = targetFacts({
      language: 'python',
      target: 'import json\n\nasync def load(self, path, *, strict=False):\n    """Load it."""\n    if not path:\n        raise ValueError("no path")\n    for item in range(3):\n        data = json.loads(item)\n    return data\n',
    });
    expect(py).toMatchObject({ name: 'load', kind: 'function', isAsync: true, params: ['path', 'strict'], errors: ['ValueError'] });
    expect(py.control).toMatchObject({ branches: 1, loops: 1, throws: 1, returns: 1 });
    expect(py.calls).toEqual(expect.arrayContaining(['json.loads', 'range']));
    expect(py.bound).toEqual(expect.arrayContaining(['path', 'strict', 'item', 'data']));
    expect(targetFacts({ language: 'python', target: 'class DecodeError(ValueError):\n    pass\n' })).toMatchObject({ name: 'DecodeError', kind: 'class', extends: 'ValueError' });
    const java = targetFacts({ language: 'java', target: 'public static int clamp(int value, int max) {\n  if (value > max) throw new IllegalStateException("x");\n  return value;\n}' });
    expect(java).toMatchObject({ name: 'clamp', kind: 'method', params: ['value', 'max'], errors: ['IllegalStateException'] });
    const go = targetFacts({ language: 'go', target: 'func (r *Reader) Read(p []byte) (n int, err error) {\n\tif r.n == 0 {\n\t\treturn 0, io.EOF\n\t}\n\treturn copy(p, r.buf), nil\n}' });
    expect(go).toMatchObject({ name: 'Read', kind: 'method', owner: 'Reader', params: ['p'] });
  });

  it('reads imports of other languages line by line', () => {
    expect(lexicalImports('import os.path as osp, re\nfrom json import loads, dumps as d\n', 'python')).toEqual([
      { name: 'osp', module: 'os.path' },
      { name: 're', module: 're' },
      { name: 'loads', module: 'json' },
      { name: 'd', module: 'json' },
    ]);
    expect(lexicalImports('import java.util.List;\nimport static java.util.Objects.requireNonNull;\n', 'java').map((b) => b.name)).toEqual(['List', 'requireNonNull']);
    expect(lexicalImports('use std::collections::{HashMap, HashSet};\nuse crate::lexer::Token;\n', 'rust').map((b) => b.name)).toEqual(['HashMap', 'HashSet', 'Token']);
  });
});

describe('the grounded proposer', () => {
  const proposer = new GroundedProposer({ language: 'javascript', preceding: file, imports: importBindings(file), knownIdentifiers: knownNames });
  const req = { context: file, target, steps: [] as string[], k: 5, seed: 7 };
  const seen = new Set<string>();
  for (let seed = 0; seed < 30; seed++) for (const p of proposer.proposeSync({ ...req, seed, k: 40 })) seen.add(p.text);

  it('is deterministic for a seed and varies choice, order and wording across seeds', () => {
    const a = proposer.proposeSync(req);
    expect(proposer.proposeSync(req)).toEqual(a);
    expect(a).toHaveLength(5);
    const few = new Set<string>();
    for (let seed = 0; seed < 20; seed++) for (const p of proposer.proposeSync({ ...req, seed })) few.add(p.text);
    expect(few.size).toBeGreaterThan(15);
  });

  it('says what an engineer can think before writing: purpose, known dependencies, shape, errors', () => {
    const all = [...seen];
    expect(all.some((t) => t.includes('`readFile`') && t.includes("'node:fs/promises'"))).toBe(true);
    expect(all.some((t) => /Loads the settings of a project/.test(t))).toBe(true);
    expect(all.some((t) => /is an async function taking two parameters|Two parameters go in; the load settings function is an async function/.test(t))).toBe(true);
    expect(all.some((t) => /two branches, a loop and a switch over two cases/.test(t))).toBe(true);
    expect(all.some((t) => t.includes('`TypeError`'))).toBe(true);
  });

  it('states only names inside the boundary, and every step passes its guard', () => {
    for (const t of seen) {
      expect(guard.violations([t]), t).toEqual([]);
      for (const n of namedIdentifiers(t)) expect(knownNames.has(n) || ['TypeError', 'readFile', 'path'].includes(n), `${n} in "${t}"`).toBe(true);
    }
  });

  it("never restates the target's own names or strings, even where the same names are known elsewhere", () => {
    // As if files written before used `root`, `options`, `file`, `text` and `join` too.
    const broad = new Set([...knownNames, 'root', 'options', 'file', 'text', 'key', 'join', 'name', 'keys', 'strict']);
    const p = new GroundedProposer({ language: 'javascript', preceding: file, imports: importBindings(file), knownIdentifiers: broad });
    for (let seed = 0; seed < 30; seed++) {
      for (const s of p.proposeSync({ ...req, seed, k: 40 })) {
        for (const own of ['root', 'options', 'file', 'text', 'key']) expect(namedIdentifiers(s.text), s.text).not.toContain(own);
        expect(s.text).not.toMatch(/'(strict|loose|utf8)'|root must be a string/);
      }
    }
    expect(p.proposeSync({ ...req, k: 40 }).some((s) => s.text.includes('`path.join`'))).toBe(true);
  });

  it('knows no name when given none but the language, and still says something', () => {
    const bare = new GroundedProposer({ language: 'javascript' });
    const steps = bare.proposeSync({ ...req, k: 40 });
    expect(steps.length).toBeGreaterThan(3);
    for (const s of steps) for (const n of namedIdentifiers(s.text)) expect(['TypeError'], s.text).toContain(n);
  });

  it('does not restate a fact already among the steps', () => {
    const first = proposer.proposeSync({ ...req, k: 1 })[0]!;
    const next = proposer.proposeSync({ ...req, steps: [first.text], k: 100, seed: 8 });
    expect(next.length).toBeGreaterThan(0);
    expect(next.map((p) => p.text)).not.toContain(first.text);
  });
});

describe('the grounded proposer on real code stays inside the boundary', () => {
  const sources: Array<[LanguageId, string, RegExp]> = [
    ['javascript', 'node_modules/commander/lib', /\.js$/],
    ['python', '/usr/lib/python3.11/json', /\.py$/],
  ];
  for (const [language, dir, pattern] of sources) {
    it.skipIf(!existsSync(dir))(`${dir}: every step passes a guard whose answer is the rest of the real file`, () => {
      const parser = new FileParser();
      let chunks = 0;
      let said = 0;
      for (const name of readdirSync(dir).filter((n) => pattern.test(n)).sort()) {
        const text = readFileSync(join(dir, name), 'utf8');
        const lines = text.split('\n');
        const defs = parser.parse(language, text).definitions;
        let lastEnd = 0;
        for (const def of defs.filter((d) => d.endLine - d.startLine < 80)) {
          if (def.startLine <= lastEnd) continue; // top level only
          lastEnd = def.endLine;
          if (chunks >= 40) break;
          const preceding = lines.slice(0, def.startLine - 1).join('\n');
          const t = lines.slice(def.startLine - 1, def.endLine).join('\n');
          const k = new Knowledge(language).addText(preceding).addNames([def.name]);
          const known = new Set([...identifiersOf(preceding), def.name]);
          const p = new GroundedProposer({ language, preceding: preceding.slice(-4096), imports: importBindings(preceding.slice(0, 8192), language), knownIdentifiers: known });
          const g = new SequenceGuard(k.answer(lines.slice(def.startLine - 1).join('\n')));
          const steps = p.proposeSync({ context: '', target: t, steps: [], k: 50, seed: 1 });
          chunks++;
          if (steps.length > 0) said++;
          for (const s of steps) expect(g.violations([s.text]).filter((v) => v.kind !== 'literal'), `${name}:${def.name}: ${s.text}`).toEqual([]);
        }
      }
      console.log(`${dir}: steps for ${said}/${chunks} definitions`);
      expect(chunks).toBeGreaterThan(5);
      expect(said).toBeGreaterThanOrEqual(Math.ceil(chunks * 0.9));
    });
  }
});

describe('names read as prose', () => {
  it('glosses a name only where its words read as words', () => {
    expect(phraseOf('parseOptionFlags')).toEqual(['parse', 'option', 'flags']);
    expect(actionOf('parseOptionFlags')).toBe('parsing option flags');
    expect(actionOf('isEmpty')).toBe('checking whether it is empty');
    expect(phraseOf('Ok')).toBeUndefined();
    expect(phraseOf('fmtQ')).toBeUndefined();
    expect(nounOf('__all__')).toBeUndefined();
    expect(actionOf('Len')).toBeUndefined();
    expect(pathWordsOf('src/option-parser.ts')).toBe('option parser');
    expect(pathWordsOf('email/__init__.py')).toBe('email');
    expect(['set', 'write', 'format', 'open'].map(gerund)).toEqual(['setting', 'writing', 'formatting', 'opening']);
  });

  it('never says "is a function to" of a name, and opens with the name\'s words only where they read', () => {
    const targets: Array<[string, string]> = [
      ['Ok', 'export function Ok(value) {\n  return { ok: true, value };\n}\n'],
      ['fmtQ', 'export function fmtQ(q) {\n  return q.join(",");\n}\n'],
      ['pushFront', 'export function pushFront(list, item) {\n  list.unshift(item);\n  return list;\n}\n'],
    ];
    const said: string[] = [];
    for (const [name, target] of targets) {
      const p = new GroundedProposer({ language: 'javascript', knownIdentifiers: new Set([name]) });
      for (let seed = 0; seed < 20; seed++) said.push(...p.proposeSync({ context: '', target, steps: [], k: 40, seed }).map((s) => s.text));
    }
    expect(said.some((t) => /is a function to/.test(t))).toBe(false);
    expect(said.some((t) => /^(Ok|Fmt q)\b/i.test(t))).toBe(false);
    expect(said.some((t) => /^Pushing front\b/.test(t))).toBe(true);
  });

  it('opens its steps with what varies from target to target: the openings grow with the code', () => {
    const names = ['parseOptions', 'formatTable', 'loadConfig', 'renderPage', 'splitWords', 'mergeRanges', 'encodeHeader', 'resolvePath'];
    const openings = new Map<string, number>();
    let steps = 0;
    for (const name of names) {
      const target = `export function ${name}(input) {\n  if (!input) return null;\n  return helper(input);\n}\n`;
      const p = new GroundedProposer({ language: 'javascript', knownIdentifiers: new Set([name, 'helper']), path: `src/${name}.js` });
      for (let seed = 0; seed < 5; seed++) {
        for (const s of p.proposeSync({ context: '', target, steps: [], k: 3, seed })) {
          const opening = s.text.replace(/`[^`]*`/g, 'X').split(/\s+/).slice(0, 3).join(' ');
          openings.set(opening, (openings.get(opening) ?? 0) + 1);
          steps++;
        }
      }
    }
    // No single opening holds a fifth of the steps, and there are many more openings than wordings of one item.
    expect(Math.max(...openings.values())).toBeLessThan(steps / 5);
    expect(openings.size).toBeGreaterThan(names.length * 2);
  });
});

describe('openings that vary with the code', () => {
  // A class of many small members: each member's name is the answer (not declared), so what
  // varies is its file, its calls, its shape. Thoughts about consecutive members must not all
  // open alike ("A method taking ...", "It is a ...").
  const members = [
    ['getValue', '', 'return VALUE.getAcquire(this);'],
    ['setValue', 'long next', 'VALUE.setRelease(this, next);'],
    ['swapValue', 'long next', 'return VALUE.getAndSet(this, next);'],
    ['addDelta', 'long delta', 'return VALUE.getAndAdd(this, delta);'],
    ['clearValue', '', 'VALUE.setVolatile(this, 0);'],
    ['lazyValue', '', 'return VALUE.getOpaque(this);'],
    ['isPositive', '', 'return VALUE.getAcquire(this) > 0;'],
    ['exchange', 'long expected, long next', 'return VALUE.compareAndExchange(this, expected, next);'],
  ] as const;
  // The class's comment names the handle's operations, as the JDK's do ({@link VarHandle#getAcquire}).
  const header =
    'package demo;\n\nimport java.lang.invoke.VarHandle;\n\n/** A counter on {@link VarHandle}: getAcquire, setRelease, getAndSet, getAndAdd, setVolatile, getOpaque, compareAndExchange. */\npublic class Counter {\n    private static final VarHandle VALUE = null;\n\n';
  const design = { responsibility: 'Provides a class (`Counter`).', publicInterface: ['class `Counter`'], dependencies: [] };

  it('thoughts about consecutive small members of one class open in many ways', () => {
    const openings = new Map<string, number>();
    let steps = 0;
    let preceding = header;
    for (const [name, params, body] of members) {
      const target = `    public final long ${name}(${params}) {\n        ${body}\n    }\n\n`;
      const p = new GroundedProposer({
        language: 'java',
        preceding,
        imports: importBindings(preceding, 'java'),
        knownIdentifiers: new Set([...identifiersOf(preceding), 'Counter']),
        design,
        path: 'src/Counter.java',
      });
      for (let seed = 0; seed < 4; seed++) {
        for (const s of p.proposeSync({ context: '', target, steps: [], k: 3, seed })) {
          const opening = s.text.replace(/`[^`]*`/g, 'X').split(/\s+/).slice(0, 3).join(' ');
          openings.set(opening, (openings.get(opening) ?? 0) + 1);
          steps++;
        }
      }
      preceding += target;
    }
    expect(Math.max(...openings.values()), JSON.stringify([...openings])).toBeLessThan(steps / 5);
    expect(openings.size).toBeGreaterThan(members.length * 2);
  });
});

describe('the grounded proposer on a piece of a document', () => {
  const code = 'export class Queue {\n  drain() {}\n  flush() {}\n  size() { return 0; }\n}\n';
  const before = '# Queues\n\nA small queue library.\n\n';
  const piece = '## Draining the queue\n\nCall `queue.drain()` to empty a `Queue`, then `flush()` to write what is left:\n\n```js\nconst q = new Queue();\nq.drain();\nq.flush();\n```\n\nIt returns at once.\n';
  const after = '## Sizes\n\n`size()` counts.\n';
  // Known: the file tree (the brief), the code written before, the document so far.
  const known = new Knowledge(null).addText('README.md\nsrc/queue.js').addText(code).addText(before);
  const guard = new SequenceGuard(known.answer(piece + after));
  const p = new GroundedProposer({
    path: 'README.md',
    preceding: before,
    knownIdentifiers: known.knownNames(),
    design: { responsibility: 'Documents the code of `src/queue.js` for its readers.', publicInterface: [], dependencies: [{ path: 'src/queue.js', why: 'documented here: `Queue`, `drain` and `flush`' }] },
  });
  const said = new Set<string>();
  for (let seed = 0; seed < 20; seed++) for (const s of p.proposeSync({ context: '', target: piece, steps: [], k: 20, seed })) said.add(s.text);

  it('says what the piece is for from what is known: the code it documents, its example, its shape', () => {
    const all = [...said];
    expect(all.some((t) => t.includes('`flush`'))).toBe(true);
    expect(all.some((t) => /\bJS\b/.test(t))).toBe(true);
    expect(all.some((t) => t.includes('`src/queue.js`'))).toBe(true);
    expect(all.some((t) => /section/i.test(t))).toBe(true);
  });

  it('never states the heading, nor a name its heading holds, and stays inside the boundary', () => {
    for (const t of said) {
      expect(t.toLowerCase(), t).not.toContain('draining the queue');
      expect(namedIdentifiers(t), t).not.toContain('Queue');
      expect(namedIdentifiers(t), t).not.toContain('drain');
      expect(guard.violations([t]), t).toEqual([]);
    }
  });
});
