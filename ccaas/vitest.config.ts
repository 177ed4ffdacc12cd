import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'ccaas',
    include: ['src/**/*.test.ts'],
  },
});
