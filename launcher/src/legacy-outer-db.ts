import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { connectDatabase, exportAccounts, importAccounts, type MigrationCounts } from '@fabric-wallet/api';
import { freePort, waitForTcp } from '@fabric-wallet/operator/local';
import { legacyOuterDbServer, repoRoot } from '@fabric-wallet/operator/tools';

/**
 * `npm start` on a data dir of a release before the FerretDB v2 switch: its accounts are read
 * through FerretDB v1 before anything starts, then moved into the new outer DB once that
 * runs (api/src/db/migrate-v1.ts says what moves and what is re-indexed from the ledger).
 */
export class LegacyOuterDb {
  /** The old outer DB's directory, and the export file between the two steps. */
  readonly dir: string;
  readonly exportFile: string;

  constructor(
    dataDir: string,
    private readonly dbName: string,
  ) {
    this.dir = join(dataDir, 'ferretdb');
    this.exportFile = join(dataDir, 'outer-db-v1-accounts.ejson');
  }

  /**
   * Step 1: builds FerretDB v1 if needed (tool bootstrap), runs it on the old directory
   * (loopback, telemetry off, its state elsewhere) and exports the accounts.
   */
  async read(): Promise<MigrationCounts> {
    const bootstrap = spawn('bash', [join(repoRoot, 'scripts', 'tools', 'bootstrap.sh'), 'ferretdb-v1'], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const [code] = (await once(bootstrap, 'exit')) as [number | null];
    if (code !== 0) throw new Error('the tool bootstrap could not build FerretDB v1 (see the lines above)');
    const state = `${this.dir}-v1-state`;
    await mkdir(state, { recursive: true });
    const port = await freePort();
    const server = legacyOuterDbServer(this.dir, state, port);
    const child = spawn(server.command, server.args, {
      cwd: server.cwd,
      env: server.env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
    try {
      await waitForTcp(port, 30_000, () => child.exitCode === null);
      return await exportAccounts(server.uri, this.dbName, this.exportFile);
    } catch (error) {
      await rm(this.exportFile, { force: true });
      const last = stderr.trim().split('\n').slice(-3).join(' | ');
      throw new Error(`${(error as Error).message}${last ? ` (FerretDB v1: ${last})` : ''}`, {
        cause: error,
      });
    } finally {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
      await rm(state, { recursive: true, force: true });
    }
  }

  /**
   * Step 2: imports the export into the outer DB at `uri`, then renames the old directory
   * (kept, not deleted) so the next start does not move it again. Returns the kept path.
   */
  async move(uri: string): Promise<{ kept: string; documents: number; alreadyThere: number }> {
    const db = await connectDatabase(uri, this.dbName);
    try {
      const result = await importAccounts(db.db, this.exportFile);
      const kept = `${this.dir}-v1-migrated-${new Date().toISOString().replaceAll(':', '').slice(0, 17)}`;
      await rename(this.dir, kept);
      return { kept, documents: result.documents, alreadyThere: result.alreadyThere };
    } finally {
      await db.close();
      await rm(this.exportFile, { force: true });
    }
  }
}

/** "1 document", "12 documents". */
export function documents(n: number): string {
  return `${String(n)} document${n === 1 ? '' : 's'}`;
}

/** "12 documents (users 3, addresses 6, ...)": empty collections left out. */
export function describeCounts(counts: MigrationCounts): string {
  const parts = Object.entries(counts.collections)
    .filter(([, n]) => n > 0)
    .map(([name, n]) => `${name} ${String(n)}`);
  return `${documents(counts.documents)}${parts.length ? ` (${parts.join(', ')})` : ''}`;
}
