import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, rebuildIndex } from '@fabric-wallet/api';
import { ApiHarness } from '../support/api-harness.js';

/**
 * The cinema scenario through the API: screenings, one-transaction purchases, tickets,
 * redemption. One network and one merchant for the file; each case makes its own screening
 * and buyers, so no case sees seats or payments of another.
 */
describe('the cinema through the API', () => {
  let api: ApiHarness;
  let merchant: string;
  const pay = 'pay-123456';

  /** A new screening of seats A1-A4 at 120 by the merchant; its id. */
  const newScreening = (film: string) =>
    api.createScreening(merchant, { film, seatMap: [{ row: 'A', count: 4 }], price: '120' });

  /** A new customer holding `funds`; the session token. */
  async function customer(username: string, funds: string): Promise<string> {
    const token = await api.signUp(username);
    await api.recharge(token, funds);
    return token;
  }

  const buy = (token: string, screeningId: string, seats: string[], key: string) =>
    api.call('POST', `/v1/cinema/screenings/${screeningId}/tickets`, {
      token,
      body: { seats, paymentPassword: pay },
      headers: { 'idempotency-key': key },
    });

  /** A new screening in which a new customer bought seat A1; the screening's id. */
  async function soldSeat(film: string): Promise<string> {
    const screeningId = await newScreening(film);
    const bought = await buy(
      await customer(`${film.toLowerCase()}-fan`, '500'),
      screeningId,
      ['A1'],
      `${film}-fan-a1`,
    );
    expect(bought.status, JSON.stringify(bought.body)).toBe(201);
    return screeningId;
  }

  beforeAll(async () => {
    api = await ApiHarness.start('cinema-api');
    merchant = await api.signUp('grand-cinema', 'merchant');
  });

  afterAll(async () => {
    await api.stop();
  });

  it('lists the screening with every seat available', async () => {
    const screeningId = await newScreening('Metropolis');

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
    const screeningId = await newScreening('Sunrise');
    const buyer = await customer('moviegoer', '1000');
    const merchantBefore = BigInt(await api.balance(merchant));

    const bought = await buy(buyer, screeningId, ['A1', 'A2'], 'moviegoer-a1-a2');

    expect(bought.status, JSON.stringify(bought.body)).toBe(201);
    expect(bought.body.tickets).toEqual([`${screeningId}:A1`, `${screeningId}:A2`]);
    expect(await api.balance(buyer)).toBe('760');
    expect(BigInt(await api.balance(merchant))).toBe(merchantBefore + 240n);
    const view = await api.call('GET', `/v1/cinema/screenings/${screeningId}`);
    expect(view.body.sold).toEqual(['A1', 'A2']);
    const mine = await api.call('GET', '/v1/me/tickets', { token: buyer });
    expect((mine.body.tickets as { seat: string }[]).map((t) => t.seat).sort()).toEqual(['A1', 'A2']);
  });

  it('sells a contested seat once when two customers race: the other is refused and not charged', async () => {
    const screeningId = await newScreening('Nanook');
    const [one, two] = [await customer('racer-one', '500'), await customer('racer-two', '500')];

    const results = await Promise.all(
      [one, two].map((token, i) => buy(token, screeningId, ['A3'], `race-a3-${i}-xxxx`)),
    );

    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    const balances = [await api.balance(one), await api.balance(two)].sort();
    expect(balances).toEqual(['380', '500']);
  });

  it('refuses an unknown seat and a seat named twice', async () => {
    const screeningId = await newScreening('Greed');
    const buyer = await customer('picky', '500');

    const unknown = await buy(buyer, screeningId, ['Z9'], 'picky-z9-0001');
    const twice = await buy(buyer, screeningId, ['A4', 'A4'], 'picky-a4a4-01');

    expect(unknown.status).toBe(422);
    expect(twice.status).toBe(400);
    expect(await api.balance(buyer)).toBe('500');
  });

  it('lets the screening’s merchant verify and redeem a ticket once', async () => {
    const ticketId = `${await soldSeat('Faust')}:A1`;

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
    const screeningId = await soldSeat('Wings');
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
    api.indexer.start();
    expect(before.tickets.map((ticket) => ticket._id)).toContain(`${screeningId}:A1`);
  });

  it('refuses ticket verification by a customer and merchant creation without the admin credential', async () => {
    const screeningId = await soldSeat('Napoleon');
    const nosy = await api.signUp('nosy');

    const verify = await api.call('GET', `/v1/cinema/tickets/${screeningId}:A1`, { token: nosy });
    const noAdmin = await api.call('POST', '/v1/admin/accounts', {
      body: { username: 'fake-cinema', password: 'login-password-1', paymentPassword: pay, role: 'merchant' },
    });

    expect(verify.status).toBe(403);
    expect(noAdmin.status).toBe(401);
  });
});
