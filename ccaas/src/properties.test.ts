import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StoredUtxo, TxRecord } from './model.js';
import { canonicalJson } from './protocol/canonical-json.js';
import { generateAddressKey } from './protocol/keys.js';
import type { TraceResult } from './token/trace.js';
import { World, type Coin } from './testing/world.js';

/**
 * Random sequences of recharges, transfers, double spends and ticket purchases against the
 * contracts, then the ledger's invariants: value is conserved, no outpoint is spent twice,
 * every unspent output has its record, every trace ends at mints, no seat is sold twice.
 */

type Step =
  | { op: 'mint'; amounts: number[] }
  | { op: 'transfer'; pick: number[]; split: number[] }
  | { op: 'replay'; pick: number }
  | { op: 'buy'; pick: number; seat: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    op: fc.constant('mint' as const),
    amounts: fc.array(fc.integer({ min: 1, max: 10_000 }), { minLength: 1, maxLength: 3 }),
  }),
  fc.record({
    op: fc.constant('transfer' as const),
    pick: fc.array(fc.nat(), { minLength: 1, maxLength: 3 }),
    split: fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 1, maxLength: 3 }),
  }),
  fc.record({ op: fc.constant('replay' as const), pick: fc.nat() }),
  fc.record({ op: fc.constant('buy' as const), pick: fc.nat(), seat: fc.integer({ min: 1, max: 6 }) }),
);

const PRICE = 50n;
const cinema = generateAddressKey();

/** Splits `total` into parts proportional to `weights`, each at least 1, summing to total. */
function splitAmount(total: bigint, weights: readonly number[]): bigint[] {
  const parts = weights.slice(0, Number(total < BigInt(weights.length) ? total : BigInt(weights.length)));
  const weightSum = BigInt(parts.reduce((a, b) => a + b, 0));
  const amounts = parts.map((w) => 1n + ((total - BigInt(parts.length)) * BigInt(w)) / weightSum);
  const rest = total - amounts.reduce((a, b) => a + b, 0n);
  amounts[0] = (amounts[0] ?? 0n) + rest;
  return amounts;
}

/** How many of each operation really ran, so the test can show the histories were not trivial. */
const ran = { transfer: 0, replay: 0, buy: 0, seatSold: 0 };

async function play(world: World, steps: readonly Step[]): Promise<{ minted: bigint; spentCoins: Coin[] }> {
  let unspent: Coin[] = [];
  const spentCoins: Coin[] = [];
  let minted = 0n;
  for (const s of steps) {
    if (s.op === 'mint') {
      unspent.push(...(await world.mint(...s.amounts.map(BigInt))));
      minted += s.amounts.reduce((a, b) => a + BigInt(b), 0n);
    } else if (s.op === 'transfer' && unspent.length > 0) {
      const chosen = [...new Set(s.pick.map((p) => p % unspent.length))].map((i) => unspent[i] as Coin);
      const total = chosen.reduce((sum, coin) => sum + coin.amount, 0n);
      const keys = s.split.map(() => generateAddressKey());
      const amounts = splitAmount(total, s.split);
      const record = await world.transfer(
        chosen,
        amounts.map((amount, i) => ({ address: keys[i]?.address ?? '', amount })),
      );
      unspent = unspent.filter((coin) => !chosen.includes(coin));
      spentCoins.push(...chosen);
      ran.transfer++;
      unspent.push(
        ...amounts.map((amount, index) => ({
          txId: record.txId,
          index,
          key: keys[index] ?? generateAddressKey(),
          amount,
        })),
      );
    } else if (s.op === 'replay' && spentCoins.length > 0) {
      const coin = spentCoins[s.pick % spentCoins.length] as Coin;
      await expect(
        world.transfer([coin], [{ address: generateAddressKey().address, amount: coin.amount }]),
      ).rejects.toMatchObject({
        code: 'INPUT_SPENT',
      });
      ran.replay++;
    } else if (s.op === 'buy' && unspent.length > 0) {
      const coin = unspent[s.pick % unspent.length] as Coin;
      if (coin.amount < PRICE) continue;
      const seat = `A${s.seat}`;
      const change = generateAddressKey();
      const outputs = [{ address: cinema.address, amount: PRICE.toString() }];
      if (coin.amount > PRICE)
        outputs.push({ address: change.address, amount: (coin.amount - PRICE).toString() });
      const body = world.purchaseBody([coin], outputs, {
        screeningId: 'p1',
        seats: [seat],
        holder: coin.key.address,
      });
      const args = [
        'p1',
        JSON.stringify([seat]),
        canonicalJson(body),
        JSON.stringify(world.witnesses(body, [coin])),
      ] as const;
      try {
        const { tx } = (await world.submit(world.customer, (ctx) =>
          world.cinema.BuyTickets(ctx, ...args),
        )) as { tx: TxRecord };
        unspent = unspent.filter((c) => c !== coin);
        spentCoins.push(coin);
        ran.buy++;
        unspent.push({ txId: tx.txId, index: 0, key: cinema, amount: PRICE });
        if (coin.amount > PRICE)
          unspent.push({ txId: tx.txId, index: 1, key: change, amount: coin.amount - PRICE });
      } catch (error) {
        expect(error).toMatchObject({ code: 'SEAT_SOLD' });
        ran.seatSold++;
      }
    }
  }
  return { minted, spentCoins };
}

