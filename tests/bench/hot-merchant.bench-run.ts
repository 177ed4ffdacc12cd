import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TokenClient } from '../support/token-client.js';
import {
  answerKind,
  BenchSystem,
  closedLoop,
  latencies,
  machine,
  PAYMENT_PASSWORD,
  tally,
  writeFigures,
  type Answer,
  type User,
} from './system.js';

/**
 * Many payers paying ONE merchant, side by side in one run on one system: the UTXO token
 * (payments through the HTTP API, as users pay) and a benchmark-only account-model token
 * (ccaas/src/bench/account-contract.ts: one balance key per account, as fabric-samples'
 * token-erc-20; submitted straight through the Fabric Gateway, so it carries less work than
 * the UTXO side: no API, no outer DB). Same clients, same seconds. Reports successful
 * payments per second and conflicts for both, and checks each side's money: the UTXO supply
 * is unchanged and every 201 is indexed; the account model's balances add up and the
 * merchant holds exactly what the successful transfers paid. Figures go to
 * bench-results/hot-merchant.json; docs/performance.md explains them.
 *
 * Knobs: BENCH_HOT_CLIENTS (64), BENCH_HOT_SECONDS (30), BENCH_HOT_WARMUP_SECONDS (5).
 */
const env = process.env;
const CLIENTS = Number(env.BENCH_HOT_CLIENTS ?? 64);
const SECONDS = Number(env.BENCH_HOT_SECONDS ?? 30);
const WARMUP_SECONDS = Number(env.BENCH_HOT_WARMUP_SECONDS ?? 5);
const FUNDS = 1_000_000n;

const progress = (line: string) => process.stdout.write(`[hot-merchant bench] ${line}\n`);

/** The answer of a gateway submit, in the API's terms: 201, 409 conflict, or another failure. */
async function gatewayAnswer(submit: () => Promise<unknown>): Promise<Answer> {
  try {
    return { status: 201, body: (await submit()) as Record<string, unknown> };
  } catch (error) {
    const text = (error as Error).message;
    if (/MVCC_READ_CONFLICT|PHANTOM_READ_CONFLICT/.test(text))
      return { status: 409, body: { type: 'https://fabric-wallet.io/problems/conflict' } };
    return { status: 500, body: { type: `gateway: ${text.slice(0, 120)}` } };
  }
}

