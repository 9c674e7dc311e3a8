/**
 * C macros: `#define`s are definitions, and declarations wrapped in annotation macros
 * (`local void f()`, `int CDECL main(void)`) parse. Real code: zlib's examples
 * (zlib1g-dev, /usr/share/doc/zlib1g-dev/examples).
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FileParser } from '../../src/graph/mod.ts';

const gzjoin = '/usr/share/doc/zlib1g-dev/examples/gzjoin.c';

describe.skipIf(!existsSync(gzjoin))('zlib examples/gzjoin.c (`#define local static`)', () => {
  const facts = () => new FileParser().parse('c', readFileSync(gzjoin, 'utf8'));

  it('parses without errors', () => {
    expect(facts().parseError).toBe(false);
  });

  it('has its macros as definitions, and every `local` function', () => {
    const defs = facts().definitions;
    expect(defs.filter((d) => d.kind === 'macro').map((d) => d.name)).toEqual(expect.arrayContaining(['local', 'CHUNK']));
    expect(defs.filter((d) => d.kind === 'function').map((d) => d.name)).toEqual(expect.arrayContaining(['bail', 'bclose', 'bopen', 'bload', 'bget4', 'bskip', 'gzhead', 'put4', 'zpull', 'gzinit', 'main']));
  });
});

describe('an upper-case annotation macro between type and name', () => {
  it('costs neither the definition nor its extent', () => {
    const facts = new FileParser().parse('c', '#include "cdecl.h"\n\nint CDECL main(void)\n{\n    return run();\n}\n');
    expect(facts.parseError).toBe(false);
    expect(facts.definitions).toEqual([{ name: 'main', kind: 'function', startLine: 3, endLine: 6, signature: 'int CDECL main(void)' }]);
  });
});

describe('a header guard', () => {
  it('is no definition', () => {
    const facts = new FileParser().parse('c', '#ifndef A_H\n#define A_H\n#define MAX(a, b) ((a) > (b) ? (a) : (b))\n#endif\n');
    expect(facts.definitions.map((d) => `${d.kind} ${d.name}`)).toEqual(['macro MAX']);
  });
});
