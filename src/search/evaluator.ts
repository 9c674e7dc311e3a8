/**
 * The evaluator: the one budget accounting every search shares. It scores sequences of steps
 * (one scoreBatch call per `evaluate`), remembers every sequence it scored (transpositions and
 * repeats cost nothing), refuses work past the budget in calls or wall time, and keeps the
 * anytime record: the best sequence so far and the best reward after each call.
 */
import { joinReasoning, reward, type ObjectiveOptions } from './objective.ts';
import type { Scorer } from './score/mod.ts';
import type { SearchBudget, StopReason } from './types.ts';

export interface Evaluation {
  steps: readonly string[];
  reward: number;
  logprob: number;
}

export class Evaluator {
  calls = 0;
  batches = 0;
  readonly curve: number[] = [];
  best: Evaluation;
  /** The best scored sequence of at least one step, once one was scored. */
  bestWithSteps: Evaluation | undefined;
  private readonly table = new Map<string, Evaluation>();
  private readonly deadline: number;
  private stop: StopReason | undefined;

  private constructor(
    private readonly scorer: Scorer,
    private readonly context: string,
    private readonly target: string,
    private readonly budget: SearchBudget,
    private readonly objective: ObjectiveOptions,
    readonly baselineLogprob: number,
    readonly targetTokens: number,
    readonly startedAt: number,
  ) {
    this.best = { steps: [], reward: 0, logprob: baselineLogprob };
    this.bestWithSteps = undefined;
    this.table.set(sequenceKey([]), this.best);
    this.deadline = budget.wallMs !== undefined ? startedAt + budget.wallMs : Infinity;
  }

  /** Scores the no-reasoning baseline (one batch, not counted in the budget). */
  static async start(
    scorer: Scorer,
    context: string,
    target: string,
    budget: SearchBudget,
    objective: ObjectiveOptions = {},
  ): Promise<Evaluator> {
    const startedAt = performance.now();
    const opts = budget.signal ? { signal: budget.signal } : undefined;
    const [base] = await scorer.scoreBatch([{ context: joinReasoning(context, []), target }], opts);
    const ev = new Evaluator(scorer, context, target, budget, objective, base!.logprob, base!.tokens.length, startedAt);
    ev.batches = 1;
    return ev;
  }

  /** Calls left; 0 once the budget, the wall time or the signal says stop. */
  remaining(): number {
    if (this.stopReason() !== undefined) return 0;
    return this.budget.scorerCalls - this.calls;
  }

  /** Why the evaluator refuses work, if it does. */
  stopReason(): StopReason | undefined {
    if (this.stop) return this.stop;
    if (this.budget.signal?.aborted) this.stop = 'aborted';
    else if (performance.now() > this.deadline) this.stop = 'time';
    else if (this.calls >= this.budget.scorerCalls) this.stop = 'budget';
    return this.stop;
  }

  lookup(steps: readonly string[]): Evaluation | undefined {
    return this.table.get(sequenceKey(steps));
  }

  /**
   * Scores the sequences not scored before, in one scoreBatch call, as far as the budget allows
   * (in order). Returns an evaluation per sequence, or undefined for one left unscored.
   */
  async evaluate(seqs: ReadonlyArray<readonly string[]>): Promise<Array<Evaluation | undefined>> {
    const out: Array<Evaluation | undefined> = new Array(seqs.length);
    const fresh: { key: string; steps: readonly string[]; at: number[] }[] = [];
    const byKey = new Map<string, (typeof fresh)[number]>();
    let room = this.remaining();
    seqs.forEach((steps, i) => {
      const key = sequenceKey(steps);
      const known = this.table.get(key);
      if (known) {
        out[i] = known;
        return;
      }
      const pending = byKey.get(key);
      if (pending) {
        pending.at.push(i);
        return;
      }
      if (room <= 0) return;
      room--;
      const item = { key, steps: [...steps], at: [i] };
      byKey.set(key, item);
      fresh.push(item);
    });
    if (fresh.length === 0) return out;
    const opts = this.budget.signal ? { signal: this.budget.signal } : undefined;
    const results = await this.scorer.scoreBatch(
      fresh.map((f) => ({ context: joinReasoning(this.context, f.steps), target: this.target })),
      opts,
    );
    this.batches++;
    fresh.forEach((f, j) => {
      const logprob = results[j]!.logprob;
      const ev: Evaluation = { steps: f.steps, logprob, reward: reward(logprob, this.baselineLogprob, this.targetTokens, f.steps, this.objective) };
      this.table.set(f.key, ev);
      this.calls++;
      if (ev.reward > this.best.reward) this.best = ev;
      if (ev.steps.length > 0 && (this.bestWithSteps === undefined || ev.reward > this.bestWithSteps.reward)) this.bestWithSteps = ev;
      this.curve.push(this.best.reward);
      for (const i of f.at) out[i] = ev;
    });
    return out;
  }

  /** Every scored sequence, in the order scored (the baseline first). */
  evaluations(): Evaluation[] {
    return [...this.table.values()];
  }

  elapsedMs(): number {
    return performance.now() - this.startedAt;
  }
}

/** The identity of a sequence: steps equal up to spacing make the same sequence. */
export function sequenceKey(steps: readonly string[]): string {
  return steps.map((s) => s.trim().replace(/\s+/g, ' ')).join('\u241e');
}
