import { defineConfig } from 'vitest/config';
import { SlowestFirstSequencer } from './test/setup/sequencer.ts';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Fixture repositories hold their own (fake) tests: inputs, not suites.
    exclude: ['**/node_modules/**', 'test/**/fixtures/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // The machines have two cores; NATS servers and tree-sitter workers are started per suite.
    maxWorkers: 2,
    // A fresh clone has no cached durations: start the slowest files first (test/setup/sequencer.ts).
    sequence: { sequencer: SlowestFirstSequencer },
  },
});
