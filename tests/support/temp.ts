import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A directory a test owns, and how to remove it. */
export interface TempDir {
  readonly path: string;
  readonly remove: () => Promise<void>;
}

/** A fresh directory under the OS temp dir. */
export async function tempDir(prefix: string): Promise<TempDir> {
  const path = await mkdtemp(join(tmpdir(), `fabric-wallet-${prefix}-`));
  return { path, remove: () => rm(path, { recursive: true, force: true, maxRetries: 5 }) };
}
