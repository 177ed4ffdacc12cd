import { defineProject } from 'vitest/config';

// These suites start real processes (Fabric, Fabric CA, FerretDB) on two cores: run files one
// at a time and give start-up room. Speed is measured by `npm run bench`, never asserted here.
export default defineProject({
  resolve: { conditions: ['@fabric-wallet/source'] },
  test: {
    name: 'tests',
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**'],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
});
