import { describe, expect, it } from 'vitest';
import type { CallerIdentity, WalletContext } from '../ledger/context.js';
import { World } from '../testing/world.js';
import { ChaincodeResultError } from './chaincode-result.js';
import {
  chaincodeClient,
  Transactions,
  UNSPENT_PAGES_MAX,
  type ChaincodeTransport,
  type TransactionCall,
} from './client.js';
import { generateAddressKey } from './keys.js';
import type { TransferBody } from './transfer-body.js';

type Method = (ctx: WalletContext, args: readonly string[]) => Promise<string>;

/** The world's contracts by transaction name, as a peer would dispatch them. */
function methods(world: World): Record<string, Method> {
  const { token, cinema } = world;
  return {
    'token:Recharge': (ctx, args) => token.Recharge(ctx, ...args),
    'token:Transfer': (ctx, args) => token.Transfer(ctx, ...args),
    'token:GetUtxo': (ctx, args) => token.GetUtxo(ctx, ...args),
    'token:ListUnspent': (ctx, args) => token.ListUnspent(ctx, ...args),
    'token:GetTx': (ctx, args) => token.GetTx(ctx, ...args),
    'token:Trace': (ctx, args) => token.Trace(ctx, ...args),
    'cinema:CreateScreening': (ctx, args) => cinema.CreateScreening(ctx, ...args),
    'cinema:BuyTickets': (ctx, args) => cinema.BuyTickets(ctx, ...args),
    'cinema:RedeemTicket': (ctx, args) => cinema.RedeemTicket(ctx, ...args),
    'cinema:GetScreening': (ctx, args) => cinema.GetScreening(ctx, ...args),
    'cinema:GetTicket': (ctx, args) => cinema.GetTicket(ctx, ...args),
  };
}

/** The real contracts over the in-memory ledger, called as `caller`. */
function worldTransport(world: World, caller: CallerIdentity): ChaincodeTransport {
  const table = methods(world);
  return async (call) => {
    const method = table[`${call.contract}:${call.name}`];
    if (!method) throw new Error(`no transaction ${call.contract}:${call.name}`);
    const run = (ctx: WalletContext) => method(ctx, call.args);
    if (call.mode === 'evaluate') return Buffer.from(await world.ledger.evaluate(world.options(caller), run));
    const { result, status } = await world.ledger.submit(world.options(caller), run);
    if (status !== 'VALID') throw new Error(`commit failed: ${status}`);
    return Buffer.from(result);
  };
}

/** A transport that answers every call with `text` and records what it was asked. */
function cannedTransport(text: string | Uint8Array): {
  transport: ChaincodeTransport;
  calls: TransactionCall[];
} {
  const calls: TransactionCall[] = [];
  const transport: ChaincodeTransport = (call) => {
    calls.push(call);
    return Promise.resolve(typeof text === 'string' ? Buffer.from(text) : text);
  };
  return { transport, calls };
}

const TX = 'a'.repeat(64);
const ADDRESS = generateAddressKey().address;
const record = {
  txId: TX,
  kind: 'mint',
  ts: 1,
  inputs: [],
  outputs: [{ address: ADDRESS, amount: '5' }],
  signers: [],
  memoHash: '',
  submitterMsp: 'WalletOrgMSP',
  orderId: 'o1',
};

