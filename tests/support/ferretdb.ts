import { prepareOuterDb, type OuterDbServer } from '@fabric-wallet/operator/tools';
import { freePort } from './ports.js';
import { startProcess, type Started } from './processes.js';

/**
 * The outer DB's real local server on free loopback ports, data in `dir`: PostgreSQL with
 * DocumentDB, and FerretDB v2 (telemetry off) in front of it. `process.stop()` stops both,
 * FerretDB first.
 */
export async function startFerretDb(
  dir: string,
): Promise<{ uri: string; process: Started } & Pick<OuterDbServer, 'sql' | 'compoundIndexesToRebuild'>> {
  const ports = { postgres: await freePort(), ferretdb: await freePort() };
  const server = await prepareOuterDb(dir, ports);
  const start = (spec: typeof server.postgres) =>
    startProcess(spec.name, spec.command, spec.args, { cwd: spec.cwd, logDir: dir, env: spec.env });
  const postgres = start(server.postgres);
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
