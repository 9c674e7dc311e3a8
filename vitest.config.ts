import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // The machines have two cores; NATS servers and tree-sitter workers are started per suite.
    maxWorkers: 2,
  },
});