describe('the chaincode client over the real contracts', () => {
  it('mints, pays and reads back, every result typed and equal to what the chaincode stored', async () => {
    const world = new World();
    const issuer = chaincodeClient(worldTransport(world, world.issuer));
    const customer = chaincodeClient(worldTransport(world, world.customer));
    const [payer, payee] = [generateAddressKey(), generateAddressKey()];

    const minted = await issuer.recharge('order-1', [{ address: payer.address, amount: '1000' }]);
    const body: TransferBody = world.body(
      [{ txId: minted.txId, index: 0, key: payer, amount: 1000n }],
      [
        { address: payee.address, amount: '300' },
        { address: payer.address, amount: '700' },
      ],
    );
    const paid = await customer.transfer(
      body,
      world.witnesses(body, [{ txId: minted.txId, index: 0, key: payer, amount: 1000n }]),
    );

    expect(minted).toMatchObject({ kind: 'mint', orderId: 'order-1', outputs: [{ amount: '1000' }] });
    expect(paid.inputs).toEqual([{ txId: minted.txId, index: 0, owner: payer.address, amount: '1000' }]);
    expect(await customer.getTx(paid.txId)).toEqual(paid);
    expect(await customer.getUtxo({ txId: paid.txId, index: 0 })).toEqual({
      txId: paid.txId,
      index: 0,
      owner: payee.address,
      amount: '300',
    });
    expect(await customer.unspent(payer.address)).toEqual([
      { txId: paid.txId, index: 1, owner: payer.address, amount: '700' },
    ]);
    const trace = await customer.trace({ txId: paid.txId, index: 0 }, 8);
    expect(trace.mints).toEqual([minted.txId]);
    expect(trace.complete).toBe(true);
  });

  it('creates a screening, buys and redeems a ticket, and reads both back', async () => {
    const world = new World();
    const merchant = chaincodeClient(worldTransport(world, world.merchant));
    const customer = chaincodeClient(worldTransport(world, world.customer));
    const cinema = generateAddressKey();
    const [coin] = await world.mint(250n);
    if (!coin) throw new Error('no coin minted');
    const screening = await merchant.createScreening({
      screeningId: 's1',
      film: 'Metropolis',
      startsAt: world.now.getTime() + 86_400_000,
      seatMap: [{ row: 'A', count: 3 }],
      price: '100',
      cinemaAddress: cinema.address,
    });
    const purchase = { screeningId: 's1', seats: ['A2'], holder: coin.key.address };
    const body = world.purchaseBody(
      [coin],
      [
        { address: cinema.address, amount: '100' },
        { address: coin.key.address, amount: '150' },
      ],
      purchase,
    );

    const bought = await customer.buyTickets('s1', ['A2'], body, world.witnesses(body, [coin]));
    const redeemed = await merchant.redeemTicket('s1:A2');

    expect(screening).toMatchObject({ screeningId: 's1', merchantMsp: 'CinemaOrgMSP', price: '100' });
    expect(bought.tx.kind).toBe('purchase');
    expect(bought.tickets).toEqual([
      {
        ticketId: 's1:A2',
        screeningId: 's1',
        seat: 'A2',
        holder: coin.key.address,
        txId: bought.tx.txId,
        soldAt: world.now.getTime(),
      },
    ]);
    expect(redeemed.redeemedAt).toBe(world.now.getTime());
    expect(await customer.getTicket('s1:A2')).toEqual(redeemed);
    expect(await customer.getScreening('s1')).toEqual({ screening, sold: ['A2'], available: ['A1', 'A3'] });
  });
});

