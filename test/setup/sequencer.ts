/**
 * Test files in the order CI should start them: the slowest first, so that with two workers the
 * run does not end on one long file started last. Vitest orders by the durations it cached on an
 * earlier run; a fresh clone (CI) has none, and falls back to file size, which says little here.
 * The list is the slowest files of a CI run (test seconds on the 2-core box, 2026-12-03); files
 * not named keep Vitest's order after them. A stale list costs only time, never a result.
 */
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const SLOWEST_FIRST = [
  // Suites that start many processes at once alternate with suites that work in process, so two of
  // the first kind do not boot their processes on the two cores together.
  'test/cluster/distributed.test.ts',
  'test/run/fidelity.test.ts',
  'test/cluster/chaos.test.ts',
  'test/run/real-packages.test.ts',
  'test/corpus/cluster.test.ts',
  'test/agents/grounded-policy.test.ts',
  'test/cluster/faults.test.ts',
  'test/run/run-cli.test.ts',
  'test/cluster/launch-secure.test.ts',
  'test/corpus/corpus.test.ts',
  'test/cluster/launch.test.ts',
  'test/run/run-progress.test.ts',
  'test/models/run-calls.test.ts',
  'test/cli/exit-codes.test.ts',
];

export class SlowestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const cached = await super.sort(files);
    const rank = (f: TestSpecification) => {
      const i = SLOWEST_FIRST.indexOf(relative(f.project.config.root, f.moduleId));
      return i === -1 ? SLOWEST_FIRST.length : i;
    };
    // Array.prototype.sort is stable: unnamed files keep the order Vitest chose.
    return cached.sort((a, b) => rank(a) - rank(b));
  }
}
