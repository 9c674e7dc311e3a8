/**
 * Names the reasoning makes up, and definitions it states about the language's own keywords.
 *
 * Invented: a name a trained text states that no final file of the run holds, no earlier step
 * holds, and the language does not provide (a member of a builtin, `console.table`, is the
 * language's). Keyword statements: a think calling a keyword of its file's language a definition
 * ("`impl` is a definition", "Write the function `for`"): a misreading of the code, trained on.
 */
import { isAmbient, isKeyword, statedNames } from '../boundary/mod.ts';
import { isWrite, type RunContext } from './run-context.ts';
import { pushExample } from './tally.ts';
import type { Example } from './types.ts';

export interface CountTally {
  count: number;
  examples: Example[];
}

export const emptyCount = (): CountTally => ({ count: 0, examples: [] });

const OWN_HEADS = new Set(['this', 'self', 'cls', 'super', 'Self', 'crate']);

export function tallyInventedNames(ctx: RunContext): CountTally {
  const tally = emptyCount();
  ctx.steps.forEach((s, pos) => {
    if (!s.train || isWrite(s)) return;
    const language = ctx.languageOf(s.path);
    const seen = new Set<string>();
    for (const { name, head } of statedNames(s.text)) {
      if (seen.has(name)) continue;
      seen.add(name);
      if (head !== undefined && !OWN_HEADS.has(head) && isAmbient(language, head)) continue;
      if (ctx.finalNames.has(name) || ctx.seenBefore(name, pos) || isAmbient(language, name)) continue;
      tally.count++;
      pushExample(tally.examples, { step: s.index, path: s.path ?? null, detail: name });
    }
  });
  return tally;
}

const KIND = '(?:definition|function|class|method|constant|type|struct|trait|enum|macro)';
/** "`X` is a ... function": up to three words between the article and the kind. */
const IS_A = new RegExp(`\`([^\`\\n]+)\`\\s+is\\s+an?\\s+(?:[\\w-]+\\s+){0,3}?${KIND}\\b`, 'gi');
/** "<kind> `X`", as in "Write the function `X`", "Defines class `X`, function `Y`". */
const KIND_OF = new RegExp(`(\\w+\\s+)?\\b(${KIND})s?\\s+\`([^\`\\n]+)\``, 'gi');
/** "of type `string`", "returns type `number`": the type of a value, not a definition. */
const TYPE_OF_VALUE = /^(of|returns?|takes|accepts|is)\s+$/i;

export function tallyKeywordStatements(ctx: RunContext): CountTally {
  const tally = emptyCount();
  for (const s of ctx.steps) {
    if (s.kind !== 'think') continue;
    const language = ctx.languageOf(s.path);
    if (language === null) continue;
    const stated = new Set<string>();
    for (const m of s.text.matchAll(IS_A)) stated.add(m[1]!.trim());
    for (const m of s.text.matchAll(KIND_OF)) {
      if (m[2]!.toLowerCase() === 'type' && m[1] !== undefined && TYPE_OF_VALUE.test(m[1])) continue;
      stated.add(m[3]!.trim());
    }
    for (const name of stated) {
      // A contextual keyword the file really defines (`function set` in JS) is no misreading.
      if (!isKeyword(language, name) || ctx.declarableNames(s.path!).has(name)) continue;
      tally.count++;
      pushExample(tally.examples, { step: s.index, path: s.path ?? null, detail: `\`${name}\` stated as a definition` });
    }
  }
  return tally;
}
