import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiHarness } from '../support/api-harness.js';
import { until } from '../support/until.js';
import { tokensTotal, userView, type UserCall } from '../support/user-agreement.js';

/**
 * The outer DB converges to the ledger: races that once left it wrong for good (20 spends of
 * one coin at once; one user buying the same seat twice at once), repeated, with other
 * clients paying in the background; and the reconciler repairing what it is shown.
 */

const PAY = 'pay-123456';
const REPEAT = 5;

describe('the outer DB agrees with the ledger under racing payments', () => {
  let api: ApiHarness;
  let background: { stop: () => Promise<number> };
  let screeningId: string;

  const key = () => `k-${randomBytes(8).toString('hex')}`;
  const call: UserCall = (method, path, options) => api.call(method, path, options);
  /** Waits for the indexer to apply every committed transaction, then compares with the ledger. */
  async function expectAgreement(token: string) {
    await expect
      .poll(() => api.db.collections.txs.countDocuments({ blockNumber: null }), { timeout: 30_000 })
      .toBe(0);
    const view = await userView(call, token);
    expect(view.index).toEqual(view.ledger);
    expect(view.balance).toBe(tokensTotal(view.ledger));
    expect(view.billsNet).toBe(view.balance);
  }

  /** Clients paying each other in a loop until stopped; returns how many payments committed. */
  async function payInBackground(clients: number) {
    const tokens = await Promise.all(
      Array.from({ length: clients }, async (_, i) => {
        const token = await api.signUp(`bg-${String(i)}-${randomBytes(3).toString('hex')}`);
        await api.recharge(token, '100000');
        return token;
      }),
    );
    const usernames = await Promise.all(
      tokens.map(async (token) => (await api.call('GET', '/v1/me', { token })).body.username as string),
    );
    let running = true;
    let committed = 0;
    const loops = tokens.map(async (token, i) => {
      while (running) {
        const result = await api.call('POST', '/v1/transfers', {
          token,
          headers: { 'idempotency-key': key() },
          body: { to: usernames[(i + 1) % clients], amount: '1', paymentPassword: PAY },
        });
        if (result.status === 201) committed++;
      }
    });
    return {
      stop: async () => {
        running = false;
        await Promise.all(loops);
        return committed;
      },
    };
  }

  beforeAll(async () => {
    api = await ApiHarness.start('outer-db-races');
    const merchant = await api.signUp('race-cinema', 'merchant');
    screeningId = await api.createScreening(merchant, {
      film: 'Rashomon',
      seatMap: [{ row: 'A', count: 10 }],
      price: '40',
    });
    background = await payInBackground(4);
  });

  afterAll(async () => {
    await api.stop();
  });

  it(`commits one of 20 concurrent spends of one coin and keeps balance, tokens and bills equal to the ledger (${String(REPEAT)} rounds)`, async () => {
    const recipient = await api.signUp('race-recipient');
    for (let round = 0; round < REPEAT; round++) {
      const payer = await api.signUp(`race-payer-${String(round)}`);
      await api.recharge(payer, '100');

      const results = await Promise.all(
        Array.from({ length: 20 }, () =>
          api.call('POST', '/v1/transfers', {
            token: payer,
            headers: { 'idempotency-key': key() },
            body: { to: 'race-recipient', amount: '100', paymentPassword: PAY },
          }),
        ),
      );

      const statuses = results.map((r) => r.status);
      expect(
        statuses.filter((s) => s === 201),
        statuses.join(','),
      ).toHaveLength(1);
      expect(
        statuses.every((s) => [201, 409, 422].includes(s)),
        statuses.join(','),
      ).toBe(true);
      await expectAgreement(payer);
      expect(await api.balance(payer)).toBe('0');
    }
    await expectAgreement(recipient);
    expect(await api.balance(recipient)).toBe(String(100 * REPEAT));
  });

  it(`sells a seat once when one user buys it twice at once, charging once (${String(REPEAT)} rounds)`, async () => {
    const buyer = await api.signUp('double-buyer');
    // Two coins a round, so both purchases can reserve coins and reach the ledger.
    for (let coin = 0; coin < 2 * REPEAT; coin++) await api.recharge(buyer, '100');
    for (let round = 0; round < REPEAT; round++) {
      const seat = `A${String(round + 1)}`;
      const before = BigInt(await api.balance(buyer));

      const results = await Promise.all(
        [0, 1].map(() =>
          api.call('POST', `/v1/cinema/screenings/${screeningId}/tickets`, {
            token: buyer,
            headers: { 'idempotency-key': key() },
            body: { seats: [seat], paymentPassword: PAY },
          }),
        ),
      );

      expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
      await expectAgreement(buyer);
      expect(BigInt(await api.balance(buyer))).toBe(before - 40n);
    }
  });

  it('keeps indexing while the background clients pay, and they committed payments meanwhile', async () => {
    const committed = await background.stop();

    expect(committed).toBeGreaterThan(0);
    await expect
      .poll(() => api.db.collections.txs.countDocuments({ blockNumber: null }), { timeout: 30_000 })
      .toBe(0);
    expect(api.indexer.snapshot().lastError).toBeNull();
  });
});

