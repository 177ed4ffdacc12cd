import { mkdir } from 'node:fs/promises';
import { legacyOuterDbServer, prepareOuterDb, type OuterDbServer } from '@fabric-wallet/operator/tools';
import { freePort } from './ports.js';
import { startProcess, type Started } from './processes.js';

/**
 * The outer DB's real local server on free loopback ports, data in `dir`: PostgreSQL with
 * DocumentDB, and FerretDB v2 (telemetry off) in front of it. `process.stop()` stops both,
 * FerretDB first. PostgreSQL writes its log to `<dir>/postgres.log`.
 */
export async function startFerretDb(
  dir: string,
  options: { readonly postgresSettings?: readonly string[] } = {},
): Promise<{ uri: string; process: Started } & Pick<OuterDbServer, 'sql' | 'compoundIndexesToRebuild'>> {
  const ports = { postgres: await freePort(), ferretdb: await freePort() };
  const server = await prepareOuterDb(dir, ports);
  const start = (spec: typeof server.postgres) =>
    startProcess(spec.name, spec.command, spec.args, { cwd: spec.cwd, logDir: dir, env: spec.env });
  // Extra settings (a test's diagnostics) after the server's own: the last -c wins.
  const extra = (options.postgresSettings ?? []).flatMap((setting) => ['-c', setting]);
  const postgres = start({ ...server.postgres, args: [...server.postgres.args, ...extra] });
  await postgres.listening(ports.postgres, 60_000);
  await server.initialise();
  const ferretdb = start(server.ferretdb);
  await ferretdb.listening(ports.ferretdb, 30_000);
  const both: Started = {
    ...ferretdb,
    alive: () => ferretdb.alive() && postgres.alive(),
    stop: async () => {
      await ferretdb.stop();
      await postgres.stop();
    },
  };
  return {
    uri: server.uri,
    process: both,
    sql: server.sql,
    compoundIndexesToRebuild: server.compoundIndexesToRebuild,
  };
}

/**
 * FerretDB v1 on SQLite, as releases before the v2 switch ran the outer DB: the files go to
 * `sqliteDir` (a data dir's `ferretdb/`), its own state and log to `stateDir`.
 */
export async function startLegacyFerretDb(
  sqliteDir: string,
  stateDir: string,
): Promise<{ uri: string; process: Started }> {
  const port = await freePort();
  await mkdir(sqliteDir, { recursive: true });
  await mkdir(stateDir, { recursive: true });
  const server = legacyOuterDbServer(sqliteDir, stateDir, port);
  const started = startProcess(server.name, server.command, server.args, {
    cwd: server.cwd,
    logDir: stateDir,
    env: server.env,
  });
  await started.listening(port, 30_000);
  return { uri: server.uri, process: started };
}
