/**
 * Tallying a guard's verdict on a sequence of steps: the copy measured as the issue bounds it
 * (a run of more than MAX_COPY_RUN answer tokens), literals and names, each example placed at
 * the step that states it.
 */
import { copyTokens, MAX_COPY_RUN, quotesString, SequenceGuard, statedNames, type AnswerSpec } from '../boundary/mod.ts';
import { longestCopiedRun } from './copy-run.ts';
import { pushExample } from './tally.ts';
import type { Example, StatStep } from './types.ts';

export interface LeakTally {
  checked: number;
  /** Sequences with a run of more than MAX_COPY_RUN tokens of the answer. */
  copyLeaks: number;
  /** Sequences the guard's own copy check flags (COPY_NGRAM tokens, stricter). */
  ngramCopies: number;
  literalLeaks: number;
  nameViolations: number;
  examples: { copy: Example[]; literal: Example[]; name: Example[] };
}

export function emptyLeaks(): LeakTally {
  return { checked: 0, copyLeaks: 0, ngramCopies: 0, literalLeaks: 0, nameViolations: 0, examples: { copy: [], literal: [], name: [] } };
}

const clip = (s: string, n = 200) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** The step of `steps` where the token run `run` starts, when the steps are read as one sequence. */
function stepOfRun(steps: readonly StatStep[], run: readonly string[]): StatStep | undefined {
  const owners: StatStep[] = [];
  const tokens: string[] = [];
  for (const s of steps) for (const t of copyTokens(s.text)) {
    tokens.push(t);
    owners.push(s);
  }
  outer: for (let i = 0; i + run.length <= tokens.length; i++) {
    for (let k = 0; k < run.length; k++) if (tokens[i + k] !== run[k]) continue outer;
    return owners[i];
  }
  return undefined;
}

/**
 * Checks `steps` (one sequence) against `spec` and adds what it finds to `tally`; `names: false`
 * for checks on copies and literals only. `fallback` places an example no single step holds.
 */
export function tallyViolations(tally: LeakTally, spec: AnswerSpec, steps: readonly StatStep[], path: string | null, fallback: StatStep, opts: { names?: boolean } = {}): void {
  const texts = steps.map((s) => s.text);
  const found = new SequenceGuard(spec).violations(texts);
  tally.checked++;
  const example = (s: StatStep | undefined, detail: string): Example => ({ step: (s ?? fallback).index, path, detail: clip(detail) });
  for (const v of found) {
    if (v.kind === 'copy') {
      tally.ngramCopies++;
      const run = longestCopiedRun(spec, texts);
      if (run && run.length > MAX_COPY_RUN) {
        tally.copyLeaks++;
        pushExample(tally.examples.copy, example(stepOfRun(steps, run.tokens), `${run.length} tokens: ${run.tokens.join(' ')}`));
      }
    } else if (v.kind === 'literal') {
      tally.literalLeaks++;
      const at = steps.find((s) => quotesString(s.text, v.detail) || copyTokens(s.text).includes(v.detail));
      pushExample(tally.examples.literal, example(at, v.detail));
    } else if (opts.names !== false) {
      tally.nameViolations++;
      const at = steps.find((s) => statedNames(s.text).some((n) => n.name === v.detail));
      pushExample(tally.examples.name, example(at, v.detail));
    }
  }
}
