import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { MongoClient, type Document } from 'mongodb';
import { connectDatabase, hashPassword } from '@fabric-wallet/api';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLegacyFerretDb } from '../support/ferretdb.js';
import { entrypointEnv, entrypointScript } from '../support/entrypoint-env.js';
import { spawnLauncher, startLauncher } from '../support/launcher.js';
import { freePort } from '../support/ports.js';
import { tempDir, type TempDir } from '../support/temp.js';

/**
 * What `npm start` runs after the bootstrap and build: the whole system (network, FerretDB,
 * indexer, API, demo cinema) from one command, stopped by SIGINT.
 */

describe('the system launcher behind npm start', () => {
  let dir: TempDir;
  let child: ChildProcess;
  let output: () => string;
  let base: string;
  const legacyPassword = 'legacy-password-1';

  beforeAll(async () => {
    dir = await tempDir('start');
    // The data dir of an earlier version: its outer DB on FerretDB v1 (SQLite) with one account
    // and a coin of the ledger index, as that release's API wrote them.
    const v1 = await startLegacyFerretDb(join(dir.path, 'data', 'ferretdb'), join(dir.path, 'v1-state'));
    const old = await connectDatabase(v1.uri, 'fabric-wallet');
    await old.db.collection('users').insertOne({
      _id: 'legacy-user',
      username: 'legacy-holder',
      passwordHash: await hashPassword(legacyPassword),
      role: 'customer',
      failedLogins: 0,
      createdAt: new Date(),
      passwordChangedAt: new Date(),
    } as Document);
    await old.db
      .collection('utxos')
      .insertOne({ _id: 'legacy-tx:0', userId: 'legacy-user', spent: false } as Document);
    await old.close();
    await v1.process.stop();
    const started = await startLauncher(join(dir.path, 'data'), 240_000);
    child = started.child;
    output = started.output;
    base = started.base;
  });

  afterAll(async () => {
    if (child.exitCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
    await dir.remove();
  });

  it('prints where the API and its docs are, and that the outer DB is FerretDB v2 on PostgreSQL with telemetry off', () => {
    expect(output()).toContain(`API:        ${base}`);
    expect(output()).toContain(`${base}/docs`);
    expect(output()).toContain(`web wallet: ${base}/wallet`);
    expect(output()).toMatch(
      /outer DB: FerretDB v2\.\d+\.\d+ on 127\.0\.0\.1:\d+ over PostgreSQL 15 \+ DocumentDB on 127\.0\.0\.1:\d+ .*telemetry disabled/,
    );
  });

  it('moved the accounts of the earlier outer DB into the new one, and kept the old directory aside', async () => {
    const data = join(dir.path, 'data');
    const ports = JSON.parse(await readFile(join(data, 'ports.json'), 'utf8')) as Record<string, number>;
    const login = await fetch(`${base}/v1/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'legacy-holder', password: legacyPassword }),
    });
    const outer = new MongoClient(`mongodb://127.0.0.1:${String(ports.ferretdb)}/`);

    expect(output()).toContain(`${join(data, 'ferretdb')} holds the outer DB of an earlier version`);
    expect(output()).toMatch(/read 1 document \(users 1\) through FerretDB v1/);
    expect(output()).toMatch(
      /moved 1 document of the earlier outer DB into this one; the old directory is kept as .*ferretdb-v1-migrated-/,
    );
    expect(login.status, await login.clone().text()).toBe(201);
    const names = await readdir(data);
    expect(names.filter((n) => n.startsWith('ferretdb-v1-migrated-'))).toHaveLength(1);
    expect(names).not.toContain('ferretdb');
    expect(names).not.toContain('outer-db-v1-accounts.ejson');
    try {
      const coins = outer.db('fabric-wallet').collection('utxos');
      expect(await coins.countDocuments({ _id: 'legacy-tx:0' } as Document)).toBe(0);
    } finally {
      await outer.close();
    }
  });

  it('is ready (DB, ledger, indexer) and serves the seeded demo screenings', async () => {
    const ready = await fetch(`${base}/readyz`);
    const screenings = (await (await fetch(`${base}/v1/cinema/screenings`)).json()) as {
      screenings: { film: string }[];
    };

    expect(ready.status).toBe(200);
    expect(screenings.screenings.map((s) => s.film)).toEqual(['Metropolis', 'The General']);
    const page = await fetch(`${base}/wallet`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<script type="module" src="/wallet/app.js"></script>');
  });

  it('keeps the generated credentials out of its output, in files only the owner can read', async () => {
    const credentials = JSON.parse(await readFile(join(dir.path, 'data', 'demo-cinema.json'), 'utf8')) as {
      password: string;
      paymentPassword: string;
    };
    const token = (await readFile(join(dir.path, 'data', 'api-admin-token'), 'utf8')).trim();
    const vaultKey = (await readFile(join(dir.path, 'data', 'api-vault-keys'), 'utf8'))
      .split('\n')[1]
      ?.split(' ')[1];

    expect(vaultKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    for (const secret of [credentials.password, credentials.paymentPassword, token, vaultKey ?? ''])
      expect(output()).not.toContain(secret);
    for (const file of ['api-admin-token', 'api-vault-keys'])
      expect((await stat(join(dir.path, 'data', file))).mode & 0o077).toBe(0);
  });

  it('serves the same network from the container entrypoint, configured by environment and mounted files', async () => {
    const data = join(dir.path, 'data');
    const ports = JSON.parse(await readFile(join(data, 'ports.json'), 'utf8')) as Record<string, number>;
    const port = await freePort();
    const server = spawn(process.execPath, [entrypointScript], {
      env: {
        ...process.env,
        ...(await entrypointEnv({
          dataDir: data,
          mountDir: join(dir.path, 'mounts'),
          port,
          mongodbUri: `mongodb://127.0.0.1:${String(ports.ferretdb)}/`,
          dbName: 'container-entrypoint',
          adminTokenFile: join(data, 'api-admin-token'),
          vaultKeysFile: join(data, 'api-vault-keys'),
        })),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    server.stdout.on('data', (chunk: Buffer) => (log += chunk.toString()));
    server.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
    try {
      const url = `http://127.0.0.1:${String(port)}`;
      const deadline = Date.now() + 90_000;
      for (;;) {
        const ready = await fetch(`${url}/readyz`).catch(() => undefined);
        if (ready?.status === 200) break;
        if (server.exitCode !== null || Date.now() > deadline) throw new Error(`serve.js not ready:\n${log}`);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }

      const registered = await fetch(`${url}/v1/users`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          username: 'entrypoint-user',
          password: 'login-password-1',
          paymentPassword: 'pay-123456',
        }),
      });

      expect(registered.status, await registered.clone().text()).toBe(201);
      expect(((await registered.json()) as { receiveAddress: string }).receiveAddress).toMatch(/^W/);
    } finally {
      server.kill('SIGTERM');
      const [code] = (await once(server, 'exit')) as [number | null];
      expect(code, log).toBe(0);
    }
  });

  it('stops everything on SIGINT', async () => {
    child.kill('SIGINT');
    const [code] = (await once(child, 'exit')) as [number];

    expect(code).toBe(0);
    expect(output()).toContain('[wallet] stopped');
  });
});

describe('the system launcher on an earlier outer DB it cannot read', () => {
  it('starts nothing, changes nothing, and says what it could not read and what to do', async () => {
    const dir = await tempDir('start-legacy');
    try {
      const legacy = join(dir.path, 'data', 'ferretdb');
      await mkdir(legacy, { recursive: true });
      await writeFile(join(legacy, 'fabric-wallet.sqlite'), 'not a database of an earlier version');
      const { child, output: printed } = await spawnLauncher(join(dir.path, 'data'), {
        API_PORT: String(await freePort()),
      });

      const [code] = (await once(child, 'exit')) as [number | null];
      const output = printed();

      expect(code, output).toBe(1);
      expect(output).toContain(`could not read the accounts in ${legacy}: `);
      expect(output).toContain('Nothing was started and nothing was changed.');
      expect(output).toContain(`mv ${legacy} ${legacy}-v1`);
      expect(await readFile(join(legacy, 'fabric-wallet.sqlite'), 'utf8')).toBe(
        'not a database of an earlier version',
      );
      const left = await readdir(join(dir.path, 'data'));
      for (const started of [
        'outer-db',
        'nodes',
        'ports.json',
        'outer-db-v1-accounts.ejson',
        'ferretdb-v1-state',
      ])
        expect(left).not.toContain(started);
    } finally {
      await dir.remove();
    }
  });
});

describe('the system launcher on a port already in use', () => {
  it('says so at once and starts nothing (the port is held from the start, so no network port can take it)', async () => {
    const dir = await tempDir('start-port');
    const squatter = createServer();
    try {
      const port = await freePort();
      await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve));
      const { child, output: printed } = await spawnLauncher(join(dir.path, 'data'), {
        API_PORT: String(port),
      });

      const [code] = (await once(child, 'exit')) as [number | null];

      expect(code, printed()).toBe(1);
      expect(printed()).toContain(`port ${String(port)} is in use: set API_PORT to another port`);
      expect(await readdir(join(dir.path, 'data')).catch(() => [])).not.toContain('ports.json');
    } finally {
      squatter.close();
      await dir.remove();
    }
  });
});
