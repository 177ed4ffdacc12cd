import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { toolBin, toolDir } from '@fabric-wallet/operator/tools';
import { stringify } from 'yaml';
import { NODE, type Layout } from './layout.js';
import { kubeconfig, type Client, type Pki } from './pki.js';

/** The sandbox (pause) image every pod starts with; built locally (scripts/cluster/images.sh). */
export const SANDBOX_IMAGE = 'localhost/fabric-wallet/pause:3.10';

/** One program of the node, started in order; `ready` resolves once it serves. */
export interface Component {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** What shows it serves: a TCP port in the node's namespace, or a unix socket file. */
  readonly ready: { readonly port: number } | { readonly socket: string } | { readonly healthz: string };
}

const inNode = (port: number) => `https://127.0.0.1:${String(port)}`;

export function containerdSocket(layout: Layout): string {
  return join(layout.run, 'containerd.sock');
}

/**
 * Writes the configuration files of the node's programs and returns them in start order.
 * Longer than 80 lines on purpose: each component's flags and config are one literal, read
 * top to bottom in the order the node starts them.
 */
export async function components(layout: Layout, pki: Pki): Promise<Component[]> {
  const configDir = join(layout.root, 'config');
  await mkdir(configDir, { recursive: true });
  await mkdir(join(layout.cni, 'net.d'), { recursive: true });
  await mkdir(layout.run, { recursive: true });
  const kubeconfigFor = async (client: Client) => {
    const file = join(configDir, `${client}.kubeconfig`);
    await writeFile(file, kubeconfig(pki, client, inNode(NODE.apiPort)), { mode: 0o600 });
    return file;
  };
  const socket = containerdSocket(layout);

  await writeFile(join(configDir, 'containerd.toml'), containerdConfig(layout, socket));
  await writeFile(join(layout.cni, 'net.d', '10-fabric-wallet.conflist'), cniConfig(layout));
  await writeFile(join(configDir, 'kubelet.yaml'), stringify(kubeletConfig(layout, pki, socket)));
  await writeFile(join(configDir, 'kube-proxy.yaml'), stringify(proxyConfig(await kubeconfigFor('proxy'))));
  await writeFile(join(configDir, 'resolv.conf'), `# the node has no upstream DNS\nnameserver ${NODE.ip}\n`);

  const kubernetes = (binary: string) => toolBin('kubernetes', binary);
  const path = [
    join(toolDir('containerd'), 'bin'),
    join(toolDir('runc'), 'bin'),
    '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  ].join(':');
  return [
    {
      name: 'etcd',
      command: toolBin('etcd', 'etcd'),
      args: [
        `--data-dir=${layout.etcd}`,
        `--listen-client-urls=http://127.0.0.1:${String(NODE.etcdPort)}`,
        `--advertise-client-urls=http://127.0.0.1:${String(NODE.etcdPort)}`,
        `--listen-peer-urls=http://127.0.0.1:${String(NODE.etcdPeerPort)}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${String(NODE.etcdPeerPort)}`,
        `--initial-cluster=default=http://127.0.0.1:${String(NODE.etcdPeerPort)}`,
        // A test cluster: its data need not survive a power loss, and fsync costs seconds here.
        '--unsafe-no-fsync',
        '--log-level=warn',
      ],
      ready: { port: NODE.etcdPort },
    },
    {
      name: 'kube-apiserver',
      command: kubernetes('kube-apiserver'),
      args: [
        `--etcd-servers=http://127.0.0.1:${String(NODE.etcdPort)}`,
        `--secure-port=${String(NODE.apiPort)}`,
        '--bind-address=0.0.0.0',
        `--advertise-address=${NODE.ip}`,
        `--tls-cert-file=${pki.apiServerCert}`,
        `--tls-private-key-file=${pki.apiServerKey}`,
        `--client-ca-file=${pki.caCert}`,
        `--token-auth-file=${pki.tokenFile}`,
        `--kubelet-client-certificate=${pki.kubeletClientCert}`,
        `--kubelet-client-key=${pki.kubeletClientKey}`,
        `--kubelet-certificate-authority=${pki.caCert}`,
        '--kubelet-preferred-address-types=InternalIP',
        `--service-cluster-ip-range=${NODE.serviceCidr}`,
        '--authorization-mode=Node,RBAC',
        '--enable-admission-plugins=NodeRestriction',
        '--allow-privileged=true',
        `--service-account-issuer=https://kubernetes.default.svc.${NODE.clusterDomain}`,
        `--service-account-key-file=${pki.serviceAccountPub}`,
        `--service-account-signing-key-file=${pki.serviceAccountKey}`,
        '--profiling=false',
      ],
      ready: { healthz: `${inNode(NODE.apiPort)}/readyz` },
    },
    {
      name: 'kube-controller-manager',
      command: kubernetes('kube-controller-manager'),
      args: [
        `--kubeconfig=${await kubeconfigFor('controllerManager')}`,
        `--authentication-kubeconfig=${await kubeconfigFor('controllerManager')}`,
        `--authorization-kubeconfig=${await kubeconfigFor('controllerManager')}`,
        '--use-service-account-credentials=true',
        `--service-account-private-key-file=${pki.serviceAccountKey}`,
        `--root-ca-file=${pki.caCert}`,
        `--cluster-signing-cert-file=${pki.caCert}`,
        `--cluster-signing-key-file=${pki.caKey}`,
        '--leader-elect=false',
        '--bind-address=127.0.0.1',
        '--secure-port=10257',
        // Quick garbage collection and endpoint updates on two cores.
        '--concurrent-gc-syncs=5',
        '--profiling=false',
      ],
      ready: { port: 10257 },
    },
    {
      name: 'kube-scheduler',
      command: kubernetes('kube-scheduler'),
      args: [
        `--kubeconfig=${await kubeconfigFor('scheduler')}`,
        `--authentication-kubeconfig=${await kubeconfigFor('scheduler')}`,
        `--authorization-kubeconfig=${await kubeconfigFor('scheduler')}`,
        '--leader-elect=false',
        '--bind-address=127.0.0.1',
        '--secure-port=10259',
        '--profiling=false',
      ],
      ready: { port: 10259 },
    },
    {
      name: 'containerd',
      command: toolBin('containerd', 'containerd'),
      args: ['--config', join(configDir, 'containerd.toml')],
      env: { PATH: path },
      ready: { socket },
    },
    {
      name: 'kubelet',
      command: kubernetes('kubelet'),
      args: [
        `--config=${join(configDir, 'kubelet.yaml')}`,
        `--kubeconfig=${await kubeconfigFor('kubelet')}`,
        `--root-dir=${layout.kubelet}`,
        `--hostname-override=${NODE.name}`,
        `--node-ip=${NODE.ip}`,
        '--v=1',
      ],
      env: { PATH: path },
      ready: { port: 10248 },
    },
    {
      name: 'kube-proxy',
      command: kubernetes('kube-proxy'),
      args: [`--config=${join(configDir, 'kube-proxy.yaml')}`, `--hostname-override=${NODE.name}`],
      env: { PATH: path },
      ready: { port: 10256 },
    },
  ];
}

/** containerd 2.x (config version 3): its own root, state and socket; CRI with our CNI and sandbox. */
function containerdConfig(layout: Layout, socket: string): string {
  const runtime = "plugins.'io.containerd.cri.v1.runtime'";
  return `version = 3
root = ${JSON.stringify(join(layout.containerd, 'root'))}
state = "/run/fabric-wallet-containerd"

[grpc]
  address = ${JSON.stringify(socket)}

[ttrpc]
  address = ${JSON.stringify(`${socket}.ttrpc`)}

[plugins.'io.containerd.cri.v1.images']
  snapshotter = "overlayfs"
  [plugins.'io.containerd.cri.v1.images'.pinned_images]
    sandbox = ${JSON.stringify(SANDBOX_IMAGE)}

[${runtime}]
  # The images are imported, never pulled (no registry is reachable here).
  enable_cdi = false
  # Lowering an OOM score needs CAP_SYS_RESOURCE, which some machines (this one among them)
  # do not give even to root: keep every container at or above containerd's own score.
  restrict_oom_score_adj = true
  [${runtime}.containerd]
    default_runtime_name = "runc"
    [${runtime}.containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [${runtime}.containerd.runtimes.runc.options]
        BinaryName = ${JSON.stringify(toolBin('runc', 'runc'))}
        SystemdCgroup = false
  [${runtime}.cni]
    bin_dirs = [${JSON.stringify(join(toolDir('cni-plugins'), 'bin'))}]
    conf_dir = ${JSON.stringify(join(layout.cni, 'net.d'))}
    max_conf_num = 1

[plugins.'io.containerd.grpc.v1.cri']
  # kubectl exec, logs and port-forward go through this server: loopback of the node only.
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
`;
}

/** One bridge for every pod, addresses from host-local IPAM, no masquerading (no uplink). */
function cniConfig(layout: Layout): string {
  return JSON.stringify(
    {
      cniVersion: '1.0.0',
      name: 'fabric-wallet-pods',
      plugins: [
        {
          type: 'bridge',
          bridge: NODE.bridge,
          isGateway: true,
          ipMasq: false,
          hairpinMode: true,
          ipam: {
            type: 'host-local',
            ranges: [[{ subnet: NODE.podCidr }]],
            routes: [{ dst: '0.0.0.0/0' }],
            dataDir: join(layout.cni, 'ipam'),
          },
        },
        { type: 'portmap', capabilities: { portMappings: true } },
      ],
    },
    null,
    2,
  );
}

function kubeletConfig(layout: Layout, pki: Pki, socket: string) {
  return {
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    // The machines here are cgroup v1; kubelet 1.35+ refuses it unless told otherwise.
    failCgroupV1: false,
    failSwapOn: false,
    cgroupDriver: 'cgroupfs',
    // Pods under this cluster's own root (cgroups.ts), not the machine-wide /kubepods.
    cgroupRoot: `/${layout.cgroup}`,
    containerRuntimeEndpoint: `unix://${socket}`,
    address: NODE.ip,
    port: NODE.kubeletPort,
    readOnlyPort: 0,
    healthzBindAddress: '127.0.0.1',
    healthzPort: 10248,
    tlsCertFile: pki.kubeletServingCert,
    tlsPrivateKeyFile: pki.kubeletServingKey,
    // Only the API server (its client certificate, signed by the cluster CA) talks to the kubelet.
    authentication: {
      anonymous: { enabled: false },
      webhook: { enabled: false },
      x509: { clientCAFile: pki.caCert },
    },
    authorization: { mode: 'AlwaysAllow' },
    clusterDNS: [NODE.dnsServiceIp],
    clusterDomain: NODE.clusterDomain,
    resolvConf: join(layout.root, 'config', 'resolv.conf'),
    staticPodPath: '',
    // Not /usr/libexec/kubernetes: nothing of the node outside its data directory.
    volumePluginDir: join(layout.kubelet, 'volume-plugins'),
    podLogsDir: join(layout.logs, 'pods'),
    serializeImagePulls: false,
    // Imported images cannot be pulled again: never collect them.
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
    // A developer disk is often fuller than a server's: evict only when it is nearly full.
    evictionHard: { 'memory.available': '100Mi', 'nodefs.available': '1%', 'imagefs.available': '1%' },
    maxPods: 110,
    podPidsLimit: 4096,
    rotateCertificates: false,
    serverTLSBootstrap: false,
    // Status quickly, so Ready and scaling show within seconds.
    nodeStatusUpdateFrequency: '5s',
    syncFrequency: '10s',
    fileCheckFrequency: '10s',
    shutdownGracePeriod: '0s',
  };
}

function proxyConfig(kubeconfigFile: string) {
  return {
    apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
    kind: 'KubeProxyConfiguration',
    mode: 'iptables',
    clientConnection: { kubeconfig: kubeconfigFile },
    clusterCIDR: NODE.clusterCidr,
    bindAddress: '127.0.0.1',
    healthzBindAddress: '127.0.0.1:10256',
    metricsBindAddress: '127.0.0.1:10249',
    // Leave the kernel's conntrack limits alone (they are not per network namespace).
    conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: '0s', tcpCloseWaitTimeout: '0s' },
    nodePortAddresses: [`${NODE.ip}/32`],
  };
}
