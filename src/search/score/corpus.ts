/**
 * Embedded scorers per corpus: one per (run, repository), trained on exactly the files written
 * before the current target, in writing order — extended when the next request continues the
 * same corpus, rebuilt when it goes back. Any process (an agent, a search service) asked about the
 * same target with the same corpus computes the same scores.
 */
import { EmbeddedScorer } from './embedded.ts';

export class CorpusScorers {
  private readonly corpora = new Map<string, { scorer: EmbeddedScorer; trained: number }>();

  /** At most this many corpora are kept (a long-lived process serves many runs). */
  constructor(private readonly keep = 4) {}

  /** The scorer of `key` trained on `texts(0..count)`; `text(i)` is asked only for untrained files. */
  get(key: string, count: number, text: (i: number) => string): EmbeddedScorer {
    let c = this.corpora.get(key);
    if (!c || c.trained > count) {
      c = { scorer: new EmbeddedScorer(), trained: 0 };
      this.corpora.delete(key);
      this.corpora.set(key, c);
      if (this.corpora.size > this.keep) this.corpora.delete(this.corpora.keys().next().value!);
    }
    for (; c.trained < count; c.trained++) c.scorer.train(text(c.trained));
    return c.scorer;
  }
}
