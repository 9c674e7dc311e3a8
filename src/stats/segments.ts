/**
 * Segments: the trained text between two writes, each checked against the answer of the write
 * that ends it. A segment is the trained steps that are not writes or edits (and not the plan's or
 * the designs': those are known to every segment and checked on their own, in designs.ts) from
 * the previous write up to the write W on path P.
 *
 * Known for it: the brief, the plan and the designs before W; every step (any role, any kind)
 * since the last write to a path other than P that is not one of the segment's own steps (P so
 * far, the reads, the checks' outputs); and as names only, the identifiers of every step before
 * the segment (all files written, as the team saw them).
 */
import { jointAnswer, knowledgeOf, SharedKnowledge } from './knowledge.ts';
import { isDesignPhase, isWrite, type RunContext } from './run-context.ts';
import type { StatStep } from './types.ts';
import { emptyLeaks, tallyViolations, type LeakTally } from './violations.ts';

export interface Segment {
  /** Position of the write that ends it. */
  writePos: number;
  /** Position of its first step: just after the previous write. */
  windowStart: number;
  /** Position where the episode of P starts: just after the last write to another path. */
  episodeStart: number;
  /** Its trained steps, in order. */
  steps: StatStep[];
}

export function segmentsOf(ctx: RunContext): Segment[] {
  const out: Segment[] = [];
  let pending: StatStep[] = [];
  let windowStart = 0;
  let episodeStart = 0;
  let lastPath: string | undefined;
  ctx.steps.forEach((s, pos) => {
    if (isWrite(s)) {
      if (lastPath !== undefined && s.path !== lastPath) episodeStart = windowStart;
      out.push({ writePos: pos, windowStart, episodeStart, steps: pending });
      pending = [];
      windowStart = pos + 1;
      lastPath = s.path;
    } else if (s.train && !isDesignPhase(s)) pending.push(s);
  });
  return out;
}

/** The boundary figure of the segments: each non-empty segment checked against its write's answer. */
export function checkSegments(ctx: RunContext, segments: readonly Segment[]): LeakTally {
  const tally = emptyLeaks();
  const shared = new SharedKnowledge();
  let sharedUpTo = 0;
  for (const seg of segments) {
    for (; sharedUpTo < seg.writePos; sharedUpTo++) {
      const s = ctx.steps[sharedUpTo]!;
      if (isDesignPhase(s)) shared.add(s.text);
    }
    if (seg.steps.length === 0) continue;
    const write = ctx.steps[seg.writePos]!;
    const language = ctx.languageOf(write.path);
    const code = ctx.answerOf(seg.writePos);
    const knownElsewhere = (n: string) => ctx.seenBefore(n, seg.windowStart);
    // Less knowledge is stricter: a segment clean with the episode left out is clean, so the
    // episode (the file so far, the reads: the bulk of the text) is read only for the others.
    const trial = emptyLeaks();
    tallyViolations(trial, jointAnswer(code, [shared.for(language)], knownElsewhere), seg.steps, null, write);
    if (trial.ngramCopies + trial.literalLeaks + trial.nameViolations === 0) {
      tally.checked++;
      continue;
    }
    const own = new Set(seg.steps);
    const episode: string[] = [];
    for (let pos = seg.episodeStart; pos < seg.writePos; pos++) {
      const s = ctx.steps[pos]!;
      if (!own.has(s) && !isDesignPhase(s)) episode.push(s.text);
    }
    const parts = episode.length > 0 ? [shared.for(language), knowledgeOf(language, episode)] : [shared.for(language)];
    tallyViolations(tally, jointAnswer(code, parts, knownElsewhere), seg.steps, write.path ?? null, write);
  }
  return tally;
}
