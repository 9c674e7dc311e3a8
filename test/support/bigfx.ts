/**
 * A generated repository whose coder job is long: one source file of many top-level functions
 * (one refined chunk each), so "in the middle of its work" is a wide window for fault tests.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The job that takes long: the coder writing src/core.js. */
export const LONG_JOB = 'coder:code:src/core.js';

export function writeBigFixture(dir: string, functions = 100): void {
  mkdirSync(join(dir, 'src'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{"name":"bigfx","version":"1.0.0","type":"module","main":"src/index.js"}\n');
  const fns = [...Array(functions).keys()].map(
    (i) =>
      `export function step${i}(values, limit) {\n  const out = [];\n  for (const v of values) {\n    if (v % ${i + 2} === 0 && out.length < limit) out.push(v * ${i + 1});\n  }\n  return out.reduce((a, b) => a + b, ${i});\n}\n`,
  );
  writeFileSync(join(dir, 'src/core.js'), fns.join('\n'));
  writeFileSync(join(dir, 'src/index.js'), "import { step1, step2 } from './core.js';\n\nexport function run(xs) {\n  return step1(xs, 3) + step2(xs, 4);\n}\n");
}
