/**
 * The knowledge boundary, as a careful user of a chat model keeps it (docs/reasoning.md): every
 * answer is checked as one sequence with the input's guard; one that crosses it is repaired (its
 * sentences kept while the sequence stays clean); when the repair leaves too little for the role
 * (an empty thought, a design without a responsibility), the model is told what crossed and asked
 * to rewrite, at most `boundaryRetries` times; after that the repaired answer is used, however
 * little is left. A violating text never leaves this module.
 *
 * The feedback names the offending name, literal or run: it is a prompt, never trained on.
 */
import type { BoundaryViolation, SequenceGuard } from '../../boundary/mod.ts';
import type { Logger } from '../../log/logger.ts';
import type { ChatMessage } from './chat.ts';
import { joinSentences, sentencesOf } from './sentences.ts';

/**
 * The texts of an answer that are trained on, in the order a trajectory shows them, and the way
 * back from repaired texts to an answer.
 */
export interface TrainedTexts<T> {
  texts(value: T): string[];
  /** The answer with its texts replaced, in the order `texts` gave them. */
  withTexts(value: T, texts: readonly string[]): T;
  /** Whether a repaired answer still says what its role must say. */
  usable(value: T): boolean;
}

export interface BoundaryCounts {
  /** Answers that crossed the boundary and were used after repair (fallbacks included). */
  boundaryRepairs: number;
  /** Chat turns spent asking the model to rewrite an answer that crossed it. */
  boundaryRetries: number;
  /** Answers used repaired after every re-ask was spent. */
  boundaryFallbacks: number;
}

function key(v: BoundaryViolation): string {
  return `${v.kind}\u0000${v.detail}`;
}

/**
 * The check a repair holds a text to: the guard, less whatever its prefix already violates (said
 * before this call, by someone else: no answer can undo it, and refusing every answer for it would
 * only silence the role).
 */
export class BoundaryCheck {
  private readonly inherited: ReadonlySet<string>;

  constructor(readonly guard: SequenceGuard) {
    this.inherited = new Set(guard.violations([]).map(key));
  }

  /** Whether the prefix itself already crosses the boundary. */
  get inheritsViolations(): boolean {
    return this.inherited.size > 0;
  }

  violations(steps: readonly string[]): BoundaryViolation[] {
    return this.guard.violations(steps).filter((v) => !this.inherited.has(key(v)));
  }

  admits(steps: readonly string[]): boolean {
    return this.violations(steps).length === 0;
  }

  /**
   * Each text cut to the sentences that keep the whole sequence clean: `guard.keep`'s rule (a
   * sentence is kept when it passes with those kept before it, across every text), with the text
   * each sentence came from remembered so that a structured answer keeps its shape.
   */
  repair(texts: readonly string[]): string[] {
    const kept: string[] = [];
    return texts.map((text) => {
      const mine = sentencesOf(text).filter((s) => {
        if (!this.admits([...kept, s.text])) return false;
        kept.push(s.text);
        return true;
      });
      return joinSentences(mine);
    });
  }
}

const MAX_FEEDBACK_ITEMS = 12;

function describeViolation(v: BoundaryViolation): string {
  switch (v.kind) {
    case 'name':
      return `- the name \`${v.detail}\`: a name of the code to come that nothing the team has seen holds yet`;
    case 'literal':
      return `- the literal ${JSON.stringify(v.detail)}: a string or number of the code to come`;
    case 'copy':
      return `- the run \`${v.detail}\`: more than 8 tokens in a row of the code to come`;
  }
}

/** The user turn that asks for a rewrite: what crossed, and how to say it instead. */
export function boundaryFeedback(violations: readonly BoundaryViolation[]): string {
  const items = violations.slice(0, MAX_FEEDBACK_ITEMS).map(describeViolation);
  if (violations.length > MAX_FEEDBACK_ITEMS) items.push(`- …and ${violations.length - MAX_FEEDBACK_ITEMS} more`);
  return [
    'That answer states what the code to come will contain, which the team cannot know before it is written:',
    ...items,
    'Rewrite it without them: keep what it means, say the approach in your own words, name only the names the facts list under `mayName` (and the paths), and quote no code, literal or comment of the file to come.',
    'Answer with only the JSON object, in the same shape.',
  ].join('\n');
}

export interface BoundaryAsk<T> {
  /** The role's task, for the log. */
  task: string;
  guard: SequenceGuard;
  messages: readonly ChatMessage[];
  /** One exchange with the model: the answer checked for shape, and the conversation it ended in. */
  exchange: (messages: readonly ChatMessage[]) => Promise<{ value: T; conversation: ChatMessage[] }>;
  trained: TrainedTexts<T>;
}

/** Keeps one policy's answers inside the boundary, and counts what that took. */
export class BoundaryKeeper {
  readonly counts: BoundaryCounts = { boundaryRepairs: 0, boundaryRetries: 0, boundaryFallbacks: 0 };

  constructor(
    readonly retries: number,
    private readonly log: Logger,
  ) {}

  async ask<T>(a: BoundaryAsk<T>): Promise<T> {
    const check = new BoundaryCheck(a.guard);
    if (check.inheritsViolations) this.log.warn({ task: a.task }, 'openai policy: the text before this answer already crosses the knowledge boundary');
    let conversation = a.messages;
    for (let attempt = 0; ; attempt++) {
      const { value, conversation: said } = await a.exchange(conversation);
      const texts = a.trained.texts(value);
      const violations = check.violations(texts);
      if (violations.length === 0) return value;
      let repaired = a.trained.withTexts(value, check.repair(texts));
      // Defaults `withTexts` fills in (a milestone's title) are held to the boundary too.
      if (!check.admits(a.trained.texts(repaired))) repaired = a.trained.withTexts(value, texts.map(() => ''));
      const logged = { task: a.task, attempt, violations: violations.slice(0, MAX_FEEDBACK_ITEMS).map((v) => `${v.kind}: ${v.detail}`) };
      if (a.trained.usable(repaired)) {
        this.counts.boundaryRepairs++;
        this.log.info({ ...logged, ...this.counts }, 'openai policy: answer repaired to stay inside the knowledge boundary');
        return repaired;
      }
      if (attempt >= this.retries) {
        this.counts.boundaryRepairs++;
        this.counts.boundaryFallbacks++;
        this.log.warn(
          { ...logged, ...this.counts },
          'openai policy: every re-ask crossed the knowledge boundary; using the repaired answer, which lacks what the role should say (it may be empty)',
        );
        return repaired;
      }
      this.counts.boundaryRetries++;
      this.log.info({ ...logged, ...this.counts }, 'openai policy: answer crosses the knowledge boundary; asking again');
      conversation = [...said, { role: 'user', content: boundaryFeedback(violations) }];
    }
  }
}
