import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { repoRoot } from '@fabric-wallet/operator/tools';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane } from '../support/kube.js';
import { freePort } from '../support/ports.js';
import { startProcess, type Started } from '../support/processes.js';

/**
 * How fast the Kubernetes operator turns a change into objects and status, on a real
 * kube-apiserver and etcd on this machine (no kubelet: objects, not pods): the time from
 * `kubectl scale` to every new peer's Deployment, Service and PVC, and to status.replicas,
 * scaling out and back in. Figures go to bench-results/operator-scale.json.
 */
const NS = 'bench';
const STEPS = [8, 16, 4, 1];

describe('operator: scale to objects and status', () => {
  let plane: ControlPlane;
  let operator: Started;

  const count = async (kind: string) => {
    const result = await plane.kubectl(
      '-n',
      NS,
      'get',
      kind,
      '-l',
      'fabricwallet.io/owner=wallet',
      '-o',
      'name',
    );
    return result.output.split('\n').filter((line) => line.trim() !== '').length;
  };
  const statusReplicas = async () =>
    Number(
      (await plane.kubectl('-n', NS, 'get', 'fabricpeerset', 'wallet', '-o', 'jsonpath={.status.replicas}'))
        .output,
    );
  async function until(check: () => Promise<boolean>): Promise<number> {
    const start = performance.now();
    const deadline = Date.now() + 120_000;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error('timed out');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return performance.now() - start;
  }

  beforeAll(async () => {
    plane = await startControlPlane({ crds: join(repoRoot, 'manifests', 'crds') });
    await plane.kubectl('create', 'namespace', NS);
    const port = await freePort();
    operator = startProcess(
      'operator',
      join(repoRoot, 'node_modules', '.bin', 'node'),
      [join(repoRoot, 'operator', 'dist', 'cli', 'operator.js')],
      {
        cwd: plane.dir.path,
        logDir: join(plane.dir.path, 'logs'),
        env: {
          KUBECONFIG: plane.kubeconfig,
          WATCH_NAMESPACE: NS,
          METRICS_ADDRESS: `127.0.0.1:${String(port)}`,
        },
      },
    );
    await operator.listening(port, 30_000);
    const applied = await plane.kubectl(
      '-n',
      NS,
      'apply',
      '--server-side',
      '-f',
      join(repoRoot, 'manifests', 'samples'),
    );
    expect(applied.code, applied.output).toBe(0);
    await until(async () => (await count('deployments')) === 2);
  });

  afterAll(async () => {
    await operator.stop();
    await plane.stop();
  });

  it('measures kubectl scale -> objects -> status from 2 peers to 8, 16, 4 and 1', async () => {
    const steps: { replicas: number; objectsMs: number; statusMs: number }[] = [];
    for (const replicas of STEPS) {
      const start = performance.now();
      const scaled = await plane.kubectl(
        '-n',
        NS,
        'scale',
        'fabricpeerset/wallet',
        `--replicas=${String(replicas)}`,
      );
      expect(scaled.code, scaled.output).toBe(0);
      await until(
        async () => (await count('deployments')) === replicas && (await count('services')) === replicas,
      );
      const objectsMs = performance.now() - start;
      await until(async () => (await statusReplicas()) === replicas);
      steps.push({
        replicas,
        objectsMs: Math.round(objectsMs),
        statusMs: Math.round(performance.now() - start),
      });
    }
    // Scale-in keeps every PVC (Retain): 16 were made, 16 remain.
    expect(await count('pvc')).toBe(16);

    await mkdir(join(repoRoot, 'bench-results'), { recursive: true });
    await writeFile(
      join(repoRoot, 'bench-results', 'operator-scale.json'),
      `${JSON.stringify(
        {
          measuredAt: new Date().toISOString(),
          what: 'ms from `kubectl scale fabricpeerset/wallet` until every Deployment and Service exists (objectsMs) and until status.replicas says so (statusMs), polling kubectl every 50 ms (a kubectl call costs ~60-100 ms, included)',
          steps,
        },
        null,
        2,
      )}\n`,
    );
  });
});
