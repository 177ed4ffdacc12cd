import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { up } from './cluster.js';

describe('cluster up', () => {
  const saved = process.env.FABRIC_WALLET_TOOLS_DIR;
  afterEach(() => {
    if (saved === undefined) delete process.env.FABRIC_WALLET_TOOLS_DIR;
    else process.env.FABRIC_WALLET_TOOLS_DIR = saved;
  });

  it('names the missing tool and the command that builds it, and starts nothing', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'no-tools-'));
    const root = await mkdtemp(join(tmpdir(), 'no-cluster-'));
    process.env.FABRIC_WALLET_TOOLS_DIR = empty;
    const said: string[] = [];
    try {
      const attempt = up(root, (line) => said.push(line));
      await expect(attempt).rejects.toThrow(
        process.getuid?.() === 0
          ? /etcd is not built .*run: bash scripts\/tools\/bootstrap\.sh etcd/
          : /needs root/,
      );
      expect(said).toEqual([]);
    } finally {
      await rm(empty, { recursive: true, force: true });
      await rm(root, { recursive: true, force: true });
    }
  });
});
