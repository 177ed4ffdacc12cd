import { describe, expect, it } from 'vitest';
import type { Screening, Ticket, TxRecord, Utxo } from './model.js';
import { canonicalJson } from './protocol/canonical-json.js';
import { generateAddressKey } from './protocol/keys.js';
import type { TransferBody } from './protocol/transfer-body.js';
import { identity } from './testing/memory-ledger.js';
import { rejectionOf, World, type Coin } from './testing/world.js';

const cinemaKey = generateAddressKey();
const out = (address: string, amount: bigint) => ({ address, amount: amount.toString() });

interface ScreeningView {
  screening: Screening;
  sold: string[];
  available: string[];
}

/** A world with screening "s1" (seats A1..A5 at 100) and a buyer holding one coin of 1000. */
async function cinemaWorld(): Promise<{ world: World; coin: Coin }> {
  const world = new World();
  await world.screening('s1', 100n, cinemaKey.address);
  const [coin] = (await world.mint(1000n)) as [Coin];
  return { world, coin };
}

function buyArgs(
  world: World,
  coin: Coin,
  seats: string[],
  pay = 100n * BigInt(seats.length),
  screeningId = 's1',
) {
  const holder = coin.key.address;
  const body: TransferBody = world.purchaseBody(
    [coin],
    [out(cinemaKey.address, pay), out(generateAddressKey().address, coin.amount - pay)],
    { screeningId, seats, holder },
  );
  return [
    screeningId,
    JSON.stringify(seats),
    canonicalJson(body),
    JSON.stringify(world.witnesses(body, [coin])),
  ] as const;
}

describe('CreateScreening', () => {
  it('stores a merchant’s screening with every seat available and emits ScreeningCreated', async () => {
    const { world } = await cinemaWorld();

    const view = (await world.evaluate((ctx) => world.cinema.GetScreening(ctx, 's1'))) as ScreeningView;

    expect(view.screening).toMatchObject({ screeningId: 's1', price: '100', merchantMsp: 'CinemaOrgMSP' });
    expect(view.available).toEqual(['A1', 'A2', 'A3', 'A4', 'A5']);
    expect(view.sold).toEqual([]);
    expect(world.ledger.events.map((event) => event.name)).toContain('cinema.ScreeningCreated');
  });

  it('refuses a caller without the merchant role', async () => {
    const world = new World();
    const spec = {
      screeningId: 's2',
      film: 'M',
      startsAt: world.now.getTime() + 1000,
      seatMap: [{ row: 'A', count: 1 }],
      price: '1',
      cinemaAddress: cinemaKey.address,
    };

    const error = await rejectionOf(() =>
      world.submit(world.customer, (ctx) => world.cinema.CreateScreening(ctx, JSON.stringify(spec))),
    );

    expect(error.code).toBe('ROLE_REQUIRED');
  });

  it('refuses a second screening with the same id', async () => {
    const { world } = await cinemaWorld();

    const error = await rejectionOf(() => world.screening('s1', 100n, cinemaKey.address));

    expect(error.code).toBe('SCREENING_EXISTS');
  });

  it.each([
    ['a start in the past', { startsAt: Date.parse('2026-11-24T00:00:00Z') }, 'SCREENING_STARTED'],
    [
      'a row named twice',
      {
        seatMap: [
          { row: 'A', count: 2 },
          { row: 'A', count: 3 },
        ],
      },
      'MALFORMED_ARGUMENT',
    ],
    [
      'more seats than the limit',
      { seatMap: Array.from({ length: 11 }, (_, i) => ({ row: 'ABCDEFGHIJK'.charAt(i), count: 100 })) },
      'MALFORMED_ARGUMENT',
    ],
    ['a fractional price', { price: '9.99' }, 'BAD_AMOUNT'],
    ['a film title with a control character', { film: 'Bad\u0007Film' }, 'MALFORMED_ARGUMENT'],
    ['an unknown field', { rating: 'PG' }, 'MALFORMED_ARGUMENT'],
  ])('rejects %s', async (_name, change, code) => {
    const world = new World();
    const spec = {
      screeningId: 's3',
      film: 'M',
      startsAt: world.now.getTime() + 1000,
      seatMap: [{ row: 'A', count: 1 }],
      price: '1',
      cinemaAddress: cinemaKey.address,
      ...change,
    };

    const error = await rejectionOf(() =>
      world.submit(world.merchant, (ctx) => world.cinema.CreateScreening(ctx, JSON.stringify(spec))),
    );

    expect(error.code).toBe(code);
  });
});

