import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Layout } from './layout.js';

const BASE = '/sys/fs/cgroup';

/**
 * This cluster's cgroup root in every mounted hierarchy (cgroup v1: one per controller, plus
 * the named systemd one). The kubelet (cgroupfs driver) puts its kubepods tree there.
 */
export async function cgroupDirs(layout: Layout): Promise<string[]> {
  const dirs: string[] = [];
  for (const hierarchy of await readdir(BASE).catch(() => [] as string[])) {
    const path = join(BASE, hierarchy);
    const isHierarchy = await stat(join(path, 'cgroup.procs')).then(
      () => true,
      () => false,
    );
    if (isHierarchy) dirs.push(join(path, layout.cgroup));
  }
  return dirs;
}

/**
 * Creates the cgroup root before the kubelet starts (it refuses a root that does not exist).
 * A new cpuset cgroup has no CPUs or memory nodes of its own: it gets its parent's, or no
 * task could ever join it or a child.
 */
export async function createCgroupRoot(layout: Layout): Promise<void> {
  for (const dir of await cgroupDirs(layout)) {
    await mkdir(dir, { recursive: true });
    if (dir.startsWith(join(BASE, 'cpuset')))
      for (const file of ['cpuset.cpus', 'cpuset.mems']) {
        // Read and written whole: cgroup files report no size, so a file copy copies nothing.
        const value = (await readFile(join(dir, '..', file), 'utf8')).trim();
        if ((await readFile(join(dir, file), 'utf8')).trim() === '') await writeFile(join(dir, file), value);
      }
  }
}
