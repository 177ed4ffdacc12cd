import { execFile, spawn } from 'node:child_process';
import { existsSync, openSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { toolBin } from '@fabric-wallet/operator/tools';
import { cgroupDirs } from './cgroups.js';
import { containerdSocket, SANDBOX_IMAGE } from './components.js';
import { layout as layoutOf, NODE, type ClusterState, type Layout } from './layout.js';
import { ensurePki, kubeconfig } from './pki.js';

const exec = promisify(execFile);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export type Say = (line: string) => void;

/** Every binary the node runs, so a missing one is named before anything starts. */
function preflight(): void {
  if (process.getuid?.() !== 0)
    throw new Error('the cluster needs root: it creates namespaces, mounts, cgroups and iptables rules');
  for (const [tool, binary] of [
    ['etcd', 'etcd'],
    ['kubernetes', 'kube-apiserver'],
    ['kubernetes', 'kube-controller-manager'],
    ['kubernetes', 'kube-scheduler'],
    ['kubernetes', 'kubelet'],
    ['kubernetes', 'kube-proxy'],
    ['kubernetes', 'kubectl'],
    ['containerd', 'containerd'],
    ['containerd', 'containerd-shim-runc-v2'],
    ['containerd', 'ctr'],
    ['runc', 'runc'],
    ['cni-plugins', 'bridge'],
  ] as const)
    toolBin(tool, binary); // throws with the bootstrap command that builds it
  for (const command of ['unshare', 'ip', 'iptables', 'openssl', 'mount'])
    if (!['/usr/sbin', '/usr/bin', '/sbin', '/bin'].some((dir) => existsSync(join(dir, command))))
      throw new Error(`prerequisite missing: '${command}' (run: bash scripts/tools/bootstrap.sh cluster)`);
}

export function readState(layout: Layout): ClusterState | undefined {
  try {
    return JSON.parse(readFileSync(layout.state, 'utf8')) as ClusterState;
  } catch {
    return undefined;
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

export async function kubectl(layout: Layout, ...args: string[]): Promise<string> {
  try {
    const { stdout } = await exec(
      toolBin('kubernetes', 'kubectl'),
      ['--kubeconfig', layout.kubeconfig, ...args],
      {
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    return stdout;
  } catch (error) {
    const failure = error as { stderr?: string; stdout?: string };
    throw new Error(
      `kubectl ${args.join(' ')}: ${(failure.stderr ?? failure.stdout ?? String(error)).trim()}`,
      { cause: error },
    );
  }
}

const tail = async (file: string, lines = 25) =>
  existsSync(file) ? (await readFile(file, 'utf8')).trim().split('\n').slice(-lines).join('\n') : '(no log)';

/**
 * Starts the cluster and returns once the node is Ready and cluster DNS answers. The images
 * must be in <data>/images (scripts/cluster/images.sh). Idempotent: a running cluster is kept.
 */
export async function up(root: string, say: Say): Promise<ClusterState> {
  const layout = layoutOf(root);
  preflight();
  const running = readState(layout);
  if (running && alive(running.pid)) {
    say(`already up (daemon pid ${String(running.pid)}); kubeconfig: ${running.kubeconfig}`);
    return running;
  }
  if (running) {
    say('a previous cluster did not stop cleanly: cleaning up first');
    await down(root, say);
  }
  if (!existsSync(join(layout.images, 'images.env')))
    throw new Error(`no images in ${layout.images}: run bash scripts/cluster/images.sh ${layout.images}`);
  const started = Date.now();
  // The previous cluster's logs, kept by `down`, go now.
  await rm(layout.logs, { recursive: true, force: true });
  await mkdir(layout.logs, { recursive: true });
  await mkdir(layout.run, { recursive: true });
  const pki = await ensurePki(layout);
  const apiPort = Number(process.env.CLUSTER_API_PORT ?? (await freePort()));
  const daemonLog = join(layout.logs, 'daemon.log');
  const out = openSync(daemonLog, 'a');
  const daemon = spawn(
    process.execPath,
    [join(fileURLToPath(new URL('.', import.meta.url)), 'daemon.js'), layout.root, String(apiPort)],
    { detached: true, stdio: ['ignore', out, out] },
  );
  daemon.unref();
  const pid = daemon.pid ?? 0;
  const state: ClusterState = {
    pid,
    apiPort,
    kubeconfig: layout.kubeconfig,
    startedAt: new Date().toISOString(),
  };
  await writeFile(layout.state, JSON.stringify(state, null, 2));
  await writeFile(layout.kubeconfig, kubeconfig(pki, 'admin', `https://127.0.0.1:${String(apiPort)}`), {
    mode: 0o600,
  });
  say(`node starting (daemon pid ${String(pid)}; logs: ${layout.logs})`);
  const deadline = Date.now() + 8 * 60_000;
  let shown = 0;
  while (!existsSync(join(layout.run, 'node.ready'))) {
    if (!alive(pid) || Date.now() > deadline) {
      const why = alive(pid) ? 'did not come up in 8 min' : 'stopped';
      throw new Error(
        `the node ${why}; last lines of ${join(layout.logs, 'node.log')}:\n${await tail(join(layout.logs, 'node.log'))}`,
      );
    }
    const log = await tail(join(layout.logs, 'node.log'), 200);
    const lines = log.split('\n').filter((line) => line.startsWith('[node]'));
    for (const line of lines.slice(shown)) say(line.replace(/^\[node\] \S+ /, '  '));
    shown = lines.length;
    await sleep(500);
  }
  say(
    `control plane and node running after ${String(Math.round((Date.now() - started) / 1000))} s; waiting for Ready and DNS`,
  );
  await kubectl(layout, 'wait', '--for=condition=Ready', `node/${NODE.name}`, '--timeout=180s');
  await kubectl(layout, 'rollout', 'status', '-n', 'kube-system', 'deployment/coredns', '--timeout=180s');
  say(
    `cluster up in ${String(Math.round((Date.now() - started) / 1000))} s: export KUBECONFIG=${layout.kubeconfig}`,
  );
  return state;
}

/** This cluster's cgroup root in every hierarchy, removed deepest first (pods' cgroups inside). */
async function removeCgroups(layout: Layout): Promise<string[]> {
  const left: string[] = [];
  const remove = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => []))
      if (entry.isDirectory()) await remove(join(dir, entry.name));
    await rmdir(dir).catch(() => left.push(dir));
  };
  for (const dir of await cgroupDirs(layout)) if (existsSync(dir)) await remove(dir);
  return left;
}

/** What of the cluster is still on the host: processes, mounts, cgroups. Empty when clean. */
export async function leftovers(root: string): Promise<string[]> {
  const layout = layoutOf(root);
  const found: string[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(layout.root) || cmdline.includes(SANDBOX_IMAGE))
      found.push(`process ${entry}: ${cmdline.replaceAll('\0', ' ').trim().slice(0, 160)}`);
  }
  const mounts = await readFile('/proc/self/mountinfo', 'utf8');
  for (const line of mounts.split('\n'))
    if (line.includes(layout.root) || line.includes('fabric-wallet-run')) found.push(`mount: ${line}`);
  for (const dir of await cgroupDirs(layout)) if (existsSync(dir)) found.push(`cgroup: ${dir}`);
  const links = await exec('ip', ['-o', 'link', 'show']).then(
    (r) => r.stdout,
    () => '',
  );
  for (const name of [NODE.interface, NODE.bridge])
    if (links.includes(`${name}:`)) found.push(`link: ${name}`);
  return found;
}

/**
 * Stops the node (every process and container of its namespaces ends with it), removes the
 * kubelet's cgroups and the cluster's state (the images and logs stay), and reports anything
 * left behind.
 */
export async function down(root: string, say: Say): Promise<string[]> {
  const layout = layoutOf(root);
  const state = readState(layout);
  if (state && alive(state.pid)) {
    say(`stopping the node (daemon pid ${String(state.pid)})`);
    process.kill(state.pid, 'SIGTERM');
    const deadline = Date.now() + 90_000;
    while (alive(state.pid) && Date.now() < deadline) await sleep(250);
    if (alive(state.pid)) process.kill(state.pid, 'SIGKILL');
    while (alive(state.pid)) await sleep(100);
  }
  // Processes of the namespace end with its PID 1; give the kernel a moment to reap them.
  for (let i = 0; i < 40 && (await leftovers(root)).some((item) => item.startsWith('process')); i++)
    await sleep(250);
  const cgroupsLeft = await removeCgroups(layout);
  for (const dir of cgroupsLeft) say(`cgroup not removed: ${dir}`);
  // The images stay for the next `up`, the logs (pods' too) for a look after a failure.
  for (const name of ['etcd', 'containerd', 'kubelet', 'cni', 'volumes', 'run', 'pki', 'config'])
    await rm(join(layout.root, name), { recursive: true, force: true });
  await rm(layout.state, { force: true });
  await rm(layout.kubeconfig, { force: true });
  const left = await leftovers(root);
  say(left.length === 0 ? 'down: nothing left behind' : `down: left behind:\n  ${left.join('\n  ')}`);
  return left;
}

/**
 * Imports the images of <data>/images into the running node's containerd (after rebuilding
 * them): pods created afterwards, or restarted (`kubectl rollout restart`), run the new ones.
 */
export async function load(root: string, say: Say): Promise<void> {
  const layout = layoutOf(root);
  const state = readState(layout);
  if (!state || !alive(state.pid)) throw new Error('the cluster is not up: npm run cluster -- up');
  const tars = (await readdir(layout.images)).filter((name) => name.endsWith('.tar'));
  for (const tar of tars) {
    await exec(toolBin('containerd', 'ctr'), [
      '--address', containerdSocket(layout), '-n', 'k8s.io',
      'images', 'import', '--all-platforms', '--local', join(layout.images, tar),
    ]); // prettier-ignore
    say(`loaded ${tar}`);
  }
}

export async function status(root: string, say: Say): Promise<boolean> {
  const layout = layoutOf(root);
  const state = readState(layout);
  if (!state) {
    say(`down (no cluster in ${layout.root})`);
    return false;
  }
  if (!alive(state.pid)) {
    say(`stopped unexpectedly (daemon pid ${String(state.pid)} is gone); run: npm run cluster -- down`);
    return false;
  }
  say(
    `up since ${state.startedAt}: API https://127.0.0.1:${String(state.apiPort)}, KUBECONFIG=${state.kubeconfig}`,
  );
  say((await kubectl(layout, 'get', 'nodes', '-o', 'wide')).trim());
  say((await kubectl(layout, 'get', 'pods', '-A')).trim());
  return true;
}
