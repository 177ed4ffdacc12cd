import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toolBin, toolVersion } from '@fabric-wallet/operator/tools';
import { startControlPlane, type ControlPlane } from '../support/kube.js';
import { run } from '../support/processes.js';

describe('Kubernetes test control plane (etcd, kube-apiserver, kubectl) and helm', () => {
  let plane: ControlPlane;

  beforeAll(async () => {
    plane = await startControlPlane();
  });

  afterAll(async () => {
    await plane.stop();
  });

  it('serves the pinned Kubernetes version to kubectl over TLS with a bearer token', async () => {
    const { code, output } = await plane.kubectl('version', '-o', 'json');

    expect(code, output).toBe(0);
    const versions = JSON.parse(output) as {
      clientVersion: { gitVersion: string };
      serverVersion: { gitVersion: string };
    };
    expect(versions.serverVersion.gitVersion).toBe(toolVersion('KUBERNETES_VERSION'));
    expect(versions.clientVersion.gitVersion).toBe(toolVersion('KUBERNETES_VERSION'));
  });

  it('stores and returns an object through etcd', async () => {
    const create = await plane.kubectl('create', 'configmap', 'smoke', '--from-literal=answer=42');

    const read = await plane.kubectl('get', 'configmap', 'smoke', '-o', 'jsonpath={.data.answer}');

    expect(create.code, create.output).toBe(0);
    expect(read.output).toBe('42');
  });

  it('refuses a request with a wrong bearer token', async () => {
    const { code, output } = await run(toolBin('kubernetes', 'kubectl'), [
      '--kubeconfig=/dev/null',
      `--server=${plane.server}`,
      '--insecure-skip-tls-verify',
      '--token=not-the-token',
      'get',
      'namespaces',
    ]);

    expect(code).not.toBe(0);
    expect(output).toMatch(/Unauthorized/);
  });

  it('runs the pinned etcd and helm', async () => {
    const etcd = await run(toolBin('etcd', 'etcd'), ['--version']);
    const helm = await run(toolBin('helm', 'helm'), ['version', '--short']);

    expect(etcd.output).toContain(`etcd Version: ${toolVersion('ETCD_VERSION').replace(/^v/, '')}`);
    expect(helm.output).toContain(toolVersion('HELM_VERSION'));
  });
});
