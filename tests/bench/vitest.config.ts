import { defineConfig } from 'vitest/config';

// Benchmarks: run with `npm run bench`; they write their figures to bench-results/ and assert
// only correctness, never speed.
export default defineConfig({
  resolve: { conditions: ['@fabric-wallet/source'] },
  test: {
    include: ['tests/bench/**/*.bench-run.ts'],
    fileParallelism: false,
    testTimeout: 1_200_000,
    hookTimeout: 600_000,
  },
});