describe('BuyTickets', () => {
  it('pays the cinema and marks the seats sold in one transaction, returning the change', async () => {
    const { world, coin } = await cinemaWorld();

    const result = (await world.submit(world.customer, (ctx) =>
      world.cinema.BuyTickets(ctx, ...buyArgs(world, coin, ['A2', 'A3'])),
    )) as {
      tx: TxRecord;
      tickets: Ticket[];
    };

    expect(result.tickets.map((ticket) => ticket.ticketId)).toEqual(['s1:A2', 's1:A3']);
    expect(result.tx).toMatchObject({
      kind: 'purchase',
      purchase: { screeningId: 's1', seats: ['A2', 'A3'] },
    });
    const paid = (await world.evaluate((ctx) => world.cinema.GetScreening(ctx, 's1'))) as ScreeningView;
    expect(paid.sold).toEqual(['A2', 'A3']);
    const toCinema = (await world.evaluate((ctx) => world.token.GetUtxo(ctx, result.tx.txId, '0'))) as Utxo;
    const change = (await world.evaluate((ctx) => world.token.GetUtxo(ctx, result.tx.txId, '1'))) as Utxo;
    expect([toCinema.owner, toCinema.amount, change.amount]).toEqual([cinemaKey.address, '200', '800']);
    const ticket = (await world.evaluate((ctx) => world.cinema.GetTicket(ctx, 's1:A2'))) as Ticket;
    expect(ticket).toMatchObject({ holder: coin.key.address, txId: result.tx.txId });
    expect(world.ledger.events.at(-1)).toMatchObject({
      name: 'cinema.TicketsBought',
      payload: { tickets: result.tickets },
    });
  });

  it('refuses a sold seat with SEAT_SOLD and leaves the second buyer’s coin unspent', async () => {
    const { world, coin } = await cinemaWorld();
    await world.submit(world.customer, (ctx) =>
      world.cinema.BuyTickets(ctx, ...buyArgs(world, coin, ['A1'])),
    );
    const [other] = (await world.mint(500n)) as [Coin];

    const error = await rejectionOf(() =>
      world.submit(world.customer, (ctx) => world.cinema.BuyTickets(ctx, ...buyArgs(world, other, ['A1']))),
    );

    expect(error.code).toBe('SEAT_SOLD');
    const stillThere = (await world.evaluate((ctx) => world.token.GetUtxo(ctx, other.txId, '0'))) as Utxo;
    expect(stillThere.amount).toBe('500');
  });

  it('sells a contested seat once when two buyers race: the other purchase fails MVCC and charges nothing', async () => {
    const { world, coin } = await cinemaWorld();
    const [other] = (await world.mint(500n)) as [Coin];
    const race = [coin, other].map((c) => {
      const tx = world.ledger.begin(world.options());
      return { tx, run: world.cinema.BuyTickets(tx.context, ...buyArgs(world, c, ['A4'])) };
    });
    await Promise.all(race.map((r) => r.run));

    const statuses = race.map((r) => world.ledger.commit(r.tx));

    expect(statuses).toEqual(['VALID', 'MVCC_READ_CONFLICT']);
    const unspent = (await world.evaluate((ctx) => world.token.GetUtxo(ctx, other.txId, '0'))) as Utxo;
    expect(unspent.amount).toBe('500');
  });

  it('lets buyers of different seats of one screening commit side by side (no hot key)', async () => {
    const { world, coin } = await cinemaWorld();
    const [other] = (await world.mint(500n)) as [Coin];
    const race = [
      { c: coin, seat: 'A1' },
      { c: other, seat: 'A5' },
    ].map(({ c, seat }) => {
      const tx = world.ledger.begin(world.options());
      return { tx, run: world.cinema.BuyTickets(tx.context, ...buyArgs(world, c, [seat])) };
    });
    await Promise.all(race.map((r) => r.run));

    expect(race.map((r) => world.ledger.commit(r.tx))).toEqual(['VALID', 'VALID']);
  });

  it.each([
    ['a seat that is not in the map', ['B1'], 100n, 's1', 'SEAT_UNKNOWN'],
    ['a payment below seats x price', ['A1', 'A2'], 150n, 's1', 'UNDERPAID'],
    ['a screening that does not exist', ['A1'], 100n, 'nope', 'SCREENING_NOT_FOUND'],
  ])('rejects %s', async (_name, seats, pay, screeningId, code) => {
    const { world, coin } = await cinemaWorld();

    const error = await rejectionOf(() =>
      world.submit(world.customer, (ctx) =>
        world.cinema.BuyTickets(ctx, ...buyArgs(world, coin, seats, pay, screeningId)),
      ),
    );

    expect(error.code).toBe(code);
  });

  it('rejects seats that differ from the signed purchase terms', async () => {
    const { world, coin } = await cinemaWorld();
    const [screeningId, , body, witnesses] = buyArgs(world, coin, ['A1']);

    const error = await rejectionOf(() =>
      world.submit(world.customer, (ctx) =>
        world.cinema.BuyTickets(ctx, screeningId, '["A2"]', body, witnesses),
      ),
    );

    expect(error.message).toContain('must equal the signed body.purchase');
  });

  it('rejects a purchase once the screening has started', async () => {
    const { world, coin } = await cinemaWorld();
    const args = buyArgs(world, coin, ['A1']);
    world.now = new Date(world.now.getTime() + 86_400_000);

    const error = await rejectionOf(() =>
      world.submit(world.customer, (ctx) => world.cinema.BuyTickets(ctx, ...args)),
    );

    expect(error.code).toBe('SCREENING_STARTED');
  });
});

