import { describe, expect, it } from 'vitest';
import { decodeBody, encodeBody } from '../../src/bus/envelope.ts';
import { ScorerBadResponseError, ScorerRateLimitedError, ScorerError } from '../../src/search/score/errors.ts';
import { decodeResults, encodeResults, errorFromFailure, failureMessage, ScoreResultBody, scoreSubject } from '../../src/search/score/protocol.ts';

const items = [
  { context: 'let a = ', target: '1;\n' },
  { context: 'x', target: 'ü' },
];

/** Through msgpack as the bus sends it, then through the reply schema as the client accepts it. */
function overTheWire(body: unknown): ScoreResultBody {
  return ScoreResultBody.parse(decodeBody(encodeBody(body)));
}

describe('scoring protocol', () => {
  it('sends tokens that end the prompt as lengths, and gets them back exactly', () => {
    const results = [
      { logprob: -3.5, tokenLogprobs: [-1, -2, -0.5], tokens: ['1', ';', '\n'] },
      { logprob: -0.25, tokenLogprobs: [-0.25], tokens: ['ü'] },
    ];
    const body = encodeResults(items, results);
    expect(body.results[0]!.tokens).toBeUndefined();
    expect(decodeResults(items, overTheWire(body))).toEqual(results);
  });

  it("sends a server's decoded tokens that do not spell the prompt as strings", () => {
    const results = [
      { logprob: -2, tokenLogprobs: [-1, -1], tokens: ['Ġ1', ';\\n'] },
      { logprob: -1, tokenLogprobs: [-1], tokens: ['�'] },
    ];
    const body = encodeResults(items, results);
    expect(body.results[0]!.tokens).toEqual(['Ġ1', ';\\n']);
    expect(decodeResults(items, overTheWire(body))).toEqual(results);
  });

  it('rejects a reply with the wrong number of results or broken bytes', () => {
    const one = encodeResults(items.slice(0, 1), [{ logprob: -1, tokenLogprobs: [-1], tokens: ['1;\n'] }]);
    expect(() => decodeResults(items, overTheWire(one))).toThrow(ScorerBadResponseError);
    const broken = { results: [{ logprob: -1, logprobs: new Uint8Array(7), lengths: new Uint8Array(4) }] };
    expect(() => decodeResults(items.slice(0, 1), overTheWire(broken))).toThrow(ScorerBadResponseError);
  });

  it('turns a failure message back into its scorer error class', () => {
    const err = errorFromFailure(failureMessage(new ScorerRateLimitedError('gpu1: rate limited (429)')), undefined);
    expect(err).toBeInstanceOf(ScorerRateLimitedError);
    expect(errorFromFailure('TypeError: boom', undefined).constructor).toBe(ScorerError);
  });

  it('makes a subject token of any model name', () => {
    expect(scoreSubject('Qwen/Qwen2.5-Coder-7B')).toBe('retrace.score.Qwen_Qwen2_5-Coder-7B');
  });
});
