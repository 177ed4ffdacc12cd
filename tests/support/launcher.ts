import { spawn, type ChildProcess } from 'node:child_process';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { repoRoot } from '@fabric-wallet/operator/tools';
import { freePort } from './ports.js';

/** What `npm start` runs after the bootstrap and build. */
export const launcherScript = join(repoRoot, 'launcher', 'dist', 'start-local.js');

export interface Launcher {
  readonly child: ChildProcess;
  /** Everything it printed so far (stdout and stderr). */
  readonly output: () => string;
}

/** Runs the launcher on `dataDir` with `env` added, collecting its output. */
export async function spawnLauncher(dataDir: string, env: NodeJS.ProcessEnv): Promise<Launcher> {
  await access(launcherScript).catch(() => {
    throw new Error(`${launcherScript} is missing: run npm run build (npm test builds first)`);
  });
  let output = '';
  const child = spawn(process.execPath, [launcherScript, '--data', dataDir], {
    env: { ...process.env, MONGODB_URI: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output };
}

/**
 * The whole system as `npm start` runs it (network, outer DB, indexer, API, demo data) on a
 * free port, once it has said it is up; `base` is the API's URL.
 */
export async function startLauncher(
  dataDir: string,
  timeoutMs: number,
  env: NodeJS.ProcessEnv = {},
): Promise<Launcher & { readonly base: string }> {
  const port = await freePort();
  const launched = await spawnLauncher(dataDir, { API_PORT: String(port), LOG_LEVEL: 'warn', ...env });
  const deadline = Date.now() + timeoutMs;
  while (!launched.output().includes('Ctrl-C stops everything')) {
    if (launched.child.exitCode !== null) throw new Error(`the launcher exited early:\n${launched.output()}`);
    if (Date.now() > deadline) throw new Error(`the launcher did not finish starting:\n${launched.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return { ...launched, base: `http://127.0.0.1:${String(port)}` };
}
