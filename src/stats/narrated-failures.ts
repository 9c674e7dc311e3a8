/**
 * Checks narrated as failures on real, unmodified code. A finding the real file has too is the
 * checker's limit, not a fault; a tester who reads it as a failure ("fails", "must be fixed")
 * teaches the model to call working code broken. Counted: the tester's first think after a check
 * of a file whose last write was not a faulty draft, when the check found nothing the real file
 * does not have (`check.findings - check.baseline` is 0), and the think reads as a failure.
 * Datasets from before check baselines: a check with findings on a file no faulty draft precedes
 * (its next change is not the debugger's edit).
 */
import { isWrite, type RunContext } from './run-context.ts';
import { pushExample } from './tally.ts';
import type { CountTally } from './names.ts';
import type { StatStep } from './types.ts';

/** Read on the prose, code spans left out: `test/fixtures/a.js` says nothing about fixing. */
const FAILURE = /\b(fail(s|ed|ing|ure|ures)?|fix(es|ed|ing)?|broken|wrong|does not stand|must be corrected)\b/i;
const reads = (text: string) => FAILURE.test(text.replace(/`[^`]*`/g, 'X'));

/** Findings a check's output reports: "N problems" at its end, none for "...: ok". */
function findingsInText(text: string): number {
  const m = /(\d+) problems?\s*$/.exec(text);
  return m ? Number(m[1]) : 0;
}

const isCheckStep = (s: StatStep) => s.tool === 'check';

export function tallyNarratedFailures(ctx: RunContext): CountTally {
  const tally: CountTally = { count: 0, examples: [] };
  const steps = ctx.steps;
  // For datasets without `untrained`: whether a path's next change (from a position on) is the debugger's edit.
  const debuggerNext = new Array<boolean>(steps.length).fill(false);
  const nextChange = new Map<string, boolean>();
  for (let pos = steps.length - 1; pos >= 0; pos--) {
    const s = steps[pos]!;
    if (s.kind === 'observation' && isCheckStep(s) && s.path) debuggerNext[pos] = nextChange.get(s.path) ?? false;
    if (isWrite(s)) nextChange.set(s.path!, s.role === 'debugger' && s.tool === 'edit');
  }
  const lastWriteFaulty = new Map<string, boolean>();
  steps.forEach((s, pos) => {
    if (isWrite(s)) {
      lastWriteFaulty.set(s.path!, s.untrained === 'faulty-draft');
      return;
    }
    if (s.kind !== 'observation' || !isCheckStep(s) || !s.path) return;
    const onRealCode = s.check
      ? s.check.findings - s.check.baseline === 0 && lastWriteFaulty.get(s.path) !== true
      : findingsInText(s.text) > 0 && !debuggerNext[pos];
    if (!onRealCode) return;
    for (let p = pos + 1; p < steps.length; p++) {
      const t = steps[p]!;
      if (isWrite(t) || isCheckStep(t)) break;
      if (t.role !== 'tester' || t.kind !== 'think') continue;
      if (t.train && reads(t.text)) {
        tally.count++;
        pushExample(tally.examples, { step: t.index, path: s.path, detail: t.text.length > 200 ? `${t.text.slice(0, 199)}…` : t.text });
      }
      break;
    }
  });
  return tally;
}