/** Committed state by key family: the composite key's object type and attributes. */
function committed(world: World): { type: string; attributes: string[]; value: unknown }[] {
  return world.ledger.entries().map(([key, value]) => {
    const [type = '', ...attributes] = key.slice(1, -1).split('\u0000');
    return { type, attributes, value: JSON.parse(Buffer.from(value).toString('utf8')) as unknown };
  });
}

describe('ledger invariants over random histories', () => {
  it('conserves value, never spends an outpoint twice, keeps records, traces to mints and sells each seat once', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 20 }), async (steps) => {
        const world = new World();
        await world.screening('p1', PRICE, cinema.address, [{ row: 'A', count: 6 }]);

        const { minted } = await play(world, steps);

        const state = committed(world);
        const utxos = state.filter((entry) => entry.type === 'utxo');
        const records = new Map(
          state.filter((e) => e.type === 'tx').map((e) => [e.attributes[0], e.value as TxRecord]),
        );
        // Value conserved: what is unspent is exactly what was minted.
        expect(utxos.reduce((sum, e) => sum + BigInt((e.value as StoredUtxo).amount), 0n)).toBe(minted);
        // No outpoint spent twice.
        const spent = [...records.values()].flatMap((r) => r.inputs.map((i) => `${i.txId}:${i.index}`));
        expect(new Set(spent).size).toBe(spent.length);
        // Every unspent output has its record, with the same owner and amount, and an owner-index entry.
        const owned = new Set(
          state.filter((e) => e.type === 'own').map((e) => e.attributes.slice(1).join(':')),
        );
        for (const { attributes, value } of utxos) {
          const [txId = '', index = ''] = attributes;
          const output = records.get(txId)?.outputs[Number(index)];
          expect(output).toEqual({
            address: (value as StoredUtxo).owner,
            amount: (value as StoredUtxo).amount,
          });
          expect(owned.has(`${txId}:${index}`)).toBe(true);
          expect(spent).not.toContain(`${txId}:${index}`);
        }
        expect(owned.size).toBe(utxos.length);
        // Every trace ends at mints.
        for (const { attributes } of utxos.slice(0, 5)) {
          const trace = (await world.evaluate((ctx) =>
            world.token.Trace(ctx, attributes[0] ?? '', attributes[1] ?? '', '64'),
          )) as TraceResult;
          expect(trace.complete).toBe(true);
          expect(trace.txs.filter((tx) => tx.inputs.length === 0).every((tx) => tx.kind === 'mint')).toBe(
            true,
          );
          expect(trace.mints.length).toBeGreaterThan(0);
        }
        // No seat sold twice: one seat key per ticket ever sold.
        const sold = [...records.values()].flatMap((r) => r.purchase?.seats ?? []);
        expect(new Set(sold).size).toBe(sold.length);
        expect(state.filter((e) => e.type === 'seat')).toHaveLength(sold.length);
      }),
      { numRuns: 60 },
    );

    expect(ran.transfer).toBeGreaterThan(20);
    expect(ran.replay).toBeGreaterThan(5);
    expect(ran.buy).toBeGreaterThan(5);
    expect(ran.seatSold).toBeGreaterThan(0);
  });
});
