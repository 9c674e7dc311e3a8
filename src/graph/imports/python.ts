/** Python import statements, from their source text (the query captures whole statements). */
import type { ImportSpec } from '../types.ts';

/** `import a.b as c, d` -> `a.b`, `d`. */
export function pythonImports(statement: string, line: number): ImportSpec[] {
  const body = clean(statement).replace(/^import\s+/, '');
  return splitNames(body).map((specifier) => ({ kind: 'python', specifier, line }));
}

/** `from ..pkg import (a, b as c)` -> specifier `..pkg`, names `a`, `b`. */
export function pythonFromImport(statement: string, line: number): ImportSpec[] {
  const m = /^from\s+([.\w]+(?:\s*\.\s*\w+)*|\.+)\s+import\s+(.*)$/s.exec(clean(statement));
  if (!m) return [];
  const specifier = m[1]!.replace(/\s+/g, '');
  const names = splitNames(m[2]!.replace(/[()]/g, ' '));
  return [{ kind: 'python-from', specifier, names, line }];
}

function clean(statement: string): string {
  return statement
    .replace(/#[^\n]*/g, '')
    .replace(/\\\r?\n/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** `a.b as c, d` -> [`a.b`, `d`]; `*` stays `*`. */
function splitNames(list: string): string[] {
  return list
    .split(',')
    .map((part) => part.trim().split(/\s+as\s+/)[0]!.replace(/\s+/g, ''))
    .filter((name) => name.length > 0);
}
