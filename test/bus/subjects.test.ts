import { describe, expect, it } from 'vitest';
import { InvalidSubjectError } from '../../src/bus/mod.ts';
import { assertPattern, assertSubject, patternsOverlap, subjectMatches, subjects, token } from '../../src/bus/subjects.ts';

describe('subject matching', () => {
  it.each([
    ['a.b.c', 'a.b.c', true],
    ['a.*.c', 'a.b.c', true],
    ['a.*.c', 'a.b.b.c', false],
    ['a.*', 'a', false],
    ['a.>', 'a', false],
    ['a.>', 'a.b', true],
    ['a.>', 'a.b.c.d', true],
    ['*.>', 'a.b', true],
    ['*', 'a', true],
    ['*', 'a.b', false],
    ['>', 'a.b.c', true],
    ['a.b', 'a.b.c', false],
    ['a.b.c', 'a.b', false],
    ['a.*.*', 'a.b.c', true],
  ])('%s matches %s: %s', (pattern, subject, expected) => {
    expect(subjectMatches(pattern, subject)).toBe(expected);
  });

  it('rejects empty tokens, whitespace and misplaced wildcards', () => {
    for (const bad of ['', 'a..b', 'a. b', '.a', 'a.', 'a.*b']) expect(() => assertPattern(bad)).toThrow(InvalidSubjectError);
    expect(() => assertPattern('a.>.b')).toThrow(InvalidSubjectError);
    expect(() => assertSubject('a.*')).toThrow(InvalidSubjectError);
    expect(() => assertSubject('a.>')).toThrow(InvalidSubjectError);
    expect(() => assertPattern('a.*.>')).not.toThrow();
  });

  it('knows which patterns can overlap', () => {
    expect(patternsOverlap('work.a.>', 'work.b.>')).toBe(false);
    expect(patternsOverlap('work.*.x', 'work.a.>')).toBe(true);
    expect(patternsOverlap('work.a', 'work.a.>')).toBe(false);
    expect(patternsOverlap('>', 'a')).toBe(true);
  });

  it('builds subjects from unsafe names as single tokens', () => {
    expect(token('src/graph/walk.ts')).toBe('src_graph_walk_ts');
    expect(subjects.graph('my.repo', 'deps')).toBe('retrace.graph.my_repo.deps');
    expect(subjects.work('run 1', 'coder')).toBe('retrace.run_1.work.coder');
    expect(() => token('')).toThrow(InvalidSubjectError);
  });
});