describe('the reconciler repairs the outer DB from the ledger', () => {
  let api: ApiHarness;

  const metric = async (name: string) => {
    const response = await api.app.request('/metrics');
    const lines = (await response.text()).split('\n');
    return lines
      .filter((line) => line.startsWith(name))
      .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
  };

  /** A new user holding two indexed coins, 300 and 200 (each case breaks its own outer DB view). */
  async function twoCoins(username: string): Promise<{ token: string; userId: string }> {
    const token = await api.signUp(username);
    await api.recharge(token, '300');
    await api.recharge(token, '200');
    const userId = (await api.call('GET', '/v1/me', { token })).body.userId as string;
    await until('the indexer applied both recharges', async () =>
      (await api.db.collections.txs.countDocuments({ blockNumber: null })) === 0 ? true : undefined,
    );
    return { token, userId };
  }

  beforeAll(async () => {
    api = await ApiHarness.start('outer-db-reconciler');
  });

  afterAll(async () => {
    await api.stop();
  });

  it('restores a ledger coin the outer DB lost or shows spent, and marks spent a coin the ledger does not have', async () => {
    const { token, userId } = await twoCoins('drift-restore');
    const { utxos } = api.db.collections;
    const [first, second] = await utxos.find({ userId, spent: false }).sort({ _id: 1 }).toArray();
    if (!first || !second) throw new Error('two coins expected');
    await utxos.deleteOne({ _id: first._id });
    await utxos.updateOne({ _id: second._id }, { $set: { spent: true, spentBy: 'corrupted' } });
    const phantom = { ...second, _id: `${'f'.repeat(64)}:0`, txId: 'f'.repeat(64), index: 0, spent: false };
    delete phantom.spentBy;
    await utxos.insertOne(phantom);
    expect(await api.balance(token)).toBe(String(500 - Number(first.amount)));
    const missingBefore = await metric(
      'wallet_outer_db_divergences_total{kind="missing",outcome="repaired"}',
    );
    const extraBefore = await metric('wallet_outer_db_divergences_total{kind="extra",outcome="repaired"}');

    const result = await api.reconciler.reconcileUser(userId);

    expect(result).toEqual({ extra: 1, missing: 2, unrepaired: 0 });
    expect(await api.balance(token)).toBe('500');
    expect((await utxos.findOne({ _id: phantom._id }))?.spent).toBe(true);
    expect(await api.reconciler.reconcileUser(userId)).toEqual({ extra: 0, missing: 0, unrepaired: 0 });
    expect(await metric('wallet_outer_db_divergences_total{kind="missing",outcome="repaired"}')).toBe(
      missingBefore + 2,
    );
    expect(await metric('wallet_outer_db_divergences_total{kind="extra",outcome="repaired"}')).toBe(
      extraBefore + 1,
    );
    expect((await api.call('GET', '/readyz')).body.checks).toMatchObject({ reconciler: 'ok' });
  });

  it('checks a payer on its own when the ledger refuses a coin the outer DB offered, so the retry pays', async () => {
    const { token, userId } = await twoCoins('drift-refused');
    const { utxos } = api.db.collections;
    const [coin] = await utxos.find({ userId, spent: false }).toArray();
    if (!coin) throw new Error('a coin expected');
    // A coin spent on the ledger that the outer DB still shows unspent (as the old race left it).
    const spent = await api.call('POST', '/v1/transfers', {
      token,
      headers: { 'idempotency-key': 'drift-spend-1' },
      body: { to: 'drift-refused', amount: '500', paymentPassword: PAY },
    });
    expect(spent.status, JSON.stringify(spent.body)).toBe(201);
    await expect
      .poll(() => api.db.collections.txs.countDocuments({ blockNumber: null }), { timeout: 30_000 })
      .toBe(0);
    await utxos.updateOne({ _id: coin._id }, { $set: { spent: false }, $unset: { spentBy: '' } });
    // The first payment's reservation of the coin is left to expire; here it has.
    await api.db.collections.coinLocks.updateOne({ _id: coin._id }, { $set: { until: new Date(0) } });
    const checkedBefore = api.reconciler.snapshot().checkedUsers;

    const refused = await api.call('POST', '/v1/transfers', {
      token,
      headers: { 'idempotency-key': 'drift-spend-2' },
      body: { to: 'drift-refused', amount: String(500 + Number(coin.amount)), paymentPassword: PAY },
    });

    expect(refused.status, JSON.stringify(refused.body)).toBe(409);
    await expect
      .poll(() => api.reconciler.snapshot().checkedUsers, { timeout: 10_000 })
      .toBeGreaterThan(checkedBefore);
    expect((await utxos.findOne({ _id: coin._id }))?.spent).toBe(true);
    expect(await api.balance(token)).toBe('500');
    const retried = await api.call('POST', '/v1/transfers', {
      token,
      headers: { 'idempotency-key': 'drift-spend-3' },
      body: { to: 'drift-refused', amount: '500', paymentPassword: PAY },
    });
    expect(retried.status, JSON.stringify(retried.body)).toBe(201);
  });

  it('reports a difference it cannot repair in /readyz until a later check succeeds', async () => {
    const { userId } = await twoCoins('drift-unrepaired');
    // An address the ledger refuses to list: the check fails, so nothing is known to agree.
    await api.db.collections.addresses.insertOne({
      _id: 'not-an-address',
      userId,
      publicKey: '00',
      sealedKey: '',
      purpose: 'receive',
      createdAt: new Date(),
    });

    try {
      const failed = await api.reconciler.reconcileUser(userId);
      const notReady = await api.call('GET', '/readyz');

      expect(failed.unrepaired).toBe(1);
      expect(notReady.status).toBe(503);
      expect(notReady.body.checks).toMatchObject({
        reconciler: expect.stringContaining('1 user(s)') as unknown,
      });
      expect(await metric('wallet_outer_db_unrepaired_users')).toBe(1);
    } finally {
      await api.db.collections.addresses.deleteOne({ _id: 'not-an-address' });
    }
    expect(await api.reconciler.reconcileUser(userId)).toEqual({ extra: 0, missing: 0, unrepaired: 0 });
    expect((await api.call('GET', '/readyz')).status).toBe(200);
  });

  it('sets a block number the indexer never wrote from the ledger (qscc), and reports none when all agree', async () => {
    await twoCoins('drift-unindexed');
    const { txs } = api.db.collections;
    const indexed = await txs
      .find({ blockNumber: { $ne: null } })
      .sort({ blockNumber: 1 })
      .toArray();
    const victim = indexed.at(-1);
    if (!victim) throw new Error('an indexed transaction expected');
    await txs.updateOne({ _id: victim._id }, { $set: { blockNumber: null } });
    const repairedBefore = await metric(
      'wallet_outer_db_divergences_total{kind="unindexed",outcome="repaired"}',
    );

    const repaired = await api.reconciler.repairUnindexed(0);

    expect(repaired).toBe(1);
    expect((await txs.findOne({ _id: victim._id }))?.blockNumber).toBe(victim.blockNumber);
    expect(await api.reconciler.repairUnindexed(0)).toBe(0);
    expect(await metric('wallet_outer_db_divergences_total{kind="unindexed",outcome="repaired"}')).toBe(
      repairedBefore + 1,
    );
  });

  it('sweeps every user and finds nothing to repair on an outer DB that agrees', async () => {
    await twoCoins('drift-sweep');

    const sweep = await api.reconciler.sweep();

    expect(sweep.users).toBeGreaterThanOrEqual(1);
    expect(sweep).toMatchObject({ extra: 0, missing: 0, unrepaired: 0, unindexed: 0 });
  });
});
