import { defineConfig } from 'vitest/config';

// One project per workspace plus the integration suites in tests/.
export default defineConfig({
  test: {
    projects: ['fabric-client', 'ccaas', 'operator', 'api', 'cluster', 'tests'],
  },
});
