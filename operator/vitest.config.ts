import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['@fabric-wallet/source'] },
  test: {
    name: 'operator',
    include: ['src/**/*.test.ts'],
  },
});
