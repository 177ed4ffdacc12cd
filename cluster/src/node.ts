/**
 * The node: PID 1 of the cluster's own PID, mount and network namespaces (started by
 * daemon.ts through `unshare`). It sets up the namespace's network, starts etcd, the control
 * plane, containerd, the kubelet and kube-proxy, imports the images, installs the addons and
 * serves the API server on a unix socket for the host. When it exits, the kernel ends every
 * process of the namespace (containers included) and drops its mounts and network.
 *
 *   node cluster/dist/node.js <data dir>
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { connect, type Server } from 'node:net';
import { join } from 'node:path';
import { Agent, request } from 'node:https';
import { promisify } from 'node:util';
import { KubeConfig, KubernetesObjectApi, PatchStrategy } from '@kubernetes/client-node';
import { toolBin } from '@fabric-wallet/operator/tools';
import { addons } from './addons.js';
import { createCgroupRoot } from './cgroups.js';
import { components, containerdSocket } from './components.js';
import { layout as layoutOf, NODE, type Layout } from './layout.js';
import { ensurePki, kubeconfig, type Pki } from './pki.js';
import { forwarder } from './forward.js';
import { HostPathProvisioner } from './provisioner.js';
import { Supervisor } from './supervisor.js';

const exec = promisify(execFile);
const say = (line: string) => process.stdout.write(`[node] ${new Date().toISOString()} ${line}\n`);

async function sh(command: string, args: string[]): Promise<string> {
  try {
    return (await exec(command, args)).stdout;
  } catch (error) {
    const failure = error as { stderr?: string };
    throw new Error(`${command} ${args.join(' ')}: ${failure.stderr?.trim() ?? String(error)}`, {
      cause: error,
    });
  }
}

/** Private /run and /var/log for the node's programs; the namespace's own network. */
async function prepareNamespace(layout: Layout): Promise<void> {
  // containerd's state, the pods' network namespace files and the kubelet's log links: all in
  // this mount namespace only, gone with it.
  await sh('mount', ['-t', 'tmpfs', '-o', 'mode=755,size=256m', 'fabric-wallet-run', '/run']);
  await sh('mount', ['-t', 'tmpfs', '-o', 'mode=755,size=64m', 'fabric-wallet-log', '/var/log']);
  await sh('ip', ['link', 'set', 'lo', 'up']);
  // An empty bridge stands in for a dummy interface (some kernels, this machine's among them,
  // lack the dummy driver): an address with no other end.
  await sh('ip', ['link', 'add', NODE.interface, 'type', 'bridge']);
  await sh('ip', ['addr', 'add', `${NODE.ip}/24`, 'dev', NODE.interface]);
  await sh('ip', ['link', 'set', NODE.interface, 'up']);
  // Without a default route, connections to Service IPs fail before kube-proxy's rules apply.
  // The interface has no port: nothing sent there leaves the namespace.
  await sh('ip', ['route', 'add', 'default', 'dev', NODE.interface]);
  const sysctl = (key: string, value: string) => writeFile(`/proc/sys/${key.replaceAll('.', '/')}`, value);
  await sysctl('net.ipv4.ip_forward', '1');
  // Pod-to-Service traffic between two pods on the bridge must pass iptables (kube-proxy).
  await sysctl('net.bridge.bridge-nf-call-iptables', '1');
  await sysctl('net.bridge.bridge-nf-call-ip6tables', '1');
  for (const dir of [layout.logs, layout.volumes, layout.kubelet, layout.containerd, layout.run])
    await mkdir(dir, { recursive: true });
}

function apiHealth(pki: Pki) {
  const agent = new Agent({ ca: readFileSync(pki.caCert, 'utf8') });
  return (url: string) =>
    new Promise<boolean>((resolve) => {
      const call = request(
        url,
        { agent, headers: { authorization: `Bearer ${pki.tokens.admin}` }, timeout: 2000 },
        (res) => {
          res.resume();
          resolve(res.statusCode === 200);
        },
      );
      call.once('error', () => {
        resolve(false);
      });
      call.once('timeout', () => call.destroy());
      call.end();
    });
}

