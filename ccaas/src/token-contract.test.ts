import { describe, expect, it } from 'vitest';
import type { TxRecord, Utxo } from './model.js';
import { canonicalJson } from './protocol/canonical-json.js';
import { sha256Hex } from './protocol/hash.js';
import { generateAddressKey } from './protocol/keys.js';
import { toHighS } from './protocol/signature.js';
import type { TraceResult } from './token/trace.js';
import { identity } from './testing/memory-ledger.js';
import { rejectionOf, World, type Coin } from './testing/world.js';

const out = (address: string, amount: bigint) => ({ address, amount: amount.toString() });

describe('Recharge', () => {
  it('mints the outputs for an issuer, records a mint and emits one Minted event', async () => {
    const world = new World();
    const payee = generateAddressKey();

    const record = (await world.submit(world.issuer, (ctx) =>
      world.token.Recharge(ctx, 'order-1', JSON.stringify([out(payee.address, 500n)])),
    )) as TxRecord;

    expect(record).toMatchObject({
      kind: 'mint',
      orderId: 'order-1',
      inputs: [],
      outputs: [out(payee.address, 500n)],
    });
    const utxo = (await world.evaluate((ctx) => world.token.GetUtxo(ctx, record.txId, '0'))) as Utxo;
    expect(utxo).toEqual({ txId: record.txId, index: 0, owner: payee.address, amount: '500' });
    expect(world.ledger.events).toEqual([
      { txId: record.txId, name: 'wallet.Minted', payload: { tx: record } },
    ]);
  });

  it('mints an order once and rejects the second call with ORDER_EXISTS', async () => {
    const world = new World();
    const outputs = JSON.stringify([out(generateAddressKey().address, 5n)]);
    await world.submit(world.issuer, (ctx) => world.token.Recharge(ctx, 'order-2', outputs));

    const error = await rejectionOf(() =>
      world.submit(world.issuer, (ctx) => world.token.Recharge(ctx, 'order-2', outputs)),
    );

    expect(error.code).toBe('ORDER_EXISTS');
  });

  it.each([
    ['a customer', identity('WalletOrgMSP', 'c', 'customer')],
    ['a caller without the attribute', identity('WalletOrgMSP', 'c')],
    ['an issuer certificate from another org', identity('CinemaOrgMSP', 'i', 'issuer')],
  ])('refuses %s with ROLE_REQUIRED', async (_name, caller) => {
    const world = new World();
    const outputs = JSON.stringify([out(generateAddressKey().address, 5n)]);

    const error = await rejectionOf(() =>
      world.submit(caller, (ctx) => world.token.Recharge(ctx, 'order-3', outputs)),
    );

    expect(error.code).toBe('ROLE_REQUIRED');
  });

  it.each([
    ['malformed JSON', '[{', 'MALFORMED_ARGUMENT'],
    ['a zero amount', JSON.stringify([{ address: generateAddressKey().address, amount: '0' }]), 'BAD_AMOUNT'],
    [
      'too many outputs',
      JSON.stringify(Array.from({ length: 17 }, () => out(generateAddressKey().address, 1n))),
      'TOO_MANY_OUTPUTS',
    ],
    ['no outputs', '[]', 'MALFORMED_ARGUMENT'],
  ])('rejects %s', async (_name, outputs, code) => {
    const world = new World();

    const error = await rejectionOf(() =>
      world.submit(world.issuer, (ctx) => world.token.Recharge(ctx, 'order-4', outputs)),
    );

    expect(error.code).toBe(code);
  });

  it('rejects a call with the wrong number of arguments, naming them', async () => {
    const world = new World();

    const error = await rejectionOf(() =>
      world.submit(world.issuer, (ctx) => world.token.Recharge(ctx, 'order-5')),
    );

    expect(error.message).toContain('expected 2 arguments (orderId, outputsJson), got 1');
  });
});

