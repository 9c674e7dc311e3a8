/**
 * The knowledge boundary on real code in all seven languages (docs/reasoning.md): each input is
 * rebuilt by the embedded preset with debugging episodes, verified byte for byte, and measured by
 * `retrace stats`. Bounds: no boundary violation, copy leak or literal leak (between writes, in the
 * designs, in the plan), no read of a file not written yet, no trained faulty draft, no failure
 * narrated on unmodified real code. Also: the median search spends its whole budget, and test files
 * get at least 0.05 reasoning characters per code character.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runJob } from '../../src/run/run-job.ts';
import { computeStats } from '../../src/stats/mod.ts';
import { testRealInputs } from '../support/real-inputs.ts';
import { tempDir } from '../support/tmp.ts';

describe('the knowledge boundary on real code', () => {
  for (const input of testRealInputs(tempDir())) {
    it.skipIf(input.dir === undefined)(`${input.language}: ${input.name} (needs ${input.from})`, async () => {
      const out = join(tempDir(), 'data.jsonl');
      // Budget 4: the boundary does not depend on it, and searches are most of a run's time.
      const run = await runJob({ repoPath: input.dir!, out, seed: 1, budget: 4, faultRate: 0.3, contextTokens: 16384, resume: false });
      expect(run.failures).toEqual([]);
      expect(run.verify![0]).toMatchObject({ ok: true });
      const t = (await computeStats([out])).total;
      for (const part of ['segments', 'designs', 'plan'] as const) {
        const b = t.boundary[part];
        expect({ part, copy: b.copyLeaks, ngram: b.ngramCopies, literal: b.literalLeaks, name: b.nameViolations, examples: b.examples }).toEqual({
          part,
          copy: 0,
          ngram: 0,
          literal: 0,
          name: 0,
          examples: { copy: [], literal: [], name: [] },
        });
        expect(b.checked).toBeGreaterThan(0);
      }
      expect(t.unwrittenReads.count).toBe(0);
      expect(t.falseAlreadyWritten.count).toBe(0);
      expect(t.faultyDrafts).toMatchObject({ trained: 0, inconsistent: 0 });
      expect(t.narratedFailures.count).toBe(0);
      expect(t.keywordStatements.count).toBe(0);
      expect(t.files).toBe(run.files);
      // Issue 13: the search spends its budget, and test files get reasoning of their own.
      expect(t.search.medianScorerCalls).toBe(4);
      if (t.testFiles.writes > 0) expect(t.testFiles.reasoningPerCode).toBeGreaterThanOrEqual(0.05);
    }, 420_000);
  }
});
