import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { toolBin } from '@fabric-wallet/operator/tools';
import { freePort } from './ports.js';
import { run, startProcess, type Started } from './processes.js';
import { tempDir, type TempDir } from './temp.js';

/**
 * A real Kubernetes control plane for tests: etcd and kube-apiserver on loopback ports, an
 * admin bearer token generated per run, a kubeconfig that trusts the server's own
 * self-signed certificate. No kubelet or controller-manager runs: objects are stored and
 * validated, pods never start.
 */
export interface ControlPlane {
  readonly server: string;
  readonly kubeconfig: string;
  readonly dir: TempDir;
  /** Runs kubectl against this control plane. */
  readonly kubectl: (...args: string[]) => Promise<{ code: number; output: string }>;
  /**
   * Drops etcd's history up to now (as the API server's periodic compaction does): a watch
   * from an older resourceVersion then gets 410 Gone.
   */
  readonly compactHistory: () => Promise<void>;
  /** Stops kube-apiserver and starts it again on the same port and etcd (watches break). */
  readonly restartApiServer: () => Promise<void>;
  readonly stop: () => Promise<void>;
}

export interface ControlPlaneOptions {
  /**
   * Also run kube-controller-manager with the garbage collector (deleting an owner deletes
   * what it owns) and the Deployment/ReplicaSet controllers. Still no scheduler or kubelet.
   */
  readonly controllers?: boolean;
  /**
   * CRDs to install before the controllers start: the garbage collector then knows their
   * kinds at once instead of at its next discovery pass (every 30 s).
   */
  readonly crds?: string;
  /**
   * Built-in resources (lowercase plurals) the API server serves from etcd, without its
   * watch cache: a watch from a compacted resourceVersion then gets 410 Gone. (The cache
   * answers such a watch from its own snapshot until it has dropped events.)
   */
  readonly uncached?: readonly string[];
}

