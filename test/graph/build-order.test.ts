import { describe, expect, it } from 'vitest';
import { buildOrder, indexRepo, testSubjects } from '../../src/graph/mod.ts';
import { materialise } from './helpers.ts';

const deps = (edges: Record<string, string[]>) => (f: string) => edges[f] ?? [];

describe('build order', () => {
  it('condenses cycles and groups steps into topological generations', () => {
    const order = buildOrder(['e.ts', 'd.ts', 'c.ts', 'b.ts', 'a.ts'], deps({ 'a.ts': ['b.ts'], 'b.ts': ['c.ts'], 'c.ts': ['b.ts', 'd.ts'], 'e.ts': [] }));
    expect(order.generations).toEqual([
      [{ files: ['d.ts'], cycle: false }, { files: ['e.ts'], cycle: false }],
      [{ files: ['b.ts', 'c.ts'], cycle: true }],
      [{ files: ['a.ts'], cycle: false }],
    ]);
    expect(order.order).toEqual(['d.ts', 'e.ts', 'b.ts', 'c.ts', 'a.ts']);
    expect(order.cycles).toEqual([['b.ts', 'c.ts']]);
  });

  it('is the same whatever order files and edges come in', () => {
    const edges = { 'x/a.py': ['x/b.py', 'x/c.py'], 'x/b.py': ['x/c.py'] };
    const files = ['x/a.py', 'x/b.py', 'x/c.py', 'y.py'];
    const one = buildOrder(files, deps(edges));
    const two = buildOrder([...files].reverse(), (f) => [...(edges[f as keyof typeof edges] ?? [])].reverse());
    expect(two).toEqual(one);
  });

  it('puts a test after the file it tests, even without an import', () => {
    const order = buildOrder(['src/util_test.go', 'src/util.go', 'tests/test_parse.py', 'pkg/parse.py', 'a.spec.ts', 'a.ts'], () => []).order;
    expect(order.indexOf('src/util_test.go')).toBeGreaterThan(order.indexOf('src/util.go'));
    expect(order.indexOf('tests/test_parse.py')).toBeGreaterThan(order.indexOf('pkg/parse.py'));
    expect(order.indexOf('a.spec.ts')).toBeGreaterThan(order.indexOf('a.ts'));
  });

  it('maps tests to subjects by naming convention', () => {
    expect(Object.fromEntries(testSubjects(['src/x/a.ts', 'lib/y/a.ts', 'test/x/a.test.ts', 'test/b.test.ts', 'src/b.ts', 'lib/b.ts', 'FooTest.java', 'Foo.java', 'README.md']))).toEqual({
      'test/x/a.test.ts': 'src/x/a.ts',
      'FooTest.java': 'Foo.java',
    });
    // test/b.test.ts: src/b.ts and lib/b.ts fit equally well, so no subject is guessed.
  });

  it('orders the TS fixture: dependencies first, the cycle as one step, tests after', async () => {
    const g = await indexRepo(materialise('ts.txtar'), { workers: 0, cache: false });
    const { order, cycles } = g.buildOrder();
    const before = (a: string, b: string) => expect(order.indexOf(a)).toBeLessThan(order.indexOf(b));
    before('src/lib/math.ts', 'src/greet.ts');
    before('src/greet.ts', 'src/index.ts');
    before('src/dyn.js', 'src/legacy.cjs');
    before('src/greet.ts', 'test/greet.test.ts');
    before('src/lib/math.ts', 'src/lib/math.test.ts');
    before('packages/shared/src/main.ts', 'src/index.ts');
    expect(cycles).toEqual([['src/cycle-a.ts', 'src/cycle-b.ts']]);
    expect(order).toHaveLength(g.filePaths().length);
  });
});