describe('Transfer', () => {
  it('pays with change: spends the inputs, creates the outputs and records the signers', async () => {
    const world = new World();
    const [coin] = (await world.mint(1000n)) as [Coin];
    const payee = generateAddressKey();
    const change = generateAddressKey();

    const record = await world.transfer(
      [coin],
      [
        { address: payee.address, amount: 300n },
        { address: change.address, amount: 700n },
      ],
    );

    expect(record.inputs).toEqual([{ txId: coin.txId, index: 0, owner: coin.key.address, amount: '1000' }]);
    expect(record.signers).toEqual([coin.key.address]);
    const spent = await rejectionOf(() => world.evaluate((ctx) => world.token.GetUtxo(ctx, coin.txId, '0')));
    expect(spent.message).toContain('was spent');
    const paid = (await world.evaluate((ctx) => world.token.GetUtxo(ctx, record.txId, '0'))) as Utxo;
    const kept = (await world.evaluate((ctx) => world.token.GetUtxo(ctx, record.txId, '1'))) as Utxo;
    expect([paid.owner, paid.amount, kept.owner, kept.amount]).toEqual([
      payee.address,
      '300',
      change.address,
      '700',
    ]);
    expect(world.ledger.events.at(-1)?.name).toBe('wallet.Transferred');
  });

  it('accepts inputs of several owners when each of them signs', async () => {
    const world = new World();
    const coins = await world.mint(10n, 20n, 30n);

    const record = await world.transfer(coins, [{ address: generateAddressKey().address, amount: 60n }]);

    expect(record.signers).toEqual(coins.map((coin) => coin.key.address).sort());
  });

  it('reads only the input keys and writes only the keys it spends and creates', async () => {
    const world = new World();
    const [coin] = (await world.mint(9n)) as [Coin];
    const payee = generateAddressKey();
    const body = world.body([coin], [out(payee.address, 9n)]);
    const tx = world.ledger.begin(world.options());

    await world.token.Transfer(
      tx.context,
      canonicalJson(body),
      JSON.stringify(world.witnesses(body, [coin])),
    );

    const key = (...parts: string[]) =>
      tx.context.stub.createCompositeKey(parts[0] as string, parts.slice(1));
    expect([...tx.reads.keys()]).toEqual([key('utxo', coin.txId, '0')]);
    expect([...tx.writes.keys()].sort()).toEqual(
      [
        key('utxo', coin.txId, '0'),
        key('own', coin.key.address, coin.txId, '0'),
        key('utxo', tx.txId, '0'),
        key('own', payee.address, tx.txId, '0'),
        key('tx', tx.txId),
      ].sort(),
    );
  });

  it('lets exactly one of two concurrent spends of one output commit (MVCC)', async () => {
    const world = new World();
    const [coin] = (await world.mint(50n)) as [Coin];
    const spendTo = (address: string) => {
      const body = world.body([coin], [out(address, 50n)]);
      const tx = world.ledger.begin(world.options());
      return {
        tx,
        run: world.token.Transfer(
          tx.context,
          canonicalJson(body),
          JSON.stringify(world.witnesses(body, [coin])),
        ),
      };
    };
    const a = spendTo(generateAddressKey().address);
    const b = spendTo(generateAddressKey().address);
    await Promise.all([a.run, b.run]);

    const statuses = [world.ledger.commit(a.tx), world.ledger.commit(b.tx)];

    expect(statuses).toEqual(['VALID', 'MVCC_READ_CONFLICT']);
  });

  it('rejects a replayed body with INPUT_SPENT and a replayed transaction id as a duplicate', async () => {
    const world = new World();
    const [coin] = (await world.mint(50n)) as [Coin];
    const body = world.body([coin], [out(generateAddressKey().address, 50n)]);
    const args = [canonicalJson(body), JSON.stringify(world.witnesses(body, [coin]))] as const;
    const first = await world.ledger.submit(world.options(), (ctx) => world.token.Transfer(ctx, ...args));

    const replay = await rejectionOf(() =>
      world.submit(world.customer, (ctx) => world.token.Transfer(ctx, ...args)),
    );
    const sameTxId = world.ledger.begin({ ...world.options(), txId: first.txId });

    expect(first.status).toBe('VALID');
    expect(replay.code).toBe('INPUT_SPENT');
    expect(world.ledger.commit(sameTxId)).toBe('DUPLICATE_TXID');
  });

  describe('rejections', () => {
    async function attempt(
      world: World,
      body: unknown,
      witnesses: unknown,
    ): Promise<{ code?: string; message: string }> {
      const tx = world.ledger.begin(world.options());
      const error = await rejectionOf(() =>
        world.token.Transfer(
          tx.context,
          typeof body === 'string' ? body : JSON.stringify(body),
          typeof witnesses === 'string' ? witnesses : JSON.stringify(witnesses),
        ),
      );
      // Every check runs before the first write.
      expect(tx.writes.size).toBe(0);
      return error;
    }

    it('rejects an input that never existed with INPUT_UNKNOWN', async () => {
      const world = new World();
      const [coin] = (await world.mint(5n)) as [Coin];
      const ghost: Coin = { ...coin, txId: sha256Hex('ghost') };
      const body = world.body([ghost], [out(generateAddressKey().address, 5n)]);

      const error = await attempt(world, body, world.witnesses(body, [ghost]));

      expect(error.code).toBe('INPUT_UNKNOWN');
    });

    it('rejects a duplicate input with DUPLICATE_INPUT', async () => {
      const world = new World();
      const [coin] = (await world.mint(5n)) as [Coin];
      const body = {
        ...world.body([coin], [out(generateAddressKey().address, 10n)]),
        inputs: [coin, coin].map(({ txId, index }) => ({ txId, index })),
      };

      const error = await attempt(world, body, world.witnesses(body, [coin]));

      expect(error.code).toBe('DUPLICATE_INPUT');
    });

    it('rejects a witness whose key does not hash to an input owner with KEY_ADDRESS_MISMATCH', async () => {
      const world = new World();
      const [coin] = (await world.mint(5n)) as [Coin];
      const body = world.body([coin], [out(generateAddressKey().address, 5n)]);
      const thief = { ...coin, key: generateAddressKey() };

      const error = await attempt(world, body, world.witnesses(body, [thief]));

      expect(error.code).toBe('KEY_ADDRESS_MISMATCH');
    });

    it('rejects a spend that an input owner did not sign with MISSING_SIGNATURE', async () => {
      const world = new World();
      const [a, b] = (await world.mint(5n, 6n)) as [Coin, Coin];
      const body = world.body([a, b], [out(generateAddressKey().address, 11n)]);

      const error = await attempt(world, body, world.witnesses(body, [a]));

      expect(error.code).toBe('MISSING_SIGNATURE');
    });

    it('rejects a signature over another body with BAD_SIGNATURE', async () => {
      const world = new World();
      const [coin] = (await world.mint(5n)) as [Coin];
      const body = world.body([coin], [out(generateAddressKey().address, 5n)]);
      const other = world.body([coin], [out(generateAddressKey().address, 5n)]);

      const error = await attempt(world, body, world.witnesses(other, [coin]));

      expect(error.code).toBe('BAD_SIGNATURE');
    });

    it('rejects the high-S form of a valid signature with HIGH_S_SIGNATURE', async () => {
      const world = new World();
      const [coin] = (await world.mint(5n)) as [Coin];
      const body = world.body([coin], [out(generateAddressKey().address, 5n)]);
      const witnesses = world.witnesses(body, [coin]).map((w) => ({ ...w, signature: toHighS(w.signature) }));

      const error = await attempt(world, body, witnesses);

      expect(error.code).toBe('HIGH_S_SIGNATURE');
    });

    it.each([
      ['another channel', { channel: 'other' }, 'WRONG_CHANNEL'],
      ['another chaincode', { chaincode: 'token2' }, 'WRONG_CHAINCODE'],
      ['an expired body', { expiresAt: Date.parse('2026-11-25T11:59:59Z') }, 'EXPIRED'],
    ])('rejects a body for %s', async (_name, extra, code) => {
      const world = new World();
      const [coin] = (await world.mint(5n)) as [Coin];
      const body = world.body([coin], [out(generateAddressKey().address, 5n)], extra);

      const error = await attempt(world, body, world.witnesses(body, [coin]));

      expect(error.code).toBe(code);
    });

    it.each([
      ['more', 6n],
      ['less', 4n],
    ])('rejects outputs worth %s than the inputs with SUMS_DIFFER', async (_name, amount) => {
      const world = new World();
      const [coin] = (await world.mint(5n)) as [Coin];
      const body = world.body([coin], [out(generateAddressKey().address, amount)]);

      const error = await attempt(world, body, world.witnesses(body, [coin]));

      expect(error.code).toBe('SUMS_DIFFER');
    });

    it('rejects malformed JSON, naming the argument', async () => {
      const world = new World();

      const error = await attempt(world, '{"version":', '[]');

      expect(error.code).toBe('MALFORMED_ARGUMENT');
      expect(error.message).toContain('body: is not valid JSON');
    });

    it('rejects a ticket purchase body, which only BuyTickets accepts', async () => {
      const world = new World();
      const [coin] = (await world.mint(5n)) as [Coin];
      const holder = generateAddressKey().address;
      const body = world.body([coin], [out(holder, 5n)], {
        purchase: { screeningId: 's', seats: ['A1'], holder },
      });

      const error = await attempt(world, body, world.witnesses(body, [coin]));

      expect(error.message).toContain('BuyTickets');
    });
  });
});

