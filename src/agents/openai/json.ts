/**
 * Reading a JSON object out of a model's answer. With `response_format: json_object` the content
 * is the object itself; servers that ignore that field (or models that talk anyway) wrap it in
 * prose or a Markdown fence. We take the first balanced `{...}` that parses, scanning strings so
 * braces inside them do not count.
 */

/** The first JSON object in `text`, or `undefined` when there is none that parses. */
export function extractJsonObject(text: string): Record<string, unknown> | undefined {
  for (let start = text.indexOf('{'); start >= 0; start = text.indexOf('{', start + 1)) {
    const end = balancedEnd(text, start);
    if (end < 0) continue; // a stray `{` in prose: a later one may still open the object
    try {
      const value: unknown = JSON.parse(text.slice(start, end + 1));
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
    } catch {
      // Not JSON from here (prose with braces): try the next `{`.
    }
  }
  return undefined;
}

/** Index of the `}` closing the `{` at `start`, or -1. */
function balancedEnd(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}
