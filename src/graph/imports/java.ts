/** Java import declarations, from their source text. */
import type { ImportSpec } from '../types.ts';

/** `import static a.b.C.m;` -> java-static `a.b.C.m`; `import a.b.*;` -> java `a.b.*`. */
export function javaImport(statement: string, line: number): ImportSpec[] {
  const text = statement.replace(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g, '').replace(/\s+/g, ' ').trim();
  const m = /^import\s+(static\s+)?([\w.]+(?:\s*\.\s*\*)?)\s*;?$/.exec(text);
  if (!m) return [];
  return [{ kind: m[1] ? 'java-static' : 'java', specifier: m[2]!.replace(/\s+/g, ''), line }];
}
