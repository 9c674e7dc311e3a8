import { describe, expect, it } from 'vitest';
import { joinReasoning, reasoningTokens, reward } from '../../src/search/mod.ts';

describe('the objective', () => {
  it('joins context and steps in one documented shape, the empty reasoning to the baseline string', () => {
    expect(joinReasoning('const a = 1;', [])).toBe('const a = 1;\n\n');
    expect(joinReasoning('const a = 1;\n', [])).toBe('const a = 1;\n\n');
    const joined = joinReasoning('ctx', ['Parse `x`.', 'Return */ it']);
    expect(joined).toBe('ctx\n\n/* Reasoning:\n * - Parse `x`.\n * - Return * / it\n */\n');
    expect(joined.startsWith(joinReasoning('ctx', []))).toBe(true);
  });

  it('is the gain per target token less lambda per reasoning token, and 0 for no reasoning', () => {
    expect(reward(-10, -20, 5, [])).toBe(0);
    expect(reasoningTokens(['Call `f` now.'])).toBe(6);
    expect(reward(-10, -20, 5, ['Call `f` now.'], { lambda: 0.01 })).toBeCloseTo(2 - 0.06, 12);
    expect(reward(-30, -20, 5, ['x'], { lambda: 0 })).toBeCloseTo(-2, 12);
  });
});
