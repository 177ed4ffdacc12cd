import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { access, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ProcessSpec } from '../runtime/local/supervisor.js';
import { toolDir } from './paths.js';
import { toolVersion } from './versions.js';

/**
 * The outer DB's local server as the tool bootstrap builds it: PostgreSQL with the DocumentDB
 * extension (real secondary indexes) and FerretDB v2 in front of it speaking the MongoDB wire
 * protocol. `npm start` runs both under its supervisor and the tests start them as child
 * processes; both get their commands from here. Data lives in `<dir>/pg` (PostgreSQL) and
 * `<dir>/ferretdb` (FerretDB's state). Loopback only, no Unix sockets, telemetry off.
 */

const run = promisify(execFile);

/** A process to start: what the supervisor's ProcessSpec holds, less the log file. */
export type ServerCommand = Omit<ProcessSpec, 'logFile'>;

export interface OuterDbServer {
  readonly postgres: ServerCommand;
  readonly ferretdb: ServerCommand;
  /** The MongoDB connection string of the FerretDB listener. */
  readonly uri: string;
  /** Once PostgreSQL listens: creates the DocumentDB extension if missing (idempotent). */
  readonly initialise: () => Promise<void>;
  /** Runs one SQL command with psql as the superuser (maintenance and tests: ANALYZE). */
  readonly sql: (command: string) => Promise<string>;
  /**
   * Compound indexes made before the composite operator class was switched on (a data dir of
   * an earlier version): drop them through the wire protocol and create them again.
   */
  readonly compoundIndexesToRebuild: () => Promise<OuterDbIndex[]>;
}

/** The private PostgreSQL installation inside the tool's cache directory. */
export function postgresBinDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(
    toolDir('ferretdb', env),
    'pg',
    'usr',
    'lib',
    'postgresql',
    toolVersion('POSTGRES_MAJOR'),
    'bin',
  );
}

/**
 * PostgreSQL refuses to run as root. As root (this machine, containers) it runs in a user
 * namespace where the caller is an ordinary user (`unshare --map-user`): files owned by root
 * are its own there, so the data directory, the tool cache and temporary folders need no
 * chown and no permission changes. Anyone else runs it directly.
 */
function asPostgresUser(command: string, args: readonly string[]): { command: string; args: string[] } {
  if (process.getuid?.() !== 0) return { command, args: [...args] };
  // initdb looks the uid up by name, so map to an account that exists: postgres (Debian's
  // PostgreSQL package makes it), else nobody.
  const uid = accountUid('postgres') ?? accountUid('nobody') ?? 65534;
  return {
    command: 'unshare',
    args: [`--map-user=${String(uid)}`, `--map-group=${String(uid)}`, '--', command, ...args],
  };
}

