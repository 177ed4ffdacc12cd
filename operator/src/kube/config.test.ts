import { describe, expect, it } from 'vitest';
import { loadOperatorConfig, OperatorConfigError } from './config.js';

function problems(env: NodeJS.ProcessEnv): string[] {
  try {
    loadOperatorConfig(env);
  } catch (error) {
    if (error instanceof OperatorConfigError) return [...error.problems];
    throw error;
  }
  throw new Error('expected an OperatorConfigError');
}

describe('operator configuration', () => {
  it('applies defaults for everything but the namespace', () => {
    const config = loadOperatorConfig({ WATCH_NAMESPACE: 'fabric', PATH: '/usr/bin' });

    expect(config).toMatchObject({
      WATCH_NAMESPACE: 'fabric',
      LEADER_ELECTION: true,
      LEASE_DURATION_SECONDS: 15,
      CONCURRENCY: 4,
      PEER_STORAGE: '10Gi',
    });
  });

  it('lists every bad value at once', () => {
    const found = problems({
      LEADER_ELECTION: 'yes',
      CONCURRENCY: '0',
      PEER_STORAGE: 'lots',
      METRICS_ADDRESS: 'nowhere',
    });

    expect(found).toEqual(
      expect.arrayContaining([
        'WATCH_NAMESPACE is required',
        'LEADER_ELECTION must be true or false',
        'CONCURRENCY must be an integer between 1 and 32',
        'PEER_STORAGE must be a Kubernetes quantity like 10Gi',
        'METRICS_ADDRESS must be host:port, e.g. 127.0.0.1:8081',
      ]),
    );
  });
});
