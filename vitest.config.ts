import { defineConfig } from 'vitest/config';

// One project per workspace with code plus the integration suites in tests/ (api/ joins when it
// has code).
export default defineConfig({
  test: {
    projects: ['ccaas', 'operator', 'tests'],
  },
});
