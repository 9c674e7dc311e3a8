/**
 * The plan and the designs, checked on their own. A design (the architect's design action and the
 * architect's thinks on the same path just before it) against its file's whole final text, with
 * the brief, the plan and earlier designs known and the names the design may declare allowed: the
 * file's definitions and the names it imports. The planner's trained steps against every file's
 * final text, for copies and literals, with the brief known.
 */
import { jointAnswer, knowledgeOf, SharedKnowledge } from './knowledge.ts';
import type { RunContext } from './run-context.ts';
import type { StatStep } from './types.ts';
import { emptyLeaks, tallyViolations, type LeakTally } from './violations.ts';

export function checkDesigns(ctx: RunContext): LeakTally {
  const tally = emptyLeaks();
  const briefAndPlan = new SharedKnowledge();
  const earlierDesigns: string[] = [];
  ctx.steps.forEach((s, pos) => {
    if (s.tool === 'brief' || s.role === 'planner') briefAndPlan.add(s.text);
    if (s.role !== 'architect' || s.tool !== 'design' || s.kind !== 'action' || s.path === undefined) return;
    const thinks: StatStep[] = [];
    for (let p = pos - 1; p >= 0; p--) {
      const t = ctx.steps[p]!;
      if (t.role !== 'architect' || t.kind !== 'think' || t.path !== s.path) break;
      thinks.unshift(t);
    }
    const sequence = [...thinks, s];
    const final = ctx.finals.get(s.path);
    if (final !== undefined) {
      const language = ctx.languageOf(s.path);
      const declarable = ctx.declarableNames(s.path);
      const firstPos = pos - thinks.length;
      const allowed = (n: string) => declarable.has(n) || ctx.seenBefore(n, firstPos);
      // Less knowledge is stricter: a design clean against the brief and plan alone is clean;
      // only one that is not is checked again with the earlier designs known too.
      const base = jointAnswer(final, [briefAndPlan.for(language)], allowed);
      const trial = emptyLeaks();
      tallyViolations(trial, base, sequence, s.path, s);
      if (trial.ngramCopies + trial.literalLeaks + trial.nameViolations === 0) tally.checked++;
      else {
        const designs = knowledgeOf(language, earlierDesigns);
        tallyViolations(tally, jointAnswer(final, [briefAndPlan.for(language), designs], allowed), sequence, s.path, s);
      }
    }
    for (const t of sequence) earlierDesigns.push(t.text);
  });
  return tally;
}
