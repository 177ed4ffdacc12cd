import { Contract, type Context } from 'fabric-contract-api';
import { expectArgCount } from '../args.js';
import { parseAmount } from '../protocol/amount.js';
import { Rejection, RejectionCode } from '../protocol/errors.js';
import { ID_RULE, readString } from '../protocol/validate.js';

/**
 * BENCHMARK ONLY: an account-model token, one balance key per account, the design of
 * fabric-samples' token-erc-20 (a transfer reads and writes the payer's and the payee's
 * balance). It exists to measure the UTXO design against it when many payers pay one
 * merchant (`npm run bench -- hot-merchant`, docs/performance.md). It has no roles and no
 * signatures: anyone may mint or move any balance. The chaincode server serves it only when
 * started with WALLET_BENCH_CONTRACTS=account-model (the benchmark's launcher); never in a
 * deployment.
 */
export class AccountBenchContract extends Contract {
  constructor() {
    super('account-bench');
  }

  private static key(ctx: Context, account: string): string {
    return ctx.stub.createCompositeKey('bench-account', [account]);
  }

  private static async balance(ctx: Context, account: string): Promise<bigint> {
    const bytes = await ctx.stub.getState(AccountBenchContract.key(ctx, account));
    return bytes.length === 0 ? 0n : BigInt(Buffer.from(bytes).toString('utf8'));
  }

  private static async put(ctx: Context, account: string, balance: bigint): Promise<void> {
    await ctx.stub.putState(AccountBenchContract.key(ctx, account), Buffer.from(balance.toString()));
  }

  /** Mint(account, amount): adds to one balance. */
  async Mint(ctx: Context, ...args: unknown[]): Promise<string> {
    expectArgCount(args, 2, 'account, amount');
    const account = readString(args[0], 'account', ID_RULE);
    const amount = parseAmount(args[1]);
    const balance = (await AccountBenchContract.balance(ctx, account)) + amount;
    await AccountBenchContract.put(ctx, account, balance);
    return JSON.stringify({ account, balance: balance.toString() });
  }

  /** Transfer(from, to, amount): reads and writes both balances, as token-erc-20 does. */
  async Transfer(ctx: Context, ...args: unknown[]): Promise<string> {
    expectArgCount(args, 3, 'from, to, amount');
    const from = readString(args[0], 'from', ID_RULE);
    const to = readString(args[1], 'to', ID_RULE);
    const amount = parseAmount(args[2]);
    if (from === to) throw new Rejection(RejectionCode.MalformedArgument, 'from and to are the same account');
    const fromBalance = await AccountBenchContract.balance(ctx, from);
    if (fromBalance < amount)
      throw new Rejection(RejectionCode.BadAmount, `account ${from} holds ${fromBalance.toString()}`);
    const toBalance = await AccountBenchContract.balance(ctx, to);
    await AccountBenchContract.put(ctx, from, fromBalance - amount);
    await AccountBenchContract.put(ctx, to, toBalance + amount);
    return JSON.stringify({ from, to, amount: amount.toString() });
  }

  /** BalanceOf(account). */
  async BalanceOf(ctx: Context, ...args: unknown[]): Promise<string> {
    expectArgCount(args, 1, 'account');
    const account = readString(args[0], 'account', ID_RULE);
    return JSON.stringify({
      account,
      balance: (await AccountBenchContract.balance(ctx, account)).toString(),
    });
  }
}
