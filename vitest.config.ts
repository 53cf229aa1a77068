import { defineConfig } from 'vitest/config';

// Three suites: `unit` needs nothing outside the repo; `corpus` reads ../shared/corpus
// (absent in a user's clone: it skips, saying so); `lab` needs root and strongSwan.
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/**/*.test.{ts,tsx}'], exclude: ['test/corpus/**', 'test/lab/**'], testTimeout: 20000 } },
      { test: { name: 'corpus', include: ['test/corpus/**/*.test.ts'], testTimeout: 60000 } },
      { test: { name: 'lab', include: ['test/lab/**/*.test.ts'], testTimeout: 600000, hookTimeout: 600000, fileParallelism: false } },
    ],
  },
});
