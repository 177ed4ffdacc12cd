import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  ConfigError,
  createLogger,
  dropIndexes,
  KeyringError,
  LOCAL_DB_NAME,
  localApiConfig,
  localFabricConfig,
  moneyConfigFromEnv,
  runApi,
  VaultKeyring,
  type MoneyConfig,
  type RunningApi,
} from '@fabric-wallet/api';
import { dataDirManifest, runLocalNetwork, waitForTcp } from '@fabric-wallet/operator/local';
import { prepareOuterDb, repoRoot, toolVersion } from '@fabric-wallet/operator/tools';
import { describeCounts, documents, LegacyOuterDb } from './legacy-outer-db.js';

/**
 * `npm start`: the whole system on this machine. The Fabric network of the manifest (kept
 * reconciled as the manifest changes), FerretDB v2 on PostgreSQL + DocumentDB as the outer DB
 * (or MONGODB_URI), the
 * indexer, the API with its docs, and a demo cinema with screenings.
 */

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? (args[i + 1] ?? fallback) : fallback;
};
const dataDir = resolve(
  option('--data', process.env.FABRIC_WALLET_DATA_DIR ?? join(repoRoot, '.data', 'network')),
);
// The data dir's own copy of the sample unless one is named: scaling never edits a tracked file.
const named = option('--manifest', '');
const manifest = named ? resolve(named) : await dataDirManifest(dataDir);
const apiPort = Number(process.env.API_PORT ?? '8080');
const say = (line: string) => process.stdout.write(`[wallet] ${line}\n`);

/** Whether `dir` holds a file ending in `suffix` (false when it does not exist). */
async function hasFiles(dir: string, suffix: string): Promise<boolean> {
  try {
    return (await readdir(dir)).some((name) => name.endsWith(suffix));
  } catch {
    return false;
  }
}

/** A secret generated once and kept in the data dir (mode 0600); never printed. */
/** A secret kept in the data dir (mode 0600), made by `generate` the first time. */
async function secretFile(
  name: string,
  generate = () => `${randomBytes(18).toString('base64url')}\n`,
): Promise<{ value: string; path: string }> {
  const path = join(dataDir, name);
  try {
    return { value: (await readFile(path, 'utf8')).trim(), path };
  } catch {
    const value = generate();
    await writeFile(path, value, { mode: 0o600 });
    return { value: value.trim(), path };
  }
}

