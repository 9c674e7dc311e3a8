/**
 * What a grounded text says: candidate sentences, each said only when the whole sequence said so
 * far (and what must follow it) stays inside the knowledge boundary. The guard judges sequences,
 * never a sentence alone, so two halves of a copied line cannot slip through one at a time.
 */
import type { GrowingSequence, SequenceGuard } from '../../boundary/mod.ts';

export class Speech {
  private readonly kept: string[] = [];
  /** The sequence said so far, judged a step at a time (a design lists hundreds of entries). */
  private readonly sequence: GrowingSequence;

  /** `after`: texts that will follow what this speech says in the same sequence. */
  constructor(guard: SequenceGuard, after: readonly string[] = []) {
    this.sequence = guard.growing(after);
  }

  /** What was said, in order. */
  get said(): readonly string[] {
    return this.kept;
  }

  /** Whether `sentence` could be said next: whether the guard admits what was said, it, and what follows. */
  admits(sentence: string): boolean {
    return this.sequence.admits(sentence);
  }

  /** Says the first alternative that keeps the sequence clean; undefined when none does. */
  first(...alternatives: ReadonlyArray<string | undefined>): string | undefined {
    for (const a of alternatives) {
      if (a === undefined || a.trim().length === 0) continue;
      if (this.admits(a)) {
        this.kept.push(a);
        this.sequence.push(a);
        return a;
      }
    }
    return undefined;
  }

  /** Says each sentence that keeps the sequence clean, in order; returns those said. */
  each(sentences: ReadonlyArray<string | undefined>): string[] {
    const out: string[] = [];
    for (const s of sentences) {
      const said = this.first(s);
      if (said !== undefined) out.push(said);
    }
    return out;
  }

  /** The items whose own text could be said (each judged alone after what was said): for lists. */
  sayable<T>(items: readonly T[], text: (item: T) => string): T[] {
    return items.filter((i) => this.admits(text(i)));
  }
}