describe('the chaincode client', () => {
  it.each([
    ['getTx', 'token', 'GetTx', 'evaluate', [TX]],
    ['getUtxo', 'token', 'GetUtxo', 'evaluate', [TX, '3']],
    ['listUnspent', 'token', 'ListUnspent', 'evaluate', [ADDRESS, '50', 'bm']],
    ['trace', 'token', 'Trace', 'evaluate', [TX, '1', '16']],
    ['redeemTicket', 'cinema', 'RedeemTicket', 'submit', ['s1:A1']],
    ['getScreening', 'cinema', 'GetScreening', 'evaluate', ['s1']],
  ] as const)(
    'sends %s to %s:%s as %s with its arguments as strings',
    async (method, contract, name, mode, args) => {
      const { transport, calls } = cannedTransport('{}');
      const client = chaincodeClient(transport);
      const invoke: Record<typeof method, () => Promise<unknown>> = {
        getTx: () => client.getTx(TX),
        getUtxo: () => client.getUtxo({ txId: TX, index: 3 }),
        listUnspent: () => client.listUnspent(ADDRESS, 50, 'bm'),
        trace: () => client.trace({ txId: TX, index: 1 }, 16),
        redeemTicket: () => client.redeemTicket('s1:A1'),
        getScreening: () => client.getScreening('s1'),
      };

      await invoke[method]().catch(() => undefined);

      expect(calls).toEqual([{ contract, name, mode, args }]);
    },
  );

  it('encodes structured arguments as canonical JSON (keys sorted)', async () => {
    const { transport, calls } = cannedTransport(JSON.stringify(record));

    await chaincodeClient(transport).recharge('o1', [{ amount: '5', address: ADDRESS }]);

    expect(calls[0]?.args).toEqual(['o1', `[{"address":"${ADDRESS}","amount":"5"}]`]);
  });

  it('drops fields it does not know and keeps an absent optional field absent', async () => {
    const { transport } = cannedTransport(JSON.stringify({ ...record, orderId: undefined, addedLater: 1 }));

    const decoded = await chaincodeClient(transport).getTx(TX);

    expect(decoded).toEqual({ ...record, orderId: undefined });
    expect(Object.keys(decoded)).not.toContain('addedLater');
    expect(Object.keys(decoded)).not.toContain('orderId');
  });

  it.each([
    [
      'an amount that is a number',
      { ...record, outputs: [{ address: ADDRESS, amount: 5 }] },
      'result.outputs[0].amount',
    ],
    ['a missing field', { ...record, txId: undefined }, 'result.txId'],
    ['an unknown kind', { ...record, kind: 'burn' }, 'result.kind'],
    [
      'a malformed address',
      { ...record, outputs: [{ address: 'not-an-address', amount: '5' }] },
      'result.outputs[0].address',
    ],
    [
      'too many outputs',
      { ...record, outputs: Array.from({ length: 17 }, () => record.outputs[0]) },
      'result.outputs',
    ],
    ['an array for an object', [record], 'result'],
  ])('refuses a result with %s, naming where it is wrong', async (_case, result, path) => {
    const { transport } = cannedTransport(JSON.stringify(result));

    const error = await chaincodeClient(transport)
      .recharge('o1', [{ address: ADDRESS, amount: '5' }])
      .catch((thrown: unknown) => thrown);

    expect(error).toBeInstanceOf(ChaincodeResultError);
    expect(error).toMatchObject({ source: 'token:Recharge', path, committed: true });
    expect(String(error)).toContain(
      `the chaincode's token:Recharge is not what the protocol expects: ${path}`,
    );
  });

  it.each([
    ['not JSON', Buffer.from('{"txId":'), 'is not JSON'],
    ['not UTF-8', Uint8Array.of(0xff, 0xfe), 'is not UTF-8 text'],
  ])('refuses a query result that is %s, as not committed', async (_case, bytes, problem) => {
    const { transport } = cannedTransport(bytes);

    const error = await chaincodeClient(transport)
      .getTx(TX)
      .catch((thrown: unknown) => thrown);

    expect(error).toBeInstanceOf(ChaincodeResultError);
    expect(error).toMatchObject({ path: 'result', committed: false });
    expect(String(error)).toContain(problem);
  });

  it('reads every page of unspent outputs, following the bookmark', async () => {
    const utxo = (index: number) => ({ txId: TX, index, owner: ADDRESS, amount: '1' });
    const pages = [
      { items: [utxo(0), utxo(1)], bookmark: 'p2' },
      { items: [utxo(2)], bookmark: '' },
    ];
    const bookmarks: string[] = [];
    const client = chaincodeClient((call) => {
      bookmarks.push(call.args[2] ?? '');
      return Promise.resolve(Buffer.from(JSON.stringify(pages[bookmarks.length - 1])));
    });

    const items = await client.unspent(ADDRESS);

    expect(items.map((item) => item.index)).toEqual([0, 1, 2]);
    expect(bookmarks).toEqual(['', 'p2']);
  });

  it('stops paging after UNSPENT_PAGES_MAX pages instead of following a bookmark for ever', async () => {
    const { transport, calls } = cannedTransport(JSON.stringify({ items: [], bookmark: 'again' }));

    await expect(chaincodeClient(transport).unspent(ADDRESS)).rejects.toThrow(/more than 1000 pages/);
    expect(calls).toHaveLength(UNSPENT_PAGES_MAX);
  });

  it('names every transaction of the chaincode once', () => {
    const names = Object.values(Transactions).map((spec) => `${spec.contract}:${spec.name}`);

    expect(new Set(names).size).toBe(names.length);
    expect(names.sort()).toEqual(Object.keys(methods(new World())).sort());
  });
});
