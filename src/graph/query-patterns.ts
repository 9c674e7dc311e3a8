/**
 * Splitting a query source into its top-level patterns, in order, so that each pattern's index
 * (what `Query.matches` reports as `match.pattern`) can be tied to what the pattern means.
 * Handles `;` comments, strings, nested `( )`/`[ ]` groups, and captures or quantifiers that
 * follow a group.
 */
export function splitPatterns(source: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = -1;
  let i = 0;
  const n = source.length;
  const finish = (end: number) => {
    out.push(source.slice(start, end).trim());
    start = -1;
  };
  while (i < n) {
    const ch = source[i]!;
    if (ch === ';') {
      while (i < n && source[i] !== '\n') i++;
      continue;
    }
    if (ch === '"') {
      i++;
      while (i < n && source[i] !== '"') i += source[i] === '\\' ? 2 : 1;
      i++;
      continue;
    }
    if (ch === '(' || ch === '[') {
      if (depth === 0 && start < 0) start = i;
      depth++;
      i++;
      continue;
    }
    if (ch === ')' || ch === ']') {
      depth--;
      i++;
      if (depth === 0) {
        // Captures and quantifiers after the group belong to this pattern.
        for (;;) {
          const m = /^\s*(?:@[\w.-]+|[*+?])/.exec(source.slice(i, i + 200));
          if (!m) break;
          i += m[0].length;
        }
        finish(i);
      }
      continue;
    }
    i++;
  }
  if (start >= 0) finish(n);
  return out.filter((p) => p.length > 0);
}
