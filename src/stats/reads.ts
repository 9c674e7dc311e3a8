/**
 * What the team could not have seen. A read of a file not written yet returns its design (an
 * import cycle) or, in datasets from before the boundary, the real text from the future. A think
 * that says a file is "already written" when it is not, states what the team cannot know.
 */
import { isWrite, type RunContext } from './run-context.ts';
import { pushExample } from './tally.ts';
import type { CountTally } from './names.ts';

/** The sentences of `text`, never cut inside a code span (paths hold dots). */
function sentences(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  let inCode = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '`') inCode = !inCode;
    else if (!inCode && (c === '.' || c === '!' || c === '?' || c === '\n') && (i + 1 >= text.length || /\s/.test(text[i + 1]!))) {
      out.push(text.slice(start, i + 1));
      start = i + 1;
    }
  }
  if (start < text.length) out.push(text.slice(start));
  return out;
}

export function tallyUnwrittenReads(ctx: RunContext): { unwrittenReads: CountTally; falseAlreadyWritten: CountTally } {
  const unwrittenReads: CountTally = { count: 0, examples: [] };
  const falseAlreadyWritten: CountTally = { count: 0, examples: [] };
  const paths = new Set([...ctx.run.files, ...ctx.finals.keys()]);
  const written = new Set<string>();
  for (const s of ctx.steps) {
    if (isWrite(s)) {
      written.add(s.path!);
      continue;
    }
    if (s.kind === 'observation' && s.tool === 'read' && s.path && !written.has(s.path) && s.source !== 'design') {
      unwrittenReads.count++;
      pushExample(unwrittenReads.examples, { step: s.index, path: s.path, detail: `read of ${s.path} before it is written` });
    }
    if (s.kind === 'think' && s.train && /already written/i.test(s.text)) {
      for (const sentence of sentences(s.text)) {
        if (!/already written/i.test(sentence)) continue;
        for (const m of sentence.matchAll(/`([^`\n]+)`/g)) {
          const path = m[1]!;
          if (!paths.has(path) || written.has(path)) continue;
          falseAlreadyWritten.count++;
          pushExample(falseAlreadyWritten.examples, { step: s.index, path, detail: `says ${path} is already written` });
        }
      }
    }
  }
  return { unwrittenReads, falseAlreadyWritten };
}
