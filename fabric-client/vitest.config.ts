import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'fabric-client',
    include: ['src/**/*.test.ts'],
  },
});