if (!Number.isInteger(apiPort) || apiPort < 1 || apiPort > 65535) {
  say(`API_PORT must be a port number, got ${process.env.API_PORT ?? ''}`);
  process.exit(2);
}
let money: MoneyConfig;
try {
  money = moneyConfigFromEnv(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  say(error.problems.join('; '));
  process.exit(2);
}

// The API's port is held from here until the API binds it: the network started meanwhile
// allocates a score of loopback ports, and one of them must not be this one (seen once: the
// API then found its port taken). A port already in use is said now, before anything starts.
const apiPortHold = createServer();
try {
  await new Promise<void>((resolve, reject) => {
    apiPortHold.once('error', reject);
    apiPortHold.listen(apiPort, '127.0.0.1', resolve);
  });
} catch (error) {
  const inUse = (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
  say(inUse ? `port ${String(apiPort)} is in use: set API_PORT to another port` : String(error));
  process.exit(1);
}

// A data dir of an earlier version: its FerretDB v1 (SQLite) outer DB holds the accounts. They
// are read before anything starts (a failure changes nothing), and moved once the new outer
// DB runs; the ledger part is re-indexed from block 0.
const legacy = new LegacyOuterDb(dataDir, LOCAL_DB_NAME);
let migrating = false;
if (!process.env.MONGODB_URI && (await hasFiles(legacy.dir, '.sqlite'))) {
  say(
    `${legacy.dir} holds the outer DB of an earlier version (FerretDB v1, SQLite): moving its accounts ` +
      'to the new outer DB; tokens, bills and tickets are re-indexed from the ledger',
  );
  try {
    const counts = await legacy.read();
    say(`read ${describeCounts(counts)} through FerretDB v1`);
    migrating = true;
  } catch (error) {
    say(
      `could not read the accounts in ${legacy.dir}: ${(error as Error).message}. Nothing was started and ` +
        `nothing was changed. To start over without them: mv ${legacy.dir} ${legacy.dir}-v1 and run npm start ` +
        'again (docs/api.md, "Outer DB server").',
    );
    process.exit(1);
  }
}

const running = await runLocalNetwork({
  manifest,
  dataDir,
  say: (line) => process.stdout.write(`[network] ${line}\n`),
});
if (!running.ready) {
  say('the network did not come up (see the lines above); stopping');
  await running.stop();
  process.exit(1);
}

let mongodbUri = process.env.MONGODB_URI;
if (mongodbUri) {
  say('outer DB: MongoDB from MONGODB_URI');
} else {
  const dir = join(dataDir, 'outer-db');
  const ports = {
    postgres: await running.network.port('postgres'),
    ferretdb: await running.network.port('ferretdb'),
  };
  const server = await prepareOuterDb(dir, ports);
  const supervisor = running.network.supervisor;
  const log = (name: string) => running.network.layout.log(name);
  supervisor.ensure({ ...server.postgres, logFile: log('postgres') });
  await waitForTcp(ports.postgres, 60_000, () => supervisor.isRunning('postgres'));
  await server.initialise();
  supervisor.ensure({ ...server.ferretdb, logFile: log('ferretdb') });
  await waitForTcp(ports.ferretdb, 30_000, () => supervisor.isRunning('ferretdb'));
  mongodbUri = server.uri;
  const stale = await server.compoundIndexesToRebuild();
  if (stale.length > 0) {
    say(
      `outer DB: rebuilding ${String(stale.length)} compound index(es) made by an earlier version ` +
        `with DocumentDB's composite key (${stale.map((i) => `${i.collection}.${i.index}`).join(', ')})`,
    );
    await dropIndexes(mongodbUri, stale);
  }
  if (migrating) {
    try {
      const moved = await legacy.move(mongodbUri);
      say(
        `moved ${documents(moved.documents)} of the earlier outer DB into this one` +
          `${moved.alreadyThere ? ` (${String(moved.alreadyThere)} were there already)` : ''}; ` +
          `the old directory is kept as ${moved.kept} (delete it when you are satisfied)`,
      );
    } catch (error) {
      say(
        `could not move the accounts of ${legacy.dir}: ${(error as Error).message}. ${legacy.dir} is unchanged; ` +
          'stopping',
      );
      await running.stop();
      process.exit(1);
    }
  }
  say(
    `outer DB: FerretDB ${toolVersion('FERRETDB_VERSION')} on 127.0.0.1:${String(ports.ferretdb)} over PostgreSQL ` +
      `${toolVersion('POSTGRES_MAJOR')} + DocumentDB on 127.0.0.1:${String(ports.postgres)} (data in ${dir}, telemetry disabled)`,
  );
}

const logger = createLogger();
const admin = await secretFile('api-admin-token');
// The server keys that wrap every user's data key: losing this file loses every wallet's keys
// (back it up with the data dir; docs/security.md).
const vaultKeys = await secretFile('api-vault-keys', () => VaultKeyring.generate());
let vaultKeyring: VaultKeyring;
try {
  vaultKeyring = VaultKeyring.parse(vaultKeys.value);
} catch (error) {
  if (!(error instanceof KeyringError)) throw error;
  say(`${vaultKeys.path}: ${error.message}; restore it from your backup of the data dir`);
  await running.stop();
  process.exit(1);
}
const config = localApiConfig(await localFabricConfig(dataDir), {
  port: apiPort,
  // WALLET_CURRENCY / WALLET_CURRENCY_EXPONENT, as in a container (checked at start).
  money,
  adminToken: admin.value,
  vaultKeyring,
  mongodbUri,
  // API_RATE_LIMITS=off: for a load generator playing thousands of users from one address.
  rateLimits: { enabled: process.env.API_RATE_LIMITS !== 'off', trustedProxyHops: 0 },
});
let api: RunningApi;
try {
  await new Promise((resolve) => apiPortHold.close(resolve));
  api = await runApi(config, logger);
} catch (error) {
  say((error as Error).message);
  await running.stop();
  process.exit(1);
}
const { app, db } = api;

/** The demo cinema and its screenings, created once (idempotent across restarts). */
async function seed(): Promise<string> {
  const credentials = join(dataDir, 'demo-cinema.json');
  let login: { username: string; password: string; paymentPassword: string };
  try {
    login = JSON.parse(await readFile(credentials, 'utf8')) as typeof login;
  } catch {
    login = {
      username: 'demo-cinema',
      password: randomBytes(12).toString('base64url'),
      paymentPassword: randomBytes(12).toString('base64url'),
    };
    const created = await app.request('/v1/admin/accounts', {
      method: 'POST',
      headers: { authorization: `Bearer ${admin.value}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ...login, role: 'merchant' }),
    });
    if (created.status !== 201) throw new Error(`demo cinema: ${created.status} ${await created.text()}`);
    await writeFile(credentials, `${JSON.stringify(login, null, 2)}\n`, { mode: 0o600 });
  }
  if ((await db.collections.screenings.countDocuments({ startsAt: { $gte: new Date() } })) > 0)
    return credentials;
  const session = await app.request('/v1/sessions', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: login.username, password: login.password }),
  });
  const { token } = (await session.json()) as { token: string };
  for (const [film, hours] of [
    ['Metropolis', 24],
    ['The General', 48],
  ] as const) {
    const response = await app.request('/v1/cinema/screenings', {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        'idempotency-key': `demo-screening-${film.replaceAll(' ', '-')}`,
      },
      body: JSON.stringify({
        film,
        startsAt: new Date(Date.now() + hours * 3600_000).toISOString(),
        seatMap: [
          { row: 'A', count: 8 },
          { row: 'B', count: 8 },
        ],
        price: '1200',
        paymentPassword: login.paymentPassword,
      }),
    });
    if (response.status !== 201)
      throw new Error(`demo screening: ${response.status} ${await response.text()}`);
  }
  return credentials;
}

try {
  const credentials = await seed();
  say(`demo cinema ready (login in ${credentials})`);
} catch (error) {
  say(`demo data not created: ${(error as Error).message}`);
}

const base = `http://${config.host}:${config.port}`;
say(`web wallet: ${base}/wallet`);
say(`API:        ${base}`);
say(`API docs:   ${base}/docs   (OpenAPI: ${base}/openapi.json)`);
say(`readiness:  ${base}/readyz   metrics: ${base}/metrics`);
say(`admin credential for /v1/admin/*: ${admin.path}`);
say('development payments are on: POST /v1/dev/payments/{orderId}/confirm mints a recharge order');
say('Ctrl-C stops everything (data stays in the data dir)');

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  say(`${signal}: stopping`);
  await api.stop();
  await running.stop();
  say('stopped');
  process.exit(0);
};
process.once('SIGINT', () => void stop('SIGINT'));
process.once('SIGTERM', () => void stop('SIGTERM'));
