import type { Context } from 'fabric-contract-api';
import { describe, expect, it } from 'vitest';
import { identity, MemoryLedger } from '../testing/memory-ledger.js';
import { rejectionOf } from '../testing/world.js';
import { AccountBenchContract } from './account-contract.js';

const contract = new AccountBenchContract();
const caller = { identity: identity('WalletOrgMSP', 'bench') };
const asContext = (ctx: unknown) => ctx as Context;

async function balanceOf(ledger: MemoryLedger, account: string): Promise<string> {
  const answer = await ledger.evaluate(caller, (ctx) => contract.BalanceOf(asContext(ctx), account));
  return (JSON.parse(answer) as { balance: string }).balance;
}

describe('the benchmark-only account-model token', () => {
  it('mints and moves balances, refusing overdrafts and bad arguments', async () => {
    const ledger = new MemoryLedger();
    await ledger.submit(caller, (ctx) => contract.Mint(asContext(ctx), 'alice', '100'));

    const moved = await ledger.submit(caller, (ctx) =>
      contract.Transfer(asContext(ctx), 'alice', 'shop', '30'),
    );

    expect(moved.status).toBe('VALID');
    expect(await balanceOf(ledger, 'alice')).toBe('70');
    expect(await balanceOf(ledger, 'shop')).toBe('30');
    const overdraft = await rejectionOf(() =>
      ledger.submit(caller, (ctx) => contract.Transfer(asContext(ctx), 'alice', 'shop', '71')),
    );
    expect(overdraft.code).toBe('BAD_AMOUNT');
    expect(
      (
        await rejectionOf(() =>
          ledger.submit(caller, (ctx) => contract.Transfer(asContext(ctx), 'alice', 'shop')),
        )
      ).code,
    ).toBe('MALFORMED_ARGUMENT');
  });

  it('lets only one of many concurrent payments to one merchant commit: the hot key the UTXO design avoids', async () => {
    const ledger = new MemoryLedger();
    for (let i = 0; i < 10; i++)
      await ledger.submit(caller, (ctx) => contract.Mint(asContext(ctx), `payer-${i}`, '10'));
    // Ten payers endorse against the same committed state, as peers do within one block.
    const txs = Array.from({ length: 10 }, () => ledger.begin(caller));
    await Promise.all(
      txs.map((tx, i) => contract.Transfer(asContext(tx.context), `payer-${i}`, 'shop', '1')),
    );

    const statuses = txs.map((tx) => ledger.commit(tx));

    expect(statuses.filter((s) => s === 'VALID')).toHaveLength(1);
    expect(statuses.filter((s) => s === 'MVCC_READ_CONFLICT')).toHaveLength(9);
    expect(await balanceOf(ledger, 'shop')).toBe('1');
  });
});
