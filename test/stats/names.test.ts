/** Invented names and definitions stated about keywords, on hand-written runs. */
import { describe, expect, it } from 'vitest';
import { computeStats } from '../../src/stats/mod.ts';
import { brief, dataset, think, write } from './helpers.ts';

describe('invented names', () => {
  it('counts a stated name that no file, no earlier step and no builtin holds', async () => {
    const steps = [
      brief('A tiny library.'),
      think('coder', 'src/a.js', 'It relies on `frobnicateWidget`, calls `console.table` and returns `total`.'),
      write('src/a.js', 'function sum(xs) { let total = 0; for (const x of xs) total += x; return total; }\n'),
    ];
    const f = (await computeStats([await dataset(steps)])).total.inventedNames;
    expect(f.count).toBe(1);
    expect(f.examples).toEqual([{ step: 1, path: 'src/a.js', detail: 'frobnicateWidget' }]);
  });

  it('a name an earlier step holds is not invented', async () => {
    const steps = [brief('The helper `frobnicateWidget` is planned.'), think('coder', 'src/a.js', 'It relies on `frobnicateWidget`.'), write('src/a.js', 'x();\n')];
    expect((await computeStats([await dataset(steps)])).total.inventedNames.count).toBe(0);
  });
});

describe('definitions stated about keywords', () => {
  it('counts "`impl` is a definition" in a Rust file, not a real definition', async () => {
    const rs = 'pub struct Parser;\nimpl Parser {\n    pub fn new() -> Self { Parser }\n}\n';
    const steps = [
      think('coder', 'src/lib.rs', '`impl` is a definition to impl.'),
      think('coder', 'src/lib.rs', '`Parser` is a definition to parser. Write the struct `Parser`.'),
      write('src/lib.rs', rs),
    ];
    const f = (await computeStats([await dataset(steps)])).total.keywordStatements;
    expect(f.count).toBe(1);
    expect(f.examples[0]).toMatchObject({ step: 0, path: 'src/lib.rs' });
    expect(f.examples[0]!.detail).toContain('`impl`');
  });

  it('reads "Write the function `for`" and "Defines constant `while`" the same way, but not a JS file that defines `set`', async () => {
    const steps = [
      think('coder', 'a.js', 'Write the function `for`. Defines constant `while`.'),
      think('coder', 'b.js', 'The design declares it: function `set` (3 parameters).'),
      write('a.js', 'x();\n'),
      write('b.js', 'function set (o, k, v) { o[k] = v }\n'),
    ];
    expect((await computeStats([await dataset(steps)])).total.keywordStatements.count).toBe(2);
  });
});