describe('RedeemTicket', () => {
  it('lets the screening’s merchant redeem a ticket once', async () => {
    const { world, coin } = await cinemaWorld();
    await world.submit(world.customer, (ctx) =>
      world.cinema.BuyTickets(ctx, ...buyArgs(world, coin, ['A1'])),
    );

    const redeemed = (await world.submit(world.merchant, (ctx) =>
      world.cinema.RedeemTicket(ctx, 's1:A1'),
    )) as Ticket;
    const again = await rejectionOf(() =>
      world.submit(world.merchant, (ctx) => world.cinema.RedeemTicket(ctx, 's1:A1')),
    );

    expect(redeemed.redeemedAt).toBe(world.now.getTime());
    expect(again.code).toBe('TICKET_REDEEMED');
  });

  it.each([
    [
      'another merchant',
      identity('CinemaOrgMSP', 'x509::CN=cinema-2', 'merchant'),
      's1:A1',
      'NOT_SCREENING_MERCHANT',
    ],
    ['a customer', identity('WalletOrgMSP', 'x509::CN=u', 'customer'), 's1:A1', 'ROLE_REQUIRED'],
    ['an unsold seat', undefined, 's1:A5', 'TICKET_NOT_FOUND'],
    ['a malformed ticket id', undefined, 's1-A1', 'MALFORMED_ARGUMENT'],
  ])('refuses %s', async (_name, caller, ticket, code) => {
    const { world, coin } = await cinemaWorld();
    await world.submit(world.customer, (ctx) =>
      world.cinema.BuyTickets(ctx, ...buyArgs(world, coin, ['A1'])),
    );

    const error = await rejectionOf(() =>
      world.submit(caller ?? world.merchant, (ctx) => world.cinema.RedeemTicket(ctx, ticket)),
    );

    expect(error.code).toBe(code);
  });
});
