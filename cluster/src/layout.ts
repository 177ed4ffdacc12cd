import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';

/**
 * The single-node cluster's fixed shape. Everything but the host-side API port lives in the
 * node's own network namespace, which has no link to any other network (like a kind node
 * without its port mappings): the addresses below exist only inside it, so nothing the
 * cluster runs can reach or be reached from another machine.
 */
export const NODE = {
  name: 'fw-node',
  /** The node's address, on an interface of its own (no ports) in its network namespace. */
  ip: '10.200.0.1',
  interface: 'fwnode0',
  /** Pod addresses (one bridge, host-local IPAM). */
  podCidr: '10.244.0.0/24',
  clusterCidr: '10.244.0.0/16',
  bridge: 'fwcni0',
  serviceCidr: '10.96.0.0/16',
  /** The `kubernetes` Service's ClusterIP: the first of serviceCidr. */
  apiServiceIp: '10.96.0.1',
  dnsServiceIp: '10.96.0.10',
  clusterDomain: 'cluster.local',
  apiPort: 6443,
  etcdPort: 2379,
  etcdPeerPort: 2380,
  kubeletPort: 10250,
  storageClass: 'local-path',
  provisioner: 'fabricwallet.io/host-path',
} as const;

/** Where a cluster keeps its state, all under one directory (default .data/cluster). */
export interface Layout {
  readonly root: string;
  readonly pki: string;
  readonly logs: string;
  readonly etcd: string;
  readonly containerd: string;
  readonly kubelet: string;
  readonly cni: string;
  readonly volumes: string;
  readonly images: string;
  /** Sockets the host reaches (unix sockets are not bound to a network namespace). */
  readonly run: string;
  readonly kubeconfig: string;
  readonly state: string;
  /**
   * The kubelet's cgroup root, one per data directory (/sys/fs/cgroup/<controller>/<name>):
   * two clusters on one machine never share, clean up or kill each other's pod cgroups.
   */
  readonly cgroup: string;
}

export function layout(root: string): Layout {
  const dir = resolve(root);
  return {
    root: dir,
    pki: join(dir, 'pki'),
    logs: join(dir, 'logs'),
    etcd: join(dir, 'etcd'),
    containerd: join(dir, 'containerd'),
    kubelet: join(dir, 'kubelet'),
    cni: join(dir, 'cni'),
    volumes: join(dir, 'volumes'),
    images: join(dir, 'images'),
    run: join(dir, 'run'),
    kubeconfig: join(dir, 'kubeconfig'),
    state: join(dir, 'state.json'),
    cgroup: `fabric-wallet-${createHash('sha256').update(dir).digest('hex').slice(0, 10)}`,
  };
}

/** The default data directory: FABRIC_WALLET_CLUSTER_DIR or <repo>/.data/cluster. */
export function defaultRoot(repoRoot: string, env: NodeJS.ProcessEnv = process.env): string {
  return env.FABRIC_WALLET_CLUSTER_DIR ?? join(repoRoot, '.data', 'cluster');
}

/** What `up` records for `status`, `down` and the tests. */
export interface ClusterState {
  /** PID of the host-side daemon (it owns the node's namespaces). */
  readonly pid: number;
  /** 127.0.0.1 port where the host reaches the API server. */
  readonly apiPort: number;
  readonly kubeconfig: string;
  readonly startedAt: string;
}