describe('queries', () => {
  it('lists an address’s unspent outputs a bounded page at a time', async () => {
    const world = new World();
    const owner = generateAddressKey();
    const outputs = Array.from({ length: 5 }, (_, i) => out(owner.address, BigInt(i + 1)));
    await world.submit(world.issuer, (ctx) =>
      world.token.Recharge(ctx, 'order-list', JSON.stringify(outputs)),
    );

    const pages: Utxo[][] = [];
    let bookmark = '';
    do {
      const page = (await world.evaluate((ctx) =>
        world.token.ListUnspent(ctx, owner.address, '2', bookmark),
      )) as {
        items: Utxo[];
        bookmark: string;
      };
      pages.push(page.items);
      bookmark = page.bookmark;
    } while (bookmark !== '');

    expect(pages.map((page) => page.length)).toEqual([2, 2, 1]);
    expect(
      pages
        .flat()
        .map((utxo) => utxo.amount)
        .sort(),
    ).toEqual(['1', '2', '3', '4', '5']);
    const tooBig = await rejectionOf(() =>
      world.evaluate((ctx) => world.token.ListUnspent(ctx, owner.address, '101', '')),
    );
    expect(tooBig.message).toContain('pageSize: must be between 1 and 100');
  });

  it('returns a transaction record and TX_NOT_FOUND for an unknown id', async () => {
    const world = new World();
    const [coin] = (await world.mint(5n)) as [Coin];

    const record = (await world.evaluate((ctx) => world.token.GetTx(ctx, coin.txId))) as TxRecord;
    const missing = await rejectionOf(() => world.evaluate((ctx) => world.token.GetTx(ctx, sha256Hex('x'))));

    expect(record.kind).toBe('mint');
    expect(missing.code).toBe('TX_NOT_FOUND');
  });

  it('traces an output back through every spend to its mints, and says when maxDepth cut it short', async () => {
    const world = new World();
    const [a, b] = (await world.mint(5n, 7n)) as [Coin, Coin];
    const mid = generateAddressKey();
    const t1 = await world.transfer([a, b], [{ address: mid.address, amount: 12n }]);
    const t2 = await world.transfer(
      [{ txId: t1.txId, index: 0, key: mid, amount: 12n }],
      [{ address: generateAddressKey().address, amount: 12n }],
    );

    const full = (await world.evaluate((ctx) => world.token.Trace(ctx, t2.txId, '0', '10'))) as TraceResult;
    const short = (await world.evaluate((ctx) => world.token.Trace(ctx, t2.txId, '0', '1'))) as TraceResult;

    expect(full.txs.map((tx) => tx.txId)).toEqual([t2.txId, t1.txId, a.txId]);
    expect(full.mints).toEqual([a.txId]);
    expect(full.edges).toEqual([
      { from: `${t1.txId}:0`, to: t2.txId },
      { from: `${a.txId}:0`, to: t1.txId },
      { from: `${a.txId}:1`, to: t1.txId },
    ]);
    expect(full.complete).toBe(true);
    expect(short.complete).toBe(false);
    expect(short.txs).toHaveLength(1);
  });
});