describe('hot merchant: many payers pay one merchant, UTXO vs account model', () => {
  let system: BenchSystem;
  let gateway: TokenClient;

  beforeAll(async () => {
    system = await BenchSystem.start('bench-hot-merchant', progress, {
      WALLET_BENCH_CONTRACTS: 'account-model',
    });
    gateway = await system.gateway('api-registrar');
  });

  afterAll(async () => {
    gateway.close();
    await system.stop('hot-merchant');
  });

  it(`${String(CLIENTS)} clients pay one merchant for ${String(SECONDS)} s with each design; money adds up on both`, async () => {
    const payers = await system.fundedUsers(CLIENTS, 'hot', FUNDS);
    const [merchant] = await system.fundedUsers(1, 'merchant', 1n);
    if (!merchant) throw new Error('no merchant');
    const tokens = [...payers, merchant].map((u) => u.token);
    const supplyBefore = await system.ledgerSupply(tokens);
    progress(`${String(CLIENTS)} payers and a merchant funded; UTXO supply ${supplyBefore.toString()}`);

    const runId = Date.now().toString(36);
    const utxo = await closedLoop(system, {
      clients: CLIENTS,
      warmupSeconds: WARMUP_SECONDS,
      seconds: SECONDS,
      progress: (line) => progress(`UTXO through the API: ${line}`),
      op: (client, seq) =>
        system.call('POST', '/v1/transfers', {
          token: (payers[client] as User).token,
          key: `hot-${runId}-${String(client)}-${String(seq)}`,
          body: { to: merchant.name, amount: String(1 + (seq % 9)), paymentPassword: PAYMENT_PASSWORD },
        }),
    });
    const utxo201 = utxo.all.filter((p) => p.answer.status === 201).map((p) => String(p.answer.body.txId));
    const indexed = await system.indexedWithBlock(utxo201);
    const supplyAfter = await system.ledgerSupply(tokens);

    // The account model: each payer's balance minted once (distinct keys: no conflicts).
    const account = (client: number) => `acct-${runId}-${String(client)}`;
    const merchantAccount = `merchant-${runId}`;
    await Promise.all(
      payers.map((_, client) => gateway.submit('account-bench:Mint', account(client), FUNDS.toString())),
    );
    const accounts = await closedLoop(system, {
      clients: CLIENTS,
      warmupSeconds: WARMUP_SECONDS,
      seconds: SECONDS,
      progress: (line) => progress(`account model through the gateway: ${line}`),
      op: (client, seq) =>
        gatewayAnswer(() =>
          gateway.submit('account-bench:Transfer', account(client), merchantAccount, String(1 + (seq % 9))),
        ),
    });
    const balance = async (name: string) =>
      BigInt(((await gateway.evaluate('account-bench:BalanceOf', name)) as { balance: string }).balance);
    const accountTotal = (await Promise.all(payers.map((_, c) => balance(account(c))))).reduce(
      (a, b) => a + b,
      0n,
    );
    const merchantBalance = await balance(merchantAccount);
    const paidToMerchant = accounts.all
      .filter((p) => p.answer.status === 201)
      .reduce((sum, p) => sum + BigInt(String(p.answer.body.amount)), 0n);

    const side = (run: typeof utxo) => {
      const ok = run.measured.filter((p) => p.answer.status === 201);
      const others = tally(
        run.measured.filter((p) => p.answer.status !== 201).map((p) => answerKind(p.answer)),
      );
      return {
        windowSeconds: Number(run.windowSeconds.toFixed(1)),
        attempted: run.measured.length,
        succeeded: ok.length,
        paymentsPerSecond: Number((ok.length / run.windowSeconds).toFixed(2)),
        conflicts: others.conflicts,
        notSucceeded: others.byKind,
        latencyMs: latencies(ok.map((p) => p.ms)),
        cpuSeconds: run.cpu.perProcess,
        cpuSecondsTotal: run.cpu.total,
        fabric: run.fabric,
      };
    };
    const utxoSide = side(utxo);
    const accountSide = side(accounts);
    const figures = {
      measuredAt: new Date().toISOString(),
      machine: machine(),
      settings: { clients: CLIENTS, seconds: SECONDS, warmupSeconds: WARMUP_SECONDS },
      utxoThroughApi: {
        ...utxoSide,
        every201: { count: utxo201.length, inOuterDbWithBlock: indexed },
        supply: { before: supplyBefore.toString(), after: supplyAfter.toString() },
      },
      accountModelThroughGateway: {
        ...accountSide,
        balances: {
          minted: (FUNDS * BigInt(CLIENTS)).toString(),
          payersPlusMerchant: (accountTotal + merchantBalance).toString(),
          merchant: merchantBalance.toString(),
          paidBySucceededTransfers: paidToMerchant.toString(),
        },
      },
      utxoOverAccountModel: Number(
        (utxoSide.paymentsPerSecond / Math.max(0.01, accountSide.paymentsPerSecond)).toFixed(1),
      ),
    };
    await writeFigures('hot-merchant', figures);
    progress(`figures: ${JSON.stringify(figures)}`);

    expect(utxoSide.succeeded).toBeGreaterThan(0);
    expect(indexed, 'every UTXO 201 is committed and in the outer DB').toBe(utxo201.length);
    expect(supplyAfter, 'UTXO supply before and after').toBe(supplyBefore);
    expect(accountTotal + merchantBalance, 'account-model money is conserved').toBe(FUNDS * BigInt(CLIENTS));
    expect(merchantBalance, 'the merchant holds what the successful transfers paid').toBe(paidToMerchant);
  });
});