function accountUid(name: string): number | undefined {
  try {
    const line = readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((entry) => entry.startsWith(`${name}:`));
    const uid = Number(line?.split(':')[2]);
    return line && Number.isInteger(uid) && uid > 0 ? uid : undefined;
  } catch {
    return undefined;
  }
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/**
 * The server's settings, given on its command line at every start (so a data dir made by an
 * earlier version runs with this version's settings): DocumentDB's preloaded libraries,
 * pg_cron's database and DocumentDB's feature flags.
 */
function postgresSettings(port: number): string[] {
  return [
    `port=${String(port)}`,
    'listen_addresses=127.0.0.1',
    'unix_socket_directories=',
    'shared_preload_libraries=pg_cron,pg_documentdb_core,pg_documentdb',
    'cron.database_name=postgres',
    'documentdb.enableLetAndCollationForQueryMatch=on',
    'documentdb.enableNowSystemVariable=on',
    'documentdb.enableSortbyIdPushDownToPrimaryKey=on',
    'documentdb.enableSchemaValidation=on',
    'documentdb.enableBypassDocumentValidation=on',
    'documentdb.enableUserCrud=on',
    'documentdb.maxUserLimit=100',
    // A compound index as one composite key (`bson_rum_composite_path_ops`) instead of one
    // single-path key per field: an equality on all its fields then reads only the matching
    // entries. With single-path keys `utxos {userId, spent: false}` intersected the user's
    // coins with every unspent coin of every user (26 ms at 100k users instead of 0.2 ms;
    // docs/performance.md). Both settings are needed, and they apply to indexes created
    // after them (see compoundIndexesToRebuild).
    'documentdb.enableNewCompositeIndexOpClass=on',
    'documentdb.defaultUseCompositeOpClass=on',
    // No JIT compilation: DocumentDB's row estimate for an index condition is a fixed share
    // of the table (300,002 of 1.2M coins for one user's 4), so at 100k users a sorted
    // balance read crossed jit_above_cost and spent 4-8 ms compiling for a 0.2 ms execution
    // (docs/performance.md, finding 6). Short indexed queries never gain from JIT.
    'jit=off',
    // Fresh statistics soon after bulk writes, so the planner picks the secondary indexes.
    'autovacuum_naptime=1s',
    'log_min_messages=warning',
  ];
}

/** An index of the outer DB, as the MongoDB wire protocol names it. */
export interface OuterDbIndex {
  readonly database: string;
  readonly collection: string;
  readonly index: string;
}

/** initdb of `data` on first use (trust auth on loopback, UTF-8, C locale). */
async function initdbOnce(dir: string, bin: string, data: string): Promise<void> {
  if (await exists(join(data, 'PG_VERSION'))) return;
  const initdb = asPostgresUser(join(bin, 'initdb'), [
    `--pgdata=${data}`,
    '--username=postgres',
    '--auth=trust',
    '--encoding=UTF8',
    '--locale=C.UTF-8',
    '--no-instructions',
  ]);
  try {
    await run(initdb.command, initdb.args, { cwd: dir });
  } catch (error) {
    const detail = (error as { stderr?: string }).stderr?.trim() ?? String(error);
    throw new Error(`initdb of the outer DB in ${data} failed: ${detail}`, { cause: error });
  }
  await writeFile(join(dir, 'README'), 'Outer DB: PostgreSQL data in pg/, FerretDB state in ferretdb/.\n');
}

/** Runs one SQL command through psql and returns its unaligned output. */
const psql = (bin: string, pgUrl: string) => async (command: string) =>
  (
    await run(join(bin, 'psql'), [
      '--no-psqlrc',
      '--quiet',
      '--tuples-only',
      '--no-align',
      `--dbname=${pgUrl}`,
      '--set=ON_ERROR_STOP=1',
      `--command=${command}`,
    ])
  ).stdout;

/** Indexes DocumentDB built as compound RUM indexes (slow for our equality queries): to rebuild. */
async function compoundIndexes(sql: (command: string) => Promise<string>): Promise<OuterDbIndex[]> {
  const rows = await sql(
    "SELECT c.database_name || '\t' || c.collection_name || '\t' || (i.index_spec).index_name " +
      'FROM documentdb_api_catalog.collection_indexes i ' +
      'JOIN documentdb_api_catalog.collections c USING (collection_id) ' +
      "WHERE pg_get_indexdef(to_regclass('documentdb_data.documents_rum_index_' || i.index_id)) " +
      "LIKE '%bson_rum_single_path_ops%bson_rum_single_path_ops%'",
  );
  return rows
    .split('\n')
    .map((row) => row.trim().split('\t'))
    .filter((fields) => fields.length === 3)
    .map(([database = '', collection = '', index = '']) => ({ database, collection, index }));
}

/** Creates the DocumentDB extension once PostgreSQL serves (it accepts connections a moment before). */
async function createDocumentDb(sql: (command: string) => Promise<string>): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await sql('CREATE EXTENSION IF NOT EXISTS documentdb CASCADE');
      return;
    } catch (error) {
      const detail = (error as { stderr?: string }).stderr?.trim() ?? String(error);
      if (Date.now() > deadline)
        throw new Error(`the outer DB's PostgreSQL did not accept the DocumentDB extension: ${detail}`, {
          cause: error,
        });
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/**
 * Prepares `<dir>` (initdb on first use; later the port is taken from the command line, so a
 * data dir moves between ports freely) and returns how to start both servers.
 */
export async function prepareOuterDb(
  dir: string,
  ports: { readonly postgres: number; readonly ferretdb: number },
  env: NodeJS.ProcessEnv = process.env,
): Promise<OuterDbServer> {
  const bin = postgresBinDir(env);
  const data = join(dir, 'pg');
  const state = join(dir, 'ferretdb');
  await mkdir(state, { recursive: true });
  await initdbOnce(dir, bin, data);
  const postgres = asPostgresUser(join(bin, 'postgres'), [
    '-D',
    data,
    ...postgresSettings(ports.postgres).flatMap((setting) => ['-c', setting]),
  ]);
  const pgUrl = `postgres://postgres@127.0.0.1:${String(ports.postgres)}/postgres`;
  const sql = psql(bin, pgUrl);
  return {
    postgres: {
      name: 'postgres',
      ...postgres,
      // pg_documentdb.so links to pg_documentdb_core.so by name, found in PostgreSQL's own
      // lib directory only when that is a system path; this copy is not.
      env: { PATH: env.PATH ?? '', LD_LIBRARY_PATH: join(bin, '..', 'lib') },
      cwd: dir,
    },
    ferretdb: {
      name: 'ferretdb',
      command: join(toolDir('ferretdb', env), 'bin', 'ferretdb'),
      args: [
        `--postgresql-url=${pgUrl}`,
        `--listen-addr=127.0.0.1:${String(ports.ferretdb)}`,
        '--telemetry=disable',
        '--debug-addr=-',
        `--state-dir=${state}`,
        '--no-auth',
        '--log-level=warn',
      ],
      env: { PATH: env.PATH ?? '', DO_NOT_TRACK: '1' },
      cwd: dir,
    },
    uri: `mongodb://127.0.0.1:${String(ports.ferretdb)}/`,
    sql,
    compoundIndexesToRebuild: () => compoundIndexes(sql),
    initialise: () => createDocumentDb(sql),
  };
}

/**
 * FerretDB v1 with its SQLite backend on the outer DB directory of a release before the v2
 * switch (`<data>/ferretdb/*.sqlite`), to read that data dir's accounts once
 * (`bash scripts/tools/bootstrap.sh ferretdb-v1` builds it). Loopback only, telemetry off;
 * its own state goes to `stateDir`, so the old directory is only read.
 */
export function legacyOuterDbServer(
  sqliteDir: string,
  stateDir: string,
  port: number,
  env: NodeJS.ProcessEnv = process.env,
): ServerCommand & { readonly uri: string } {
  return {
    name: 'ferretdb-v1',
    command: join(toolDir('ferretdb-v1', env), 'bin', 'ferretdb'),
    args: [
      '--handler=sqlite',
      `--sqlite-url=file:${sqliteDir}/`,
      `--listen-addr=127.0.0.1:${String(port)}`,
      '--telemetry=disable',
      '--debug-addr=-',
      `--state-dir=${stateDir}`,
      '--log-level=warn',
    ],
    env: { PATH: env.PATH ?? '', DO_NOT_TRACK: '1' },
    cwd: stateDir,
    uri: `mongodb://127.0.0.1:${String(port)}/`,
  };
}
