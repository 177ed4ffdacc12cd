import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  createApp,
  connectDatabase,
  createLogger,
  Indexer,
  Ledger,
  localApiConfig,
  localFabricConfig,
  wipeLedgerIndex,
  type Database,
} from '@fabric-wallet/api';
import { parseNetwork } from '@fabric-wallet/operator/api';
import { LocalNetwork } from '@fabric-wallet/operator/local';
import { repoRoot } from '@fabric-wallet/operator/tools';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFerretDb } from '../support/ferretdb.js';
import type { Started } from '../support/processes.js';
import { tempDir, type TempDir } from '../support/temp.js';

/**
 * The wallet API through HTTP (in-process), on the real local network and a real FerretDB:
 * accounts, recharge, balance, transfers with idempotency, bills, and bad input.
 */

type App = ReturnType<typeof createApp>;

describe('the wallet API on the real network and FerretDB', () => {
  let dir: TempDir;
  let network: LocalNetwork;
  let ferret: Started;
  let db: Database;
  let ledger: Ledger;
  let app: App;
  let indexer: Indexer;
  let config: Awaited<ReturnType<typeof localApiConfig>>;

  const call = async (
    method: string,
    path: string,
    options: { token?: string; body?: unknown; headers?: Record<string, string>; raw?: string } = {},
  ) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined || options.raw !== undefined) headers['content-type'] = 'application/json';
    const response = await app.request(path, {
      method,
      headers,
      ...(options.raw !== undefined
        ? { body: options.raw }
        : options.body !== undefined
          ? { body: JSON.stringify(options.body) }
          : {}),
    });
    const text = await response.text();
    return {
      status: response.status,
      type: response.headers.get('content-type') ?? '',
      body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    };
  };

  async function signUp(username: string): Promise<string> {
    const registered = await call('POST', '/v1/users', {
      body: { username, password: 'login-password-1', paymentPassword: 'pay-123456' },
    });
    expect(registered.status, JSON.stringify(registered.body)).toBe(201);
    const login = await call('POST', '/v1/sessions', { body: { username, password: 'login-password-1' } });
    expect(login.status).toBe(201);
    return login.body.token as string;
  }

  async function recharge(token: string, amount: string): Promise<void> {
    const order = await call('POST', '/v1/recharges', {
      token,
      body: { amount },
      headers: { 'idempotency-key': `rc-${Math.random().toString(36).slice(2)}` },
    });
    expect(order.status, JSON.stringify(order.body)).toBe(201);
    const paid = await call('POST', `/v1/dev/payments/${String(order.body.orderId)}/confirm`);
    expect(paid.status, JSON.stringify(paid.body)).toBe(200);
    expect(paid.body.status).toBe('minted');
  }

  beforeAll(async () => {
    dir = await tempDir('api');
    const manifest = await readFile(join(repoRoot, 'manifests', 'local', 'network.yaml'), 'utf8');
    network = new LocalNetwork({ dataDir: join(dir.path, 'network'), network: parseNetwork(manifest) });
    await network.up();
    const started = await startFerretDb(dir.path);
    ferret = started.process;
    db = await connectDatabase(started.uri, 'wallet');
    config = localApiConfig(await localFabricConfig(join(dir.path, 'network')));
    ledger = new Ledger(config.fabric);
    app = createApp({ config, db, ledger, logger: createLogger('silent'), devPayments: true });
    // The indexer runs alongside the requests, applying the same transactions a second time.
    indexer = new Indexer(db.collections, ledger, config.fabric.registrar, createLogger('silent'));
    indexer.start();
  });

  afterAll(async () => {
    await indexer.stop();
    ledger.close();
    await db.close();
    await ferret.stop();
    await network.down();
    await dir.remove();
  });

  it('registers a customer with a Fabric identity and a first receive address, and logs in', async () => {
    const token = await signUp('alice');

    const me = await call('GET', '/v1/me', { token });

    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ username: 'alice', role: 'customer' });
    expect(String(me.body.receiveAddress)).toMatch(/^W/);
    const user = await db.collections.users.findOne({ username: 'alice' });
    expect(user?.fabric.enrollmentId).toMatch(/^u-[0-9a-f]{24}$/);
    expect(user?.fabric.certificate).toContain('BEGIN CERTIFICATE');
    expect(JSON.stringify(user)).not.toContain('PRIVATE KEY');
  });

  it('refuses a taken username and a wrong password with problem documents', async () => {
    const taken = await call('POST', '/v1/users', {
      body: { username: 'ALICE', password: 'another-pass-1', paymentPassword: 'pay-999999' },
    });
    const wrong = await call('POST', '/v1/sessions', {
      body: { username: 'alice', password: 'not-the-password' },
    });

    expect(taken.status).toBe(409);
    expect(taken.type).toBe('application/problem+json');
    expect(taken.body.type).toBe('https://fabric-wallet.io/problems/username-taken');
    expect(wrong.status).toBe(401);
  });

  it('recharges: the order mints once to the receive address and the balance shows it', async () => {
    const token = await signUp('bob');

    await recharge(token, '5000');

    const balance = await call('GET', '/v1/me/balance', { token });
    const bills = await call('GET', '/v1/me/bills', { token });
    expect(balance.body).toEqual({ balance: '5000', tokens: 1 });
    expect(bills.body.bills).toMatchObject([{ kind: 'recharge', direction: 'in', amount: '5000' }]);
  });

  it('transfers to a username with change to a fresh address, and both bills agree', async () => {
    const carol = await signUp('carol');
    const dave = await signUp('dave');
    await recharge(carol, '1000');

    const paid = await call('POST', '/v1/transfers', {
      token: carol,
      body: { to: 'dave', amount: '250', memo: 'lunch', paymentPassword: 'pay-123456' },
      headers: { 'idempotency-key': 'carol-pays-dave-1' },
    });

    expect(paid.status, JSON.stringify(paid.body)).toBe(201);
    expect((await call('GET', '/v1/me/balance', { token: carol })).body.balance).toBe('750');
    expect((await call('GET', '/v1/me/balance', { token: dave })).body.balance).toBe('250');
    const carolBills = (await call('GET', '/v1/me/bills?type=transfer', { token: carol })).body.bills as {
      direction: string;
      amount: string;
    }[];
    expect(carolBills).toMatchObject([{ direction: 'out', amount: '250' }]);
    const addresses = (await call('GET', '/v1/me/addresses', { token: carol })).body.addresses as {
      purpose: string;
    }[];
    expect(addresses.map((a) => a.purpose).sort()).toEqual(['change', 'receive']);
  });

  it('pays once for one Idempotency-Key sent twice at the same time, and refuses the key with another body', async () => {
    const erin = await signUp('erin');
    await signUp('frank');
    await recharge(erin, '1000');
    const request = {
      token: erin,
      body: { to: 'frank', amount: '100', paymentPassword: 'pay-123456' },
      headers: { 'idempotency-key': 'erin-once-0001' },
    };

    const [first, second] = await Promise.all([
      call('POST', '/v1/transfers', request),
      call('POST', '/v1/transfers', request),
    ]);
    const reused = await call('POST', '/v1/transfers', {
      ...request,
      body: { ...request.body, amount: '101' },
    });

    expect([first.status, second.status]).toEqual([201, 201]);
    expect(first.body.txId).toBe(second.body.txId);
    expect((await call('GET', '/v1/me/balance', { token: erin })).body.balance).toBe('900');
    expect(reused.status).toBe(409);
    expect(reused.body.type).toBe('https://fabric-wallet.io/problems/idempotency-key-reused');
  });

  it('refuses a payment with the wrong payment password or more than the balance, charging nothing', async () => {
    const gina = await signUp('gina');
    await recharge(gina, '100');

    const wrongPassword = await call('POST', '/v1/transfers', {
      token: gina,
      body: { to: 'alice', amount: '10', paymentPassword: 'nope-nope' },
      headers: { 'idempotency-key': 'gina-wrong-pass' },
    });
    const tooMuch = await call('POST', '/v1/transfers', {
      token: gina,
      body: { to: 'alice', amount: '101', paymentPassword: 'pay-123456' },
      headers: { 'idempotency-key': 'gina-too-much' },
    });

    expect(wrongPassword.status).toBe(403);
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.body.type).toBe('https://fabric-wallet.io/problems/insufficient-funds');
    expect((await call('GET', '/v1/me/balance', { token: gina })).body.balance).toBe('100');
  });

  it('changes the payment password: the old one stops working, the new one pays', async () => {
    const hank = await signUp('hank');
    await recharge(hank, '50');

    const changed = await call('PUT', '/v1/me/payment-password', {
      token: hank,
      body: { oldPaymentPassword: 'pay-123456', newPaymentPassword: 'new-pay-654321' },
    });
    const withOld = await call('POST', '/v1/transfers', {
      token: hank,
      body: { to: 'alice', amount: '5', paymentPassword: 'pay-123456' },
      headers: { 'idempotency-key': 'hank-old-pass' },
    });
    const withNew = await call('POST', '/v1/transfers', {
      token: hank,
      body: { to: 'alice', amount: '5', paymentPassword: 'new-pay-654321' },
      headers: { 'idempotency-key': 'hank-new-pass' },
    });

    expect(changed.status).toBe(204);
    expect(withOld.status).toBe(403);
    expect(withNew.status, JSON.stringify(withNew.body)).toBe(201);
  });

  it.each([
    ['malformed JSON', { raw: '{"username":' }, 400],
    [
      'a wrong type',
      { body: { username: 42, password: 'x'.repeat(10), paymentPassword: 'y'.repeat(8) } },
      400,
    ],
    [
      'an unknown field',
      { body: { username: 'zed', password: 'x'.repeat(10), paymentPassword: 'y'.repeat(8), admin: true } },
      400,
    ],
    [
      'an overlong username',
      { body: { username: 'z'.repeat(500), password: 'x'.repeat(10), paymentPassword: 'y'.repeat(8) } },
      400,
    ],
    ['a huge body', { raw: JSON.stringify({ username: 'z', pad: 'x'.repeat(200_000) }) }, 413],
  ])('answers %s at registration with a 4xx problem, never a 500', async (_name, options, status) => {
    const response = await call('POST', '/v1/users', options);

    expect(response.status).toBe(status);
    expect(response.type).toBe('application/problem+json');
    expect(typeof response.body.detail).toBe('string');
  });

  it.each([
    ['a negative amount', '-5'],
    ['a fractional amount', '1.5'],
    ['a huge amount', '9'.repeat(30)],
    ['a zero amount', '0'],
  ])('refuses %s in a transfer with 400', async (_name, amount) => {
    const token = (
      await call('POST', '/v1/sessions', { body: { username: 'alice', password: 'login-password-1' } })
    ).body.token as string;

    const response = await call('POST', '/v1/transfers', {
      token,
      body: { to: 'bob', amount, paymentPassword: 'pay-123456' },
      headers: { 'idempotency-key': `bad-amount-${amount.length}-${amount.charAt(0)}` },
    });

    expect(response.status).toBe(400);
    expect(String(response.body.detail)).toContain('amount');
  });

  it('answers unknown routes with 404 and missing or bad credentials with 401 problems', async () => {
    const unknown = await call('GET', '/v1/nothing-here');
    const anonymous = await call('GET', '/v1/me/balance');
    const forged = await call('GET', '/v1/me/balance', { token: 'x'.repeat(43) });

    expect(unknown.status).toBe(404);
    expect(anonymous.status).toBe(401);
    expect(forged.status).toBe(401);
    expect(forged.type).toBe('application/problem+json');
  });

  it('locks an account after repeated failed logins', async () => {
    await signUp('ivan');

    for (let i = 0; i < 5; i++)
      await call('POST', '/v1/sessions', { body: { username: 'ivan', password: `wrong-${i}-xxxx` } });
    const locked = await call('POST', '/v1/sessions', {
      body: { username: 'ivan', password: 'login-password-1' },
    });

    expect(locked.status).toBe(429);
    expect(locked.body.type).toBe('https://fabric-wallet.io/problems/too-many-requests');
  });

  it('indexes every committed transaction with its block number', async () => {
    const txs = await db.collections.txs.countDocuments();

    await expect
      .poll(() => db.collections.txs.countDocuments({ blockNumber: { $ne: null } }), { timeout: 30_000 })
      .toBe(txs);
    expect(indexer.snapshot().lastError).toBeNull();
  });

  it('rebuilds the ledger index from block 0 with identical balances, bills and tokens', async () => {
    const users = await db.collections.users.find({}, { projection: { _id: 1 } }).toArray();
    const snapshot = async () =>
      Promise.all(
        users.map(async ({ _id }) => ({
          utxos: await db.collections.utxos
            .find({ userId: _id })
            .sort({ _id: 1 })
            .project({ lockedBy: 0, lockedUntil: 0 })
            .toArray(),
          movements: await db.collections.movements.find({ userId: _id }).sort({ _id: 1 }).toArray(),
        })),
      );
    await expect
      .poll(() => db.collections.txs.countDocuments({ blockNumber: null }), { timeout: 30_000 })
      .toBe(0);
    const before = await snapshot();
    const txCount = await db.collections.txs.countDocuments();
    await indexer.stop();

    await wipeLedgerIndex(db.collections);
    expect(await db.collections.utxos.countDocuments()).toBe(0);
    indexer.start();

    await expect.poll(() => db.collections.txs.countDocuments(), { timeout: 60_000 }).toBe(txCount);
    expect(await snapshot()).toEqual(before);
    expect(before.some((user) => user.movements.length > 0)).toBe(true);
  });

  it('serves its OpenAPI document', async () => {
    const doc = await call('GET', '/openapi.json');

    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths as object)).toEqual(
      expect.arrayContaining(['/v1/users', '/v1/transfers', '/v1/me/bills', '/v1/recharges']),
    );
  });
});
