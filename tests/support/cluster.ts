import { spawn, type ChildProcess } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { down, layout, leftovers, up, type Layout } from '@fabric-wallet/cluster';
import { repoRoot, toolBin } from '@fabric-wallet/operator/tools';
import { run } from './processes.js';

/**
 * The single-node cluster for the end-to-end suite, in its own data directory
 * (.data/cluster-e2e, apart from a developer's `npm run cluster`), with the images built by
 * scripts/cluster/images.sh.
 */
export interface TestCluster {
  readonly layout: Layout;
  readonly images: Readonly<Record<string, string>>;
  readonly kubectl: (...args: string[]) => Promise<{ code: number; output: string }>;
  /** kubectl that must succeed; returns its output. */
  readonly kubectlOk: (...args: string[]) => Promise<string>;
  readonly helm: (...args: string[]) => Promise<{ code: number; output: string }>;
  /** `kubectl port-forward` to 127.0.0.1:<random>; resolves with its base URL. */
  readonly portForward: (namespace: string, target: string, port: number) => Promise<PortForward>;
  /**
   * SIGKILLs, from the host, the processes of one pod whose command line contains `match`:
   * a crash, not a deletion (a deleted pod gets SIGTERM and may hand over cleanly). Resolves
   * with how many it killed.
   */
  readonly killInPod: (namespace: string, pod: string, match: string) => Promise<number>;
  /** Stops the cluster; resolves with what was left behind (nothing, when all is well). */
  readonly stop: () => Promise<string[]>;
}

export interface PortForward {
  readonly url: string;
  readonly stop: () => void;
}

const log = (line: string) => {
  console.log(`[cluster] ${line}`);
};

/** Builds the images (cached base layers; the project's own are rebuilt) and starts the cluster. */
export async function startTestCluster(): Promise<TestCluster> {
  const root = join(repoRoot, '.data', 'cluster-e2e');
  const paths = layout(root);
  const built = await run('bash', [join(repoRoot, 'scripts', 'cluster', 'images.sh'), paths.images]);
  if (built.code !== 0) throw new Error(`images not built:\n${built.output.slice(-3000)}`);
  await up(root, log);
  const images = Object.fromEntries(
    (await readFile(join(paths.images, 'images.env'), 'utf8'))
      .split('\n')
      .filter((line) => line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1).trim()]),
  );
  const kubectl = (...args: string[]) =>
    run(toolBin('kubernetes', 'kubectl'), ['--kubeconfig', paths.kubeconfig, ...args]);
  const kubectlOk = async (...args: string[]) => {
    const answer = await kubectl(...args);
    if (answer.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${answer.output}`);
    return answer.output;
  };
  const helm = (...args: string[]) =>
    run(toolBin('helm', 'helm'), ['--kubeconfig', paths.kubeconfig, ...args]);
  const forwards = new Set<ChildProcess>();
  const portForward = (namespace: string, target: string, port: number) =>
    new Promise<PortForward>((resolve, reject) => {
      const child = spawn(
        toolBin('kubernetes', 'kubectl'),
        [
          '--kubeconfig',
          paths.kubeconfig,
          '-n',
          namespace,
          'port-forward',
          '--address',
          '127.0.0.1',
          target,
          `:${String(port)}`,
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      forwards.add(child);
      let output = '';
      const timer = setTimeout(() => {
        child.kill();
        reject(new Error(`port-forward ${target} did not start: ${output}`));
      }, 30_000);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        const match = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve({
            url: `http://127.0.0.1:${match[1] ?? ''}`,
            stop: () => {
              child.kill();
              forwards.delete(child);
            },
          });
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('exit', () => {
        forwards.delete(child);
        clearTimeout(timer);
        reject(new Error(`port-forward ${target} exited: ${output}`));
      });
    });
  const killInPod = async (namespace: string, pod: string, match: string) => {
    const uid = (
      await kubectlOk('-n', namespace, 'get', 'pod', pod, '-o', 'jsonpath={.metadata.uid}')
    ).trim();
    if (!uid) throw new Error(`pod ${namespace}/${pod} has no uid`);
    let killed = 0;
    for (const entry of await readdir('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const cgroup = await readFile(`/proc/${entry}/cgroup`, 'utf8').catch(() => '');
      // cgroupfs names a pod's cgroup pod<uid> (dashes kept on cgroup v1).
      if (!cgroup.includes(`pod${uid}`)) continue;
      const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
      if (!cmdline.replaceAll('\0', ' ').includes(match)) continue;
      process.kill(Number(entry), 'SIGKILL');
      killed++;
    }
    return killed;
  };
  return {
    layout: paths,
    images,
    kubectl,
    kubectlOk,
    helm,
    portForward,
    killInPod,
    stop: async () => {
      for (const child of forwards) child.kill();
      // For a look after a failure: FABRIC_WALLET_KEEP_CLUSTER=1 leaves it up (npm run cluster --
      // down with FABRIC_WALLET_CLUSTER_DIR=.data/cluster-e2e stops it).
      if (process.env.FABRIC_WALLET_KEEP_CLUSTER === '1') return [];
      await down(root, log);
      return leftovers(root);
    },
  };
}
