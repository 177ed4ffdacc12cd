import { X509Certificate } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import { repoRoot } from '@fabric-wallet/operator/tools';
import { freePort } from '../support/ports.js';
import { run, startProcess, type Started } from '../support/processes.js';
import { startControlPlane, type ControlPlane } from '../support/kube.js';
import { until } from '../support/until.js';

const NS = 'fabric';
const node = join(repoRoot, 'node_modules', '.bin', 'node');

interface Operator {
  readonly process: Started;
  readonly port: number;
  readonly get: (path: string) => Promise<{ status: number; text: string }>;
}

describe('operator on a real kube-apiserver (etcd, garbage collector; no kubelet)', () => {
  let plane: ControlPlane;
  const operators: Operator[] = [];

  const kubectl = async (...args: string[]) => {
    const result = await plane.kubectl('-n', NS, ...args);
    return result;
  };
  const json = async <T>(...args: string[]): Promise<T | undefined> => {
    const result = await kubectl('get', ...args, '-o', 'json');
    return result.code === 0 ? (JSON.parse(result.output) as T) : undefined;
  };
  const names = async (kind: string, selector?: string) => {
    const list = await json<{ items: { metadata: { name: string } }[] }>(
      kind,
      ...(selector ? ['-l', selector] : []),
    );
    return (list?.items ?? []).map((item) => item.metadata.name).sort();
  };

  /** The messages of the ScaledIn events the operator recorded. */
  const scaledInMessages = async () =>
    (
      await kubectl(
        'get',
        'events',
        '--field-selector',
        'reason=ScaledIn',
        '-o',
        'jsonpath={.items[*].message}',
      )
    ).output;

  async function startOperator(name: string, env: NodeJS.ProcessEnv = {}): Promise<Operator> {
    const port = await freePort();
    const started = startProcess(name, node, [join(repoRoot, 'operator', 'dist', 'cli', 'operator.js')], {
      cwd: plane.dir.path,
      logDir: join(plane.dir.path, 'logs'),
      env: {
        KUBECONFIG: plane.kubeconfig,
        WATCH_NAMESPACE: NS,
        POD_NAME: name,
        METRICS_ADDRESS: `127.0.0.1:${port}`,
        // Long enough to ride out the API server restart below; handover uses release.
        LEASE_DURATION_SECONDS: '30',
        LEASE_RETRY_MS: '300',
        RESYNC_SECONDS: '30',
        ...env,
      },
    });
    await started.listening(port, 30_000);
    const operator: Operator = {
      process: started,
      port,
      get: async (path) => {
        const response = await fetch(`http://127.0.0.1:${port}${path}`);
        return { status: response.status, text: await response.text() };
      },
    };
    operators.push(operator);
    return operator;
  }

  beforeAll(async () => {
    plane = await startControlPlane({ controllers: true, crds: join(repoRoot, 'manifests', 'crds') });
    await plane.kubectl('create', 'namespace', NS);
    await startOperator('operator-a');
    const samples = await kubectl('apply', '--server-side', '-f', join(repoRoot, 'manifests', 'samples'));
    expect(samples.code, samples.output).toBe(0);
  });

  // A failure shows what the operators logged: the reconcile errors say why.
  beforeEach(() => {
    onTestFailed(async () => {
      for (const operator of operators) {
        const log = await operator.process.log();
        process.stderr.write(
          `--- ${operator.process.logPath} (last 40 lines)\n${log.split('\n').slice(-40).join('\n')}\n`,
        );
      }
    });
  });

  afterAll(async () => {
    for (const operator of operators) await operator.process.stop();
    await plane.stop();
  });

  it('refuses to start with an invalid configuration and says what is wrong', async () => {
    const result = await run(node, [join(repoRoot, 'operator', 'dist', 'cli', 'operator.js')], {
      KUBECONFIG: plane.kubeconfig,
      WATCH_NAMESPACE: 'Not_A_Namespace',
      CONCURRENCY: '0',
    });

    expect(result.code).toBe(2);
    expect(result.output).toContain('WATCH_NAMESPACE must be a namespace name');
    expect(result.output).toContain('CONCURRENCY must be an integer between 1 and 32');
  });

  it('creates a Deployment, Service and PVC for every CA, orderer and peer, and the chaincode server', async () => {
    const expected = [
      'cinema-0',
      'cinema-ca',
      'orderer-0',
      'orderer-ca',
      'token-ccaas',
      'wallet-0',
      'wallet-1',
      'wallet-ca',
    ];
    const deployments = await until('deployments', async () => {
      const found = await names('deployments');
      return found.length === expected.length ? found : undefined;
    });

    expect(deployments).toEqual(expected);
    expect(await names('services')).toEqual(expected);
    expect(await names('pvc')).toEqual(
      ['cinema-0', 'cinema-ca', 'orderer-0', 'orderer-ca', 'wallet-0', 'wallet-1', 'wallet-ca'].map(
        (n) => `${n}-data`,
      ),
    );
  });

  it('writes every child by server-side apply with one field manager and owner references', async () => {
    const deployment = await json<{
      metadata: {
        managedFields: { manager: string; operation: string }[];
        ownerReferences: { kind: string; name: string; uid: string; controller: boolean }[];
      };
      spec: { template: { spec: { containers: { env: { name: string; value?: string }[] }[] } } };
    }>('deployment', 'wallet-1', '--show-managed-fields');
    const peerSet = await json<{ metadata: { uid: string } }>('fabricpeerset', 'wallet');

    expect(
      deployment?.metadata.managedFields.filter((f) => f.operation === 'Apply').map((f) => f.manager),
    ).toEqual(['fabric-wallet-operator']);
    expect(deployment?.metadata.ownerReferences).toEqual([
      expect.objectContaining({
        kind: 'FabricPeerSet',
        name: 'wallet',
        uid: peerSet?.metadata.uid,
        controller: true,
      }),
    ]);
    const env = Object.fromEntries(
      (deployment?.spec.template.spec.containers[0]?.env ?? []).map((e) => [e.name, e.value]),
    );
    expect(env).toMatchObject({
      CORE_PEER_ID: 'wallet-1',
      CORE_PEER_LOCALMSPID: 'WalletOrgMSP',
      CORE_PEER_ADDRESS: `wallet-1.${NS}.svc.cluster.local:7051`,
      CORE_PEER_GOSSIP_BOOTSTRAP: `wallet-0.${NS}.svc.cluster.local:7051`,
    });
  });

  it('makes each CA’s roots and TLS certificate for its Service names, kept in a Secret', async () => {
    const secret = await until('wallet-ca Secret', () =>
      json<{ data: Record<string, string> }>('secret', 'wallet-ca-ca'),
    );
    const pem = (key: string) => Buffer.from(secret.data[key] ?? '', 'base64').toString('utf8');
    const root = new X509Certificate(pem('ca-cert.pem'));
    const tls = new X509Certificate(pem('ca-tls.crt'));

    expect(root.ca).toBe(true);
    expect(root.subject).toContain('O=WalletOrg');
    expect(tls.checkIssued(root) && tls.verify(root.publicKey)).toBe(true);
    expect(tls.checkHost(`wallet-ca.${NS}.svc`)).toBe(`wallet-ca.${NS}.svc`);
    expect(pem('boot')).toMatch(/^admin:.{20,}$/);
    // Clients get the public roots from a ConfigMap, never the Secret with the keys.
    const certs = await json<{ data: Record<string, string> }>('configmap', 'wallet-ca-certs');
    expect(certs?.data).toEqual({ 'ca.pem': pem('ca-cert.pem'), 'tlsca.pem': pem('tlsca-cert.pem') });
  });

  it('reports in status what it waits for, with observedGeneration, and the chaincode package id', async () => {
    interface Status {
      metadata: { generation: number };
      status?: {
        observedGeneration?: number;
        replicas?: number;
        readyReplicas?: number;
        selector?: string;
        packageId?: string;
        address?: string;
        conditions?: {
          type: string;
          status: string;
          reason: string;
          message: string;
          observedGeneration: number;
        }[];
      };
    }
    const peerSet = await until('peer set status', async () => {
      const found = await json<Status>('fabricpeerset', 'wallet');
      return found?.status?.conditions ? found : undefined;
    });
    const chaincode = await until('chaincode status', async () => {
      const found = await json<Status>('fabricchaincode', 'token');
      return found?.status?.packageId ? found : undefined;
    });
    const ca = await json<Status>('fabricca', 'wallet-ca');

    expect(peerSet.status).toMatchObject({
      replicas: 2,
      readyReplicas: 0,
      observedGeneration: peerSet.metadata.generation,
    });
    expect(peerSet.status?.selector).toContain('fabricwallet.io/owner=wallet');
    const ready = peerSet.status?.conditions?.find((c) => c.type === 'Ready');
    expect(ready).toMatchObject({ status: 'False', reason: 'WaitingForPods', observedGeneration: 1 });
    expect(ready?.message).toContain(
      '0/2 available; waiting for wallet-0 (no identity yet: CA wallet-ca not ready)',
    );
    expect(ca?.status?.conditions?.find((c) => c.type === 'Progressing')).toMatchObject({ status: 'True' });
    expect(chaincode.status?.packageId).toMatch(/^token_1\.0:[0-9a-f]{64}$/);
    expect(chaincode.status?.address).toBe(`token-ccaas.${NS}.svc.cluster.local:9999`);
    const server = await json<{
      spec: { template: { spec: { containers: { env: { name: string; value: string }[] }[] } } };
    }>('deployment', 'token-ccaas');
    expect(server?.spec.template.spec.containers[0]?.env).toContainEqual({
      name: 'CHAINCODE_ID',
      value: chaincode.status?.packageId,
    });
    // Peers reach the chaincode server over mutual TLS with material made once into a Secret.
    expect(server?.spec.template.spec.containers[0]?.env).toContainEqual({
      name: 'CHAINCODE_TLS_CLIENT_CA_FILE',
      value: '/etc/chaincode/tls/ca.pem',
    });
    const tls = await json<{ data: Record<string, string> }>('secret', 'token-ccaas-tls');
    const pem = (key: string) => Buffer.from(tls?.data[key] ?? '', 'base64').toString('utf8');
    const root = new X509Certificate(pem('ca.pem'));
    const serverCert = new X509Certificate(pem('server.crt'));
    expect(serverCert.checkHost(`token-ccaas.${NS}.svc.cluster.local`)).toBe(
      `token-ccaas.${NS}.svc.cluster.local`,
    );
    expect(serverCert.checkIssued(root) && new X509Certificate(pem('client.crt')).checkIssued(root)).toBe(
      true,
    );
  });

  it('scales a peer set out with kubectl scale (2 -> 3) and in (3 -> 2) keeping the removed peer’s PVC', async () => {
    const out = await kubectl('scale', 'fabricpeerset/wallet', '--replicas=3');
    expect(out.code, out.output).toBe(0);
    await until('wallet-2 objects', async () =>
      (await names('deployments')).includes('wallet-2') &&
      (await names('services')).includes('wallet-2') &&
      (await names('pvc')).includes('wallet-2-data')
        ? true
        : undefined,
    );
    const scaled = await until('status for generation 2', async () => {
      const set = await json<{
        metadata: { generation: number };
        status?: {
          observedGeneration?: number;
          replicas?: number;
          peers?: { name: string; ordinal: number }[];
        };
      }>('fabricpeerset', 'wallet');
      return set?.status?.observedGeneration === set?.metadata.generation ? set : undefined;
    });
    // The status speaks of the new size and names the new peer, as `kubectl get` shows it.
    expect(scaled.status?.replicas).toBe(3);
    expect(scaled.status?.peers?.map((peer) => `${peer.name}#${String(peer.ordinal)}`)).toEqual([
      'wallet-0#0',
      'wallet-1#1',
      'wallet-2#2',
    ]);

    const back = await kubectl('scale', 'fabricpeerset/wallet', '--replicas=2');
    expect(back.code, back.output).toBe(0);
    await until('wallet-2 deployment and service gone', async () =>
      !(await names('deployments')).includes('wallet-2') && !(await names('services')).includes('wallet-2')
        ? true
        : undefined,
    );

    expect(await names('pvc')).toContain('wallet-2-data');
    expect(await scaledInMessages()).toContain('removed wallet-2; storage and identity kept');
  });

  it('marks a peer set whose CA does not exist Degraded and records a Warning event', async () => {
    const file = join(plane.dir.path, 'orphan.yaml');
    await writeFile(
      file,
      'apiVersion: fabricwallet.io/v1alpha1\nkind: FabricPeerSet\nmetadata: {name: orphan}\nspec: {ca: nowhere-ca, replicas: 1}\n',
    );
    expect((await kubectl('apply', '--server-side', '-f', file)).code).toBe(0);

    const degraded = await until('Degraded condition', async () => {
      const set = await json<{
        status?: { conditions?: { type: string; status: string; message: string }[] };
      }>('fabricpeerset', 'orphan');
      return set?.status?.conditions?.find((c) => c.type === 'Degraded' && c.status === 'True');
    });
    const warnings = await kubectl(
      'get',
      'events',
      '--field-selector',
      'type=Warning,involvedObject.name=orphan',
      '-o',
      'jsonpath={.items[*].message}',
    );

    expect(degraded.message).toBe('spec.ca nowhere-ca names no FabricCA');
    expect(warnings.output).toContain('names no FabricCA');
    expect(await names('deployments')).not.toContain('orphan-0');
  });

  it('serves /healthz and Prometheus metrics of its reconciles', async () => {
    const [operator] = operators;
    if (!operator) throw new Error('no operator');
    const health = await operator.get('/healthz');
    const metrics = await operator.get('/metrics');

    expect(health).toEqual({ status: 200, text: 'ok\n' });
    expect(metrics.text).toMatch(
      /fabric_wallet_operator_reconciles_total\{kind="FabricPeerSet",result="progressing"\} [1-9]/,
    );
    expect(metrics.text).toMatch(/fabric_wallet_operator_leader 1/);
  });

  it('reconnects its watches after the API server restarts and keeps reconciling', async () => {
    await plane.restartApiServer();

    // A peer set made only after the restart: only a reconnected watch can see it.
    const file = join(plane.dir.path, 'after-restart.yaml');
    await writeFile(
      file,
      'apiVersion: fabricwallet.io/v1alpha1\nkind: FabricPeerSet\nmetadata: {name: after-restart}\nspec: {ca: cinema-ca, replicas: 1}\n',
    );
    expect((await kubectl('apply', '--server-side', '-f', file)).code).toBe(0);
    await until('after-restart-0 created after the restart', async () =>
      (await names('deployments')).includes('after-restart-0') ? true : undefined,
    );
    const [operator] = operators;
    const metrics = await operator?.get('/metrics');
    expect(metrics?.text).toMatch(
      /fabric_wallet_operator_watch_errors_total\{resource="FabricPeerSet"\} [1-9]/,
    );
    expect(metrics?.text).toMatch(/fabric_wallet_operator_leader 1/);
  });

  it('hands leadership over when the leader stops, and the new leader reconciles', async () => {
    interface Lease {
      spec: { holderIdentity?: string; renewTime?: string; acquireTime?: string; leaseTransitions?: number };
    }
    const first = await json<Lease>('lease', 'fabric-wallet-operator');
    expect(first?.spec.holderIdentity).toMatch(/^operator-a-/);
    expect(first?.spec.renewTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);

    const standby = await startOperator('operator-b');
    expect((await standby.get('/readyz')).text).toBe('standby\n');
    const [leader] = operators;
    await leader?.process.stop();

    const next = await until(
      'operator-b to hold the lease',
      async () => {
        const lease = await json<Lease>('lease', 'fabric-wallet-operator');
        return lease?.spec.holderIdentity?.startsWith('operator-b-') ? lease : undefined;
      },
      20_000,
    );
    expect(next.spec.leaseTransitions).toBe((first?.spec.leaseTransitions ?? 0) + 1);

    const file = join(plane.dir.path, 'new-leader.yaml');
    await writeFile(
      file,
      'apiVersion: fabricwallet.io/v1alpha1\nkind: FabricPeerSet\nmetadata: {name: new-leader}\nspec: {ca: cinema-ca, replicas: 1}\n',
    );
    expect((await kubectl('apply', '--server-side', '-f', file)).code).toBe(0);
    await until('new-leader-0 created by the new leader', async () =>
      (await names('deployments')).includes('new-leader-0') ? true : undefined,
    );
  });

  it('takes over when the leader dies without releasing the lease, once the lease expires', async () => {
    const ns = 'expiry';
    await plane.kubectl('create', 'namespace', ns);
    const env = { WATCH_NAMESPACE: ns, LEASE_DURATION_SECONDS: '3' };
    const first = await startOperator('operator-c', env);
    const holder = async () =>
      (
        await plane.kubectl(
          '-n',
          ns,
          'get',
          'lease',
          'fabric-wallet-operator',
          '-o',
          'jsonpath={.spec.holderIdentity}',
        )
      ).output;
    await until('operator-c to lead', async () =>
      (await holder()).startsWith('operator-c-') ? true : undefined,
    );
    const second = await startOperator('operator-d', env);
    expect((await second.get('/readyz')).text).toBe('standby\n');

    first.process.child.kill('SIGKILL');
    const lease = async () =>
      JSON.parse(
        (await plane.kubectl('-n', ns, 'get', 'lease', 'fabric-wallet-operator', '-o', 'json')).output,
      ) as { spec: { holderIdentity?: string; renewTime?: string; acquireTime?: string } };
    // The dead leader's last renewal: nobody renews its lease after the kill.
    const lastRenewal = Date.parse((await lease()).spec.renewTime ?? '');

    const taken = await until(
      'operator-d to lead',
      async () => {
        const current = await lease();
        return current.spec.holderIdentity?.startsWith('operator-d-') ? current : undefined;
      },
      20_000,
    );
    // Safety from the Lease's own times: taken only once the dead leader's 3 s had run out.
    expect(Date.parse(taken.spec.acquireTime ?? '') - lastRenewal).toBeGreaterThanOrEqual(3_000);
    expect((await second.get('/readyz')).text).toMatch(/^(leading|syncing)\n$/);
  });

  it('deletes the removed peer’s PVC too when scaleDownPolicy is Delete', async () => {
    const grown = await kubectl('scale', 'fabricpeerset/cinema', '--replicas=3');
    expect(grown.code, grown.output).toBe(0);
    await until('cinema-2 and its PVC', async () =>
      (await names('deployments')).includes('cinema-2') && (await names('pvc')).includes('cinema-2-data')
        ? true
        : undefined,
    );
    const patched = await kubectl(
      'patch',
      'fabricpeerset',
      'cinema',
      '--type=merge',
      '-p',
      '{"spec":{"scaleDownPolicy":"Delete","replicas":2}}',
    );
    expect(patched.code, patched.output).toBe(0);

    await until('cinema-2 and its PVC removed', async () => {
      const left = [...(await names('deployments')), ...(await names('pvc'))].filter((n) =>
        n.startsWith('cinema-2'),
      );
      return left.length === 0 ? true : undefined;
    });
    expect(await names('pvc')).toContain('cinema-1-data');
    expect(await scaledInMessages()).toContain('removed cinema-2; storage and identity deleted');
  });

  it('deletes what a resource owns when it is deleted (garbage collector follows owner references)', async () => {
    const deleted = await kubectl('delete', 'fabricpeerset', 'wallet', '--wait=true');
    expect(deleted.code, deleted.output).toBe(0);

    await until('wallet objects collected', async () => {
      const left = [
        ...(await names('deployments', 'fabricwallet.io/owner=wallet')),
        ...(await names('services', 'fabricwallet.io/owner=wallet')),
        ...(await names('pvc', 'fabricwallet.io/owner=wallet')),
      ];
      return left.length === 0 ? true : undefined;
    });
    expect(await names('deployments')).toContain('cinema-0');
  });
});
