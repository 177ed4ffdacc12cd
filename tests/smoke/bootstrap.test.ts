import { execFileSync } from 'node:child_process';
import { symlink } from 'node:fs/promises';
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

  it('refuses an unknown tool by name', async () => {
    const { code, output } = await run('bash', [bootstrap, 'kafka']);

    expect(code).toBe(1);
    expect(output).toContain(
      "unknown tool 'kafka' (known: fabric fabric-ca ferretdb etcd kubernetes helm skaffold-schema)",
    );
  });
});