/** Loads every image tarball of <data>/images into the CRI's containerd namespace. */
async function importImages(layout: Layout): Promise<void> {
  if (!existsSync(layout.images))
    throw new Error(`no images in ${layout.images}: run scripts/cluster/images.sh`);
  const tars = (await readdir(layout.images)).filter((name) => name.endsWith('.tar'));
  const ctr = toolBin('containerd', 'ctr');
  for (const tar of tars) {
    const started = Date.now();
    await sh(ctr, [
      '--address', containerdSocket(layout), '-n', 'k8s.io',
      'images', 'import', '--all-platforms', '--local', join(layout.images, tar),
    ]); // prettier-ignore
    say(`image ${tar} imported (${String(Date.now() - started)} ms)`);
  }
}

/** Server-side apply of the addons as the cluster admin. */
async function applyAddons(config: KubeConfig, layout: Layout): Promise<void> {
  const refs = await readFile(join(layout.images, 'images.env'), 'utf8');
  const coredns = /^COREDNS_IMAGE=(.+)$/m.exec(refs)?.[1];
  if (!coredns) throw new Error(`${join(layout.images, 'images.env')} names no COREDNS_IMAGE`);
  const objects = config.makeApiClient(KubernetesObjectApi);
  for (const object of addons(coredns.trim()))
    await objects.patch(
      object,
      undefined,
      undefined,
      'fabric-wallet-cluster',
      true,
      PatchStrategy.ServerSideApply,
    );
  say('addons applied (CoreDNS, default StorageClass)');
}

/** The API server for the host: a unix socket (not bound to a network namespace) -> 127.0.0.1:6443. */
function serveApiSocket(path: string): Server {
  const server = forwarder(() => connect({ host: '127.0.0.1', port: NODE.apiPort }));
  server.listen(path);
  return server;
}

async function main(root: string): Promise<void> {
  const layout = layoutOf(root);
  const readyFile = join(layout.run, 'node.ready');
  await rm(readyFile, { force: true });
  await prepareNamespace(layout);
  const pki = await ensurePki(layout);
  await createCgroupRoot(layout);
  const supervisor = new Supervisor(layout.logs, say, apiHealth(pki));
  // What runs in this process besides the supervised programs, once started.
  const own: { provisioner?: HostPathProvisioner; socketServer?: Server; stopping?: boolean } = {};
  const stop = async (why: string) => {
    if (own.stopping) return;
    own.stopping = true;
    say(`stopping (${why})`);
    await rm(readyFile, { force: true });
    own.socketServer?.close();
    await own.provisioner?.stop();
    await supervisor.stop();
    say('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  for (const component of await components(layout, pki)) {
    await supervisor.start(component);
    if (component.name === 'kube-apiserver') {
      const apiSocket = join(layout.run, 'apiserver.sock');
      await rm(apiSocket, { force: true });
      own.socketServer = serveApiSocket(apiSocket);
    }
    if (component.name === 'containerd') await importImages(layout);
  }
  const adminConfig = join(layout.root, 'config', 'admin.kubeconfig');
  await writeFile(adminConfig, kubeconfig(pki, 'admin', `https://127.0.0.1:${String(NODE.apiPort)}`), {
    mode: 0o600,
  });
  const config = new KubeConfig();
  config.loadFromFile(adminConfig);
  await applyAddons(config, layout);
  own.provisioner = new HostPathProvisioner(config, layout.volumes, say);
  own.provisioner.start();
  await writeFile(readyFile, `${String(process.pid)}\n`);
  say('node is up');
}

const root = process.argv[2];
if (!root) {
  process.stderr.write('usage: node cluster/dist/node.js <data dir>\n');
  process.exit(2);
}
main(root).catch((error: unknown) => {
  say(`failed: ${(error as Error).message}`);
  process.exit(1);
});
