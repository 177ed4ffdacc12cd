import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, rebuildIndex } from '@fabric-wallet/api';
import { ApiHarness } from '../support/api-harness.js';

/** The cinema scenario through the API: screenings, one-transaction purchases, tickets, redemption. */
describe('the cinema through the API', () => {
  let api: ApiHarness;
  let merchant: string;
  let screeningId: string;
  const pay = 'pay-123456';

  beforeAll(async () => {
    api = await ApiHarness.start('cinema-api');
    merchant = await api.signUp('grand-cinema', 'merchant');
    const created = await api.call('POST', '/v1/cinema/screenings', {
      token: merchant,
      headers: { 'idempotency-key': 'create-metropolis-1' },
      body: {
        film: 'Metropolis',
        startsAt: new Date(Date.now() + 86_400_000).toISOString(),
        seatMap: [{ row: 'A', count: 4 }],
        price: '120',
        paymentPassword: pay,
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    screeningId = created.body.screeningId as string;
  });

  afterAll(async () => {
    await api.stop();
  });

  it('lists the screening with every seat available', async () => {
    const list = await api.call('GET', '/v1/cinema/screenings');
    const one = await api.call('GET', `/v1/cinema/screenings/${screeningId}`);

    expect((list.body.screenings as { screeningId: string }[]).map((s) => s.screeningId)).toContain(
      screeningId,
    );
    expect(one.body).toMatchObject({
      film: 'Metropolis',
      price: '120',
      available: ['A1', 'A2', 'A3', 'A4'],
      sold: [],
    });
  });

  it('creates a screening once for a retried request with the same Idempotency-Key', async () => {
    const request = {
      token: merchant,
      headers: { 'idempotency-key': 'create-nosferatu-1' },
      body: {
        film: 'Nosferatu',
        startsAt: new Date(Date.now() + 2 * 86_400_000).toISOString(),
        seatMap: [{ row: 'A', count: 2 }],
        price: '90',
        paymentPassword: pay,
      },
    };

    const first = await api.call('POST', '/v1/cinema/screenings', request);
    const retry = await api.call('POST', '/v1/cinema/screenings', request);
    const unkeyed = await api.call('POST', '/v1/cinema/screenings', { ...request, headers: {} });

    expect(first.status).toBe(201);
    expect(retry.body.screeningId).toBe(first.body.screeningId);
    expect(await api.db.collections.screenings.countDocuments({ film: 'Nosferatu' })).toBe(1);
    expect(unkeyed.status).toBe(400);
  });

  it('refuses screening creation by a customer', async () => {
    const customer = await api.signUp('not-a-cinema');

    const refused = await api.call('POST', '/v1/cinema/screenings', {
      token: customer,
      headers: { 'idempotency-key': 'customer-tries-1' },
      body: {
        film: 'X',
        startsAt: new Date(Date.now() + 86_400_000).toISOString(),
        seatMap: [{ row: 'A', count: 1 }],
        price: '1',
        paymentPassword: pay,
      },
    });

    expect(refused.status).toBe(403);
  });

  it('buys two seats in one transaction: the cinema is paid, the seats are sold, my tickets list them', async () => {
    const buyer = await api.signUp('moviegoer');
    await api.recharge(buyer, '1000');

    const bought = await api.call('POST', `/v1/cinema/screenings/${screeningId}/tickets`, {
      token: buyer,
      body: { seats: ['A1', 'A2'], paymentPassword: pay },
      headers: { 'idempotency-key': 'moviegoer-a1-a2' },
    });

    expect(bought.status, JSON.stringify(bought.body)).toBe(201);
    expect(bought.body.tickets).toEqual([`${screeningId}:A1`, `${screeningId}:A2`]);
    expect(await api.balance(buyer)).toBe('760');
    expect(await api.balance(merchant)).toBe('240');
    const view = await api.call('GET', `/v1/cinema/screenings/${screeningId}`);
    expect(view.body.sold).toEqual(['A1', 'A2']);
    const mine = await api.call('GET', '/v1/me/tickets', { token: buyer });
    expect((mine.body.tickets as { seat: string }[]).map((t) => t.seat).sort()).toEqual(['A1', 'A2']);
  });

  it('sells a contested seat once when two customers race: the other is refused and not charged', async () => {
    const [one, two] = [await api.signUp('racer-one'), await api.signUp('racer-two')];
    await api.recharge(one, '500');
    await api.recharge(two, '500');

    const results = await Promise.all(
      [one, two].map((token, i) =>
        api.call('POST', `/v1/cinema/screenings/${screeningId}/tickets`, {
          token,
          body: { seats: ['A3'], paymentPassword: pay },
          headers: { 'idempotency-key': `race-a3-${i}-xxxx` },
        }),
      ),
    );

    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    const balances = [await api.balance(one), await api.balance(two)].sort();
    expect(balances).toEqual(['380', '500']);
  });

  it('refuses an unknown seat and a seat named twice', async () => {
    const buyer = await api.signUp('picky');
    await api.recharge(buyer, '500');

    const unknown = await api.call('POST', `/v1/cinema/screenings/${screeningId}/tickets`, {
      token: buyer,
      body: { seats: ['Z9'], paymentPassword: pay },
      headers: { 'idempotency-key': 'picky-z9-0001' },
    });
    const twice = await api.call('POST', `/v1/cinema/screenings/${screeningId}/tickets`, {
      token: buyer,
      body: { seats: ['A4', 'A4'], paymentPassword: pay },
      headers: { 'idempotency-key': 'picky-a4a4-01' },
    });

    expect(unknown.status).toBe(422);
    expect(twice.status).toBe(400);
    expect(await api.balance(buyer)).toBe('500');
  });

  it('lets the screening’s merchant verify and redeem a ticket once', async () => {
    const ticketId = `${screeningId}:A1`;

    const verified = await api.call('GET', `/v1/cinema/tickets/${ticketId}`, { token: merchant });
    const redeemed = await api.call('POST', `/v1/cinema/tickets/${ticketId}/redeem`, {
      token: merchant,
      body: { paymentPassword: pay },
    });
    const again = await api.call('POST', `/v1/cinema/tickets/${ticketId}/redeem`, {
      token: merchant,
      body: { paymentPassword: pay },
    });

    expect(verified.body).toMatchObject({ seat: 'A1', redeemedAt: null });
    expect(redeemed.status, JSON.stringify(redeemed.body)).toBe(200);
    expect(redeemed.body.redeemedAt).not.toBeNull();
    expect(again.status).toBe(409);
    expect(again.body.type).toBe('https://fabric-wallet.io/problems/ticket-redeemed');
  });

  it('rebuilds screenings and tickets from the ledger identically', async () => {
    const snapshot = async () => ({
      screenings: await api.db.collections.screenings.find().sort({ _id: 1 }).toArray(),
      tickets: await api.db.collections.tickets.find().sort({ _id: 1 }).toArray(),
    });
    await expect
      .poll(() => api.db.collections.txs.countDocuments({ blockNumber: null }), { timeout: 30_000 })
      .toBe(0);
    const before = await snapshot();
    await api.indexer.stop();

    await rebuildIndex(api.db.collections, api.ledger, api.config.fabric.registrar, createLogger('silent'));

    expect(await snapshot()).toEqual(before);
    expect(before.tickets.length).toBeGreaterThanOrEqual(3);
    api.indexer.start();
  });

  it('refuses ticket verification by a customer and merchant creation without the admin credential', async () => {
    const customer = await api.signUp('nosy');

    const verify = await api.call('GET', `/v1/cinema/tickets/${screeningId}:A2`, { token: customer });
    const noAdmin = await api.call('POST', '/v1/admin/accounts', {
      body: { username: 'fake-cinema', password: 'login-password-1', paymentPassword: pay, role: 'merchant' },
    });

    expect(verify.status).toBe(403);
    expect(noAdmin.status).toBe(401);
  });
});
