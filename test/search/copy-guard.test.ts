import { describe, expect, it } from 'vitest';
import { CopyGuard, GuardedProposer, type Proposer } from '../../src/search/mod.ts';

const target = 'function add(a, b) {\n  return a + b + offset * scale;\n}\n';

describe('the copy guard', () => {
  const guard = new CopyGuard(target);
  it('rejects a step that copies 9 consecutive target tokens, even re-spaced', () => {
    // `return a + b + offset * scale ;` is 10 non-space tokens of the target.
    expect(guard.copies('It does return a + b + offset * scale; nothing else')).toBe(true);
    expect(guard.copies('It does return  a+b+offset*scale;')).toBe(true);
  });
  it('accepts runs of 8 tokens or fewer', () => {
    expect(guard.copies('return a + b + offset * then')).toBe(false); // 7 tokens copied
    expect(guard.copies('function add(a, b) {')).toBe(false); // 8 tokens
    expect(guard.copies('function add(a, b) { return')).toBe(true); // 9
  });

  it('is applied to every proposer, with rejections and duplicates counted and priors normalised', async () => {
    const leaky: Proposer = {
      name: 'leaky',
      propose: async () => [
        { text: 'Just write: return a + b + offset * scale;' },
        { text: 'Add `a` and `b`.' },
        { text: 'Add  `a` and `b`. ' },
        { text: 'Scale by `scale`.' },
      ],
    };
    const g = new GuardedProposer(leaky, '', target);
    const out = await g.propose([], 8, 1);
    expect(out.map((p) => p.text)).toEqual(['Add `a` and `b`.', 'Scale by `scale`.']);
    expect(out.map((p) => p.prior)).toEqual([0.5, 0.5]);
    expect(g.stats).toMatchObject({ copyRejections: 1, duplicates: 1, proposed: 4 });
    // A step already taken is not proposed again.
    expect((await g.propose(['Add `a` and `b`.'], 8, 1)).map((p) => p.text)).toEqual(['Scale by `scale`.']);
  });
});
