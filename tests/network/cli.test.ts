import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { access, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseNetwork } from '@fabric-wallet/operator/api';
import { repoRoot } from '@fabric-wallet/operator/tools';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../support/processes.js';
import { tempDir, type TempDir } from '../support/temp.js';

/**
 * The local runtime as a user drives it: `npm run network -- up|status|scale|down`, here with
 * a 3-node Raft ordering service, scaled by command and by editing the manifest while it runs.
 */

const cli = join(repoRoot, 'operator', 'dist', 'cli', 'local.js');

describe('the network command line (3 Raft orderers)', () => {
  let dir: TempDir;
  let manifest: string;
  let dataDir: string;
  let up: ChildProcess;
  let output = '';

  const command = (...args: string[]) =>
    run(process.execPath, [cli, ...args, '--manifest', manifest, '--data', dataDir]);

  async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 180_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (up.exitCode !== null) throw new Error(`network exited while waiting for ${what}:\n${output}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  const statusRow = async (name: string) =>
    (await command('status')).output.split('\n').find((line) => line.includes(` ${name} `)) ?? '';

  beforeAll(async () => {
    await access(cli).catch(() => {
      throw new Error(`${cli} is missing: run npm run build (npm test builds first)`);
    });
    dir = await tempDir('cli');
    manifest = join(dir.path, 'network.yaml');
    dataDir = join(dir.path, 'data');
    const text = await readFile(join(repoRoot, 'manifests', 'local', 'network.yaml'), 'utf8');
    await writeFile(manifest, text.replace(/(kind: FabricOrdererSet[\s\S]*?replicas: )1/, '$13'));
    up = spawn(process.execPath, [cli, 'up', '--manifest', manifest, '--data', dataDir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    up.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    up.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitFor('the network to come up', () => Promise.resolve(output.includes('network is up')));
  });

  afterAll(async () => {
    if (up.exitCode === null) {
      up.kill('SIGTERM');
      await once(up, 'exit');
    }
    await dir.remove();
  });

  it('prints each phase with its duration while it comes up', () => {
    for (const phase of [
      'certificate authorities and identities',
      'orderers',
      'peers',
      'channel payments',
      'chaincode token',
    ]) {
      expect(output).toMatch(new RegExp(`${phase} done in \\d+\\.\\d s`));
    }
    expect(output).toMatch(/orderer-2 joined payments/);
  });

  it('shows every resource ready in status, each set at the replicas the manifest asks for', async () => {
    const { peerSets } = parseNetwork(await readFile(manifest, 'utf8'));

    const { code, output: table } = await command('status');

    expect(code).toBe(0);
    expect(table).toMatch(/FabricOrdererSet\s+orderer\s+True\s+3\/3/);
    for (const { metadata, spec } of peerSets) {
      const replicas = `${String(spec.replicas)}/${String(spec.replicas)}`;
      expect(table).toMatch(new RegExp(`FabricPeerSet\\s+${metadata.name}\\s+True\\s+${replicas}`));
    }
    expect(table).toMatch(/FabricChaincode\s+token\s+True/);
    expect(table).toMatch(/running \(pid \d+\)/);
  });

  it('scales the wallet peers to 3 with the scale command', async () => {
    const scaled = await command('scale', 'wallet', '3');

    expect(scaled.code, scaled.output).toBe(0);
    await waitFor('wallet-2 to get the chaincode', () =>
      Promise.resolve(output.includes('installed token_1.0 on wallet-2')),
    );
    expect(output).toMatch(/wallet-2 joined payments/);
    expect(await statusRow('wallet')).toMatch(/True\s+3\/3/);
    expect(await readFile(manifest, 'utf8')).toMatch(/name: wallet\n[\s\S]*?replicas: 3/);
  });

  it('scales the cinema peers when the manifest file is edited while running', async () => {
    const text = await readFile(manifest, 'utf8');

    await writeFile(manifest, text.replace(/(name: cinema\n[\s\S]*?replicas: )1/, '$12'));

    await waitFor('cinema-1 to get the chaincode', () =>
      Promise.resolve(output.includes('installed token_1.0 on cinema-1')),
    );
    expect(output).toMatch(/cinema-1 joined payments/);
    expect(await statusRow('cinema')).toMatch(/True\s+2\/2/);
  });

  it('refuses an invalid scale with a clear message and leaves the manifest as it was', async () => {
    const before = await readFile(manifest, 'utf8');

    const negative = await command('scale', 'wallet', '-1');
    const unknown = await command('scale', 'nosuchset', '2');

    expect(negative.code).not.toBe(0);
    expect(negative.output).toContain('usage: scale');
    expect(unknown.output).toContain('no FabricPeerSet nosuchset');
    expect(await readFile(manifest, 'utf8')).toBe(before);
  });

  it('stops every process on SIGTERM and leaves the data for the next start', async () => {
    const pids = await Promise.all(
      (await readdir(join(dataDir, 'run'))).map(async (file) =>
        Number(await readFile(join(dataDir, 'run', file), 'utf8')),
      ),
    );

    up.kill('SIGTERM');
    const [code] = (await once(up, 'exit')) as [number];

    expect(code).toBe(0);
    expect(output).toContain('stopped');
    expect(pids.length).toBeGreaterThan(10);
    const alive = pids.filter((pid) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    });
    expect(alive).toEqual([]);
    expect(await readdir(join(dataDir, 'run'))).toEqual([]);
    expect((await command('status')).output).toContain('not running');
  });
});

describe('the network command line without --manifest', () => {
  it('scales the data dir’s own copy of the sample and never edits the tracked sample', async () => {
    const dir = await tempDir('cli-default-manifest');
    const samplePath = join(repoRoot, 'manifests', 'local', 'network.yaml');
    const sample = await readFile(samplePath, 'utf8');
    const data = join(dir.path, 'data');
    try {
      const first = await run(process.execPath, [cli, 'scale', 'wallet', '3', '--data', data]);
      const second = await run(process.execPath, [cli, 'scale', 'cinema', '2', '--data', data]);

      expect(first.code, first.output).toBe(0);
      expect(second.code, second.output).toBe(0);
      const copy = await readFile(join(data, 'network.yaml'), 'utf8');
      expect(copy).toMatch(/name: wallet\n[\s\S]*?replicas: 3/);
      expect(copy).toMatch(/name: cinema\n[\s\S]*?replicas: 2/);
      expect(await readFile(samplePath, 'utf8')).toBe(sample);
    } finally {
      await dir.remove();
    }
  });
});
