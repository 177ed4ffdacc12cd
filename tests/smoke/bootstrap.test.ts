import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, toolDir } from '@fabric-wallet/operator/tools';
import { run } from '../support/processes.js';
import { tempDir, type TempDir } from '../support/temp.js';

const bootstrap = join(repoRoot, 'scripts', 'tools', 'bootstrap.sh');

describe('the tool bootstrap', () => {
  let dir: TempDir;

  beforeAll(async () => {
    dir = await tempDir('bootstrap');
  });

  afterAll(async () => {
    await dir.remove();
  });

  it('puts each tool where the TypeScript side looks for it', async () => {
    const { code, output } = await run('bash', [bootstrap, 'all', '--print-dirs']);

    expect(code, output).toBe(0);
    const dirs = Object.fromEntries(
      output
        .trim()
        .split('\n')
        .map((line) => line.split('=') as [string, string]),
    );
    for (const tool of [
      'fabric',
      'fabric-ca',
      'ferretdb',
      'ferretdb-v1',
      'etcd',
      'kubernetes',
      'helm',
      'skaffold-schema',
    ] as const) {
      expect(dirs[tool], tool).toBe(toolDir(tool));
    }
  });

  it('names the missing prerequisite in one line when go is not on PATH', async () => {
    // A PATH with the shell tools the script uses, but no go.
    for (const tool of [
      'bash',
      'sed',
      'cut',
      'grep',
      'tail',
      'sleep',
      'date',
      'flock',
      'mkdir',
      'rm',
      'cat',
      'dirname',
    ]) {
      await symlink(
        execFileSync('bash', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim(),
        join(dir.path, tool),
      );
    }

    const { code, output } = await run(join(dir.path, 'bash'), [bootstrap, 'ferretdb'], {
      PATH: dir.path,
      FABRIC_WALLET_TOOLS_DIR: join(dir.path, 'cache'),
    });

    expect(code).toBe(1);
    expect(output.trim()).toBe(
      "[tools] ERROR: prerequisite missing: 'go' (Go 1.26 or newer) is not on PATH; install Go and run this again",
    );
  });

  describe('Fabric from its source archive', () => {
    const fabric = (env: Record<string, string>) =>
      run('bash', [bootstrap, 'fabric'], { FABRIC_WALLET_TOOLS_DIR: join(dir.path, 'fabric-cache'), ...env });

    it('names where it looked and what to set when the archive is missing', async () => {
      const missing = join(dir.path, 'nowhere', 'fabric.tar.gz');

      const { code, output } = await fabric({
        FABRIC_SOURCE_ARCHIVE: missing,
        FABRIC_SOURCE_SHA256: '0'.repeat(64),
      });

      expect(code).toBe(1);
      const errors = output.split('\n').filter((line) => line.includes('ERROR'));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toContain(`source archive not found at ${missing}`);
      expect(errors[0]).toContain('FABRIC_SOURCE_ARCHIVE=<path> and FABRIC_SOURCE_SHA256=<sha256>');
    });

    it('refuses an archive whose sha256 differs from the pinned one, naming both', async () => {
      const archive = join(dir.path, 'tampered.tar.gz');
      await writeFile(archive, 'not the release');
      const actual = createHash('sha256').update('not the release').digest('hex');
      const pinned = 'a'.repeat(64);

      const { code, output } = await fabric({ FABRIC_SOURCE_ARCHIVE: archive, FABRIC_SOURCE_SHA256: pinned });

      expect(code).toBe(1);
      expect(output).toContain(`sha256 mismatch for ${archive}: expected ${pinned}, got ${actual}`);
      expect(
        existsSync(
          join(
            toolDir('fabric', {
              ...process.env,
              FABRIC_SOURCE_SHA256: pinned,
              FABRIC_WALLET_TOOLS_DIR: join(dir.path, 'fabric-cache'),
            }),
            '.done',
          ),
        ),
      ).toBe(false);
    });

    it('asks for the sha256 when another archive is named without one', async () => {
      const { code, output } = await fabric({ FABRIC_SOURCE_ARCHIVE: join(dir.path, 'x.tar.gz') });

      expect(code).toBe(1);
      expect(output).toContain('FABRIC_SOURCE_SHA256 is not');
    });

    it('keys the cache directory on the archive sha256, as the TypeScript side does', async () => {
      const sha = 'b'.repeat(64);

      const { code, output } = await run('bash', [bootstrap, 'fabric', '--print-dirs'], {
        FABRIC_SOURCE_SHA256: sha,
      });

      expect(code, output).toBe(0);
      expect(output.trim()).toBe(
        `fabric=${toolDir('fabric', { ...process.env, FABRIC_SOURCE_SHA256: sha })}`,
      );
      expect(output).toContain(`-bbbbbbbbbbbb`);
    });
  });

  it('refuses an unknown tool by name', async () => {
    const { code, output } = await run('bash', [bootstrap, 'kafka']);

    expect(code).toBe(1);
    expect(output).toContain(
      "unknown tool 'kafka' (known: fabric fabric-ca ferretdb ferretdb-v1 etcd kubernetes helm skaffold-schema containerd runc cni-plugins coredns crane)",
    );
  });
});
