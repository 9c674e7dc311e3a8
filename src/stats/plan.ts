/**
 * The plan against every file: the planner's trained steps may not copy any file's text nor quote
 * its literals (the brief is known). Done per file, the guard would read the whole plan once per
 * file; instead the plan's n-grams, quoted words and tokens are gathered once, each file is
 * scanned for them, and only the files that share one are checked by the guard.
 */
import { COPY_NGRAM, copyTokens, literalsOf, type AnswerSpec } from '../boundary/mod.ts';
import { SharedKnowledge } from './knowledge.ts';
import type { RunContext } from './run-context.ts';
import type { StatStep } from './types.ts';
import { emptyLeaks, tallyViolations, type LeakTally } from './violations.ts';

const SEP = '\u0000';

interface PlanProbe {
  grams: Set<string>;
  tokens: Set<string>;
  /** One-word strings the plan quotes (`x`, 'x' or "x"): the only way it can quote such a literal. */
  quotedWords: Set<string>;
  text: string;
}

function probeOf(steps: readonly StatStep[]): PlanProbe {
  const text = steps.map((s) => s.text).join('\n');
  const tokens = steps.flatMap((s) => copyTokens(s.text));
  const grams = new Set<string>();
  for (let i = 0; i + COPY_NGRAM <= tokens.length; i++) grams.add(tokens.slice(i, i + COPY_NGRAM).join(SEP));
  const quotedWords = new Set<string>();
  for (const m of text.matchAll(/(?=([`'"])([\w$]+)\1)/g)) quotedWords.add(m[2]!);
  return { grams, tokens: new Set(tokens), quotedWords, text };
}

/** Whether the plan may copy from or quote `code` at all: a superset of what the guard finds. */
function mayLeak(probe: PlanProbe, code: string, language: AnswerSpec['language']): boolean {
  const tokens = copyTokens(code);
  for (let i = 0; i + COPY_NGRAM <= tokens.length; i++) if (probe.grams.has(tokens.slice(i, i + COPY_NGRAM).join(SEP))) return true;
  const lits = literalsOf(code, language);
  for (const n of lits.numbers) if (probe.tokens.has(n)) return true;
  for (const s of lits.strings) {
    if (/^[\w$]+$/.test(s)) {
      if (probe.quotedWords.has(s)) return true;
    } else if (probe.text.includes(s)) return true;
  }
  return false;
}

export function checkPlan(ctx: RunContext): LeakTally {
  const tally = emptyLeaks();
  const plan = ctx.steps.filter((s) => s.role === 'planner' && s.train);
  if (plan.length === 0) return tally;
  const brief = new SharedKnowledge();
  for (const s of ctx.steps) if (s.tool === 'brief') brief.add(s.text);
  const probe = probeOf(plan);
  for (const [path, code] of ctx.finals) {
    const language = ctx.languageOf(path);
    if (!mayLeak(probe, code, language)) {
      tally.checked++;
      continue;
    }
    // Names are the designs' and the segments' business: the plan is held to copies and literals.
    const spec = { ...brief.for(language).answer(code), names: [] };
    tallyViolations(tally, spec, plan, path, plan[plan.length - 1]!, { names: false });
  }
  return tally;
}