export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const dir = await tempDir('kube');
  const [etcdPort, etcdPeerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
  const logDir = join(dir.path, 'logs');
  const started: Started[] = [];
  const stop = async () => {
    for (const process of started.reverse()) await process.stop();
    await dir.remove();
  };
  try {
    const etcd = startProcess(
      'etcd',
      toolBin('etcd', 'etcd'),
      [
        `--data-dir=${join(dir.path, 'etcd')}`,
        `--listen-client-urls=http://127.0.0.1:${etcdPort}`,
        `--advertise-client-urls=http://127.0.0.1:${etcdPort}`,
        `--listen-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
        `--initial-cluster=default=http://127.0.0.1:${etcdPeerPort}`,
        '--unsafe-no-fsync',
        '--log-level=warn',
      ],
      { cwd: dir.path, logDir },
    );
    started.push(etcd);
    await etcd.listening(etcdPort, 30_000);

    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    await writeFile(join(dir.path, 'sa.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }), {
      mode: 0o600,
    });
    await writeFile(join(dir.path, 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
    const token = randomBytes(24).toString('hex');
    await writeFile(join(dir.path, 'tokens.csv'), `${token},admin,admin,"system:masters"\n`, { mode: 0o600 });
    const certDir = join(dir.path, 'certs');
    const startApiServer = () =>
      startProcess(
        'kube-apiserver',
        toolBin('kubernetes', 'kube-apiserver'),
        [
          `--etcd-servers=http://127.0.0.1:${etcdPort}`,
          `--cert-dir=${certDir}`,
          `--secure-port=${apiPort}`,
          '--bind-address=127.0.0.1',
          '--service-cluster-ip-range=10.0.0.0/24',
          '--allow-privileged=true',
          '--disable-admission-plugins=ServiceAccount',
          '--authorization-mode=RBAC',
          `--token-auth-file=${join(dir.path, 'tokens.csv')}`,
          `--service-account-issuer=https://127.0.0.1:${apiPort}/`,
          `--service-account-key-file=${join(dir.path, 'sa.pub')}`,
          `--service-account-signing-key-file=${join(dir.path, 'sa.key')}`,
          ...(options.uncached?.length
            ? [`--watch-cache-sizes=${options.uncached.map((resource) => `${resource}#0`).join(',')}`]
            : []),
        ],
        { cwd: dir.path, logDir },
      );
    let apiserver = startApiServer();
    started.push(apiserver);
    await apiserver.listening(apiPort, 120_000);

    const server = `https://127.0.0.1:${apiPort}`;
    const kubeconfig = join(dir.path, 'kubeconfig');
    await writeFile(
      kubeconfig,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [
          { name: 'test', cluster: { server, 'certificate-authority': join(certDir, 'apiserver.crt') } },
        ],
        users: [{ name: 'admin', user: { token } }],
        contexts: [{ name: 'test', context: { cluster: 'test', user: 'admin' } }],
        'current-context': 'test',
      }),
      { mode: 0o600 },
    );
    const kubectl = (...args: string[]) =>
      run(toolBin('kubernetes', 'kubectl'), ['--kubeconfig', kubeconfig, ...args]);
    // Listening is not ready: wait until the server answers /readyz.
    const ready = async () => {
      const deadline = Date.now() + 120_000;
      for (;;) {
        const answer = await kubectl('get', '--raw', '/readyz');
        if (answer.code === 0 && answer.output.trim() === 'ok') break;
        if (Date.now() > deadline)
          throw new Error(`kube-apiserver not ready: ${answer.output}\n${await apiserver.log()}`);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    };
    await ready();
    const restartApiServer = async () => {
      await apiserver.stop();
      started.splice(started.indexOf(apiserver), 1);
      apiserver = startApiServer();
      started.push(apiserver);
      await apiserver.listening(apiPort, 120_000);
      await ready();
    };
    if (options.crds) {
      const installed = await kubectl('apply', '--server-side', '-f', options.crds);
      if (installed.code !== 0) throw new Error(`CRDs not installed: ${installed.output}`);
      const established = await kubectl(
        'wait',
        '--for=condition=Established',
        'crd',
        '--all',
        '--timeout=60s',
      );
      if (established.code !== 0) throw new Error(`CRDs not established: ${established.output}`);
    }
    if (options.controllers) {
      const managerPort = await freePort();
      const manager = startProcess(
        'kube-controller-manager',
        toolBin('kubernetes', 'kube-controller-manager'),
        [
          `--kubeconfig=${kubeconfig}`,
          '--controllers=garbage-collector-controller,deployment-controller,replicaset-controller,persistentvolumeclaim-protection-controller,namespace-controller',
          '--leader-elect=false',
          '--bind-address=127.0.0.1',
          `--secure-port=${managerPort}`,
          '--concurrent-gc-syncs=5',
        ],
        { cwd: dir.path, logDir },
      );
      started.push(manager);
      await manager.listening(managerPort, 60_000);
    }
    const compactHistory = () => compactEtcd(`http://127.0.0.1:${etcdPort}`);
    return { server, kubeconfig, dir, kubectl, compactHistory, restartApiServer, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Compacts etcd to its current revision through its JSON gateway (no etcdctl needed). */
async function compactEtcd(etcd: string): Promise<void> {
  const post = async (path: string, body: object) => {
    const response = await fetch(`${etcd}${path}`, { method: 'POST', body: JSON.stringify(body) });
    const text = await response.text();
    if (!response.ok) throw new Error(`etcd ${path}: ${String(response.status)} ${text}`);
    return JSON.parse(text) as { header?: { revision?: string } };
  };
  const { header } = await post('/v3/kv/range', { key: Buffer.from('/').toString('base64') });
  if (!header?.revision) throw new Error('etcd /v3/kv/range: no revision in the answer');
  await post('/v3/kv/compaction', { revision: header.revision, physical: true });
}
