/**
 * The copy guard: reasoning explains the target, it does not leak it. A step that contains a run
 * of more than `maxRun` (8) consecutive tokens of the target is rejected, whatever proposed it.
 * Tokens are the code tokenizer's with whitespace left out, so re-spacing a copied line does not
 * slip past the guard.
 */
import { tokenize } from './score/mod.ts';

export const DEFAULT_MAX_COPY_RUN = 8;

function codeTokens(text: string): string[] {
  return tokenize(text).filter((t) => t.trim().length > 0);
}

export class CopyGuard {
  private readonly runs = new Set<string>();
  readonly maxRun: number;

  constructor(target: string, maxRun = DEFAULT_MAX_COPY_RUN) {
    this.maxRun = maxRun;
    const tokens = codeTokens(target);
    const n = maxRun + 1;
    for (let i = 0; i + n <= tokens.length; i++) this.runs.add(tokens.slice(i, i + n).join('\u0000'));
  }

  /** Whether `step` copies more than `maxRun` consecutive target tokens. */
  copies(step: string): boolean {
    if (this.runs.size === 0) return false;
    const tokens = codeTokens(step);
    const n = this.maxRun + 1;
    for (let i = 0; i + n <= tokens.length; i++) if (this.runs.has(tokens.slice(i, i + n).join('\u0000'))) return true;
    return false;
  }
}
