/**
 * Knowledge for many checks at once. What is known before a write is the brief, the plan and the
 * designs (shared by every segment: built once per language) plus the segment's own episode; the
 * answer to their union is the answers to each put together, since each part of a spec says
 * "not in any known text" or "known to none": names, strings and numbers unknown to every part,
 * n-grams known to any part. So shared texts are tokenised once, not once per segment.
 */
import { Knowledge, type AnswerSpec } from '../boundary/mod.ts';
import type { LanguageId } from '../graph/types.ts';

/**
 * Texts joined into one: Knowledge tests an answer's strings and numbers against each of its
 * texts in turn, so hundreds of designs as one text make each answer hundreds of times cheaper.
 * The separator is a token no code holds, so no run, string or number reads across two texts.
 */
export const TEXT_SEPARATOR = '\n\u0001\n';

export function knowledgeOf(language: LanguageId | null, texts: readonly string[]): Knowledge {
  return new Knowledge(language).addText(texts.join(TEXT_SEPARATOR));
}

/** The same growing set of texts, as one Knowledge per language (keywords and literals are per language). */
export class SharedKnowledge {
  private readonly texts: string[] = [];
  /** Rebuilt when texts were added since: the shared texts (brief, plan, designs) stop growing early. */
  private readonly byLanguage = new Map<LanguageId | null, { knowledge: Knowledge; texts: number }>();

  add(text: string): void {
    if (text.length > 0) this.texts.push(text);
  }

  get size(): number {
    return this.texts.length;
  }

  for(language: LanguageId | null): Knowledge {
    let k = this.byLanguage.get(language);
    if (!k || k.texts !== this.texts.length) {
      k = { knowledge: knowledgeOf(language, this.texts), texts: this.texts.length };
      this.byLanguage.set(language, k);
    }
    return k.knowledge;
  }
}

/** What of `code` is the answer to all of `parts` together, names `knownElsewhere` left out. */
export function jointAnswer(code: string, parts: readonly Knowledge[], knownElsewhere: (name: string) => boolean): AnswerSpec {
  const [first, ...rest] = parts.map((k) => k.answer(code));
  if (!first) throw new Error('jointAnswer needs at least one knowledge');
  const unknownToAll = (pick: (s: AnswerSpec) => string[]) => {
    const others = rest.map((s) => new Set(pick(s)));
    return pick(first).filter((x) => others.every((o) => o.has(x)));
  };
  const knownRuns = new Set(first.knownRuns);
  for (const s of rest) for (const i of s.knownRuns) knownRuns.add(i);
  return {
    language: first.language,
    text: code,
    names: unknownToAll((s) => s.names).filter((n) => !knownElsewhere(n)),
    // As in Knowledge.answer: a one-word literal that is a known name is known.
    strings: unknownToAll((s) => s.strings).filter((x) => !(/^[\w$]+$/.test(x) && knownElsewhere(x))),
    numbers: unknownToAll((s) => s.numbers),
    knownRuns: [...knownRuns].sort((a, b) => a - b),
  };
}
