/** Which scorer a search service gives searches that name a corpus, by model and --corpus-scoring. */
import { describe, expect, it } from 'vitest';
import { MemoryBus } from '../../src/bus/mod.ts';
import { corporaFor, searchConcurrency } from '../../src/cli/search.ts';
import { CorpusScorers, ScoringClient } from '../../src/search/score/mod.ts';

describe('corporaFor', () => {
  const client = new ScoringClient({ bus: new MemoryBus(), model: 'x' });
  it('trains embedded scorers here or on the nodes for an embedded model, and leaves a served model alone', () => {
    expect(corporaFor('embedded-kn4', 'local', client, false).corpora).toBeInstanceOf(CorpusScorers);
    expect(corporaFor('embedded-kn4', 'nodes', client, false).corpora).toBe(client);
    // A served model: the agents' searches go to it, corpus or not.
    expect(corporaFor('Qwen/Qwen2.5-Coder-7B', 'local', client, false)).toEqual({});
    expect(corporaFor('Qwen/Qwen2.5-Coder-7B', 'nodes', client, false)).toEqual({});
    // An in-process embedded scorer (--train) still learns each run's corpus.
    expect(corporaFor('Qwen/Qwen2.5-Coder-7B', 'local', client, true).corpora).toBeInstanceOf(CorpusScorers);
  });
});

describe('searchConcurrency', () => {
  it('runs one search at a time when scoring here, four when scoring on nodes, or what it is told', () => {
    expect(searchConcurrency(undefined, true)).toBe(1);
    expect(searchConcurrency(undefined, false)).toBe(4);
    expect(searchConcurrency('7', true)).toBe(7);
    expect(() => searchConcurrency('0', false)).toThrow(/positive integer/);
    expect(() => searchConcurrency('two', false)).toThrow(/positive integer/);
  });
});
