import { CinemaContract } from '../cinema-contract.js';
import type { WalletContext } from '../ledger/context.js';
import type { TxRecord } from '../model.js';
import type { ChaincodePolicy } from '../policy.js';
import { canonicalJson } from '../protocol/canonical-json.js';
import { generateAddressKey, type AddressKey } from '../protocol/keys.js';
import {
  signTransferBody,
  sortOutpoints,
  type Outpoint,
  type PurchaseTerms,
  type TransferBody,
  type TxOutput,
  type Witness,
} from '../protocol/transfer-body.js';
import { TokenContract } from '../token-contract.js';
import { identity, MemoryLedger, type TxOptions } from './memory-ledger.js';

/** A coin a test owns: where it is and the key that can spend it. */
export interface Coin extends Outpoint {
  readonly key: AddressKey;
  readonly amount: bigint;
}

export const testPolicy: ChaincodePolicy = {
  chaincodeName: 'token',
  issuerMspIds: new Set(['WalletOrgMSP']),
};

/** Builders for contract tests: one ledger, both contracts, and the usual callers. */
export class World {
  readonly ledger = new MemoryLedger();
  readonly token = new TokenContract(testPolicy);
  readonly cinema = new CinemaContract(testPolicy);
  readonly issuer = identity('WalletOrgMSP', 'x509::CN=issuer-1', 'issuer');
  readonly customer = identity('WalletOrgMSP', 'x509::CN=u-7f3a', 'customer');
  readonly merchant = identity('CinemaOrgMSP', 'x509::CN=cinema-1', 'merchant');
  /** The clock every transaction uses unless a test says otherwise. */
  now = new Date('2026-11-25T12:00:00Z');

  options(caller = this.customer): TxOptions {
    return { identity: caller, timestamp: this.now };
  }

  /** Submits and returns the parsed result; throws what the contract throws. */
  async submit(caller: TxOptions['identity'], fn: (ctx: WalletContext) => Promise<string>): Promise<unknown> {
    const { result, status } = await this.ledger.submit(this.options(caller), fn);
    if (status !== 'VALID') throw new Error(`commit failed: ${status}`);
    return JSON.parse(result) as unknown;
  }

  async evaluate(fn: (ctx: WalletContext) => Promise<string>): Promise<unknown> {
    return JSON.parse(await this.ledger.evaluate(this.options(), fn)) as unknown;
  }

  /** Mints `amounts` to fresh keys and returns the coins. */
  async mint(...amounts: bigint[]): Promise<Coin[]> {
    const keys = amounts.map(() => generateAddressKey());
    const outputs = amounts.map((amount, i) => ({
      address: (keys[i] as AddressKey).address,
      amount: amount.toString(),
    }));
    const record = (await this.submit(this.issuer, (ctx) =>
      this.token.Recharge(ctx, `order-${Math.random().toString(36).slice(2)}`, JSON.stringify(outputs)),
    )) as TxRecord;
    return amounts.map((amount, index) => ({
      txId: record.txId,
      index,
      key: keys[index] as AddressKey,
      amount,
    }));
  }

  body(
    coins: readonly Coin[],
    outputs: readonly TxOutput[],
    extra: Partial<TransferBody> = {},
  ): TransferBody {
    return {
      version: 1,
      channel: 'payments',
      chaincode: 'token',
      inputs: sortOutpoints(coins.map(({ txId, index }) => ({ txId, index }))),
      outputs,
      memoHash: '',
      expiresAt: this.now.getTime() + 60_000,
      ...extra,
    };
  }

  /** The witnesses of the distinct keys of `coins`. */
  witnesses(body: TransferBody, coins: readonly Coin[]): Witness[] {
    const keys = [...new Map(coins.map((coin) => [coin.key.address, coin.key])).values()];
    return signTransferBody(body, keys);
  }

  /** Spends `coins` into `outputs` (amounts as bigint), returning the record. */
  async transfer(
    coins: readonly Coin[],
    outputs: readonly { address: string; amount: bigint }[],
  ): Promise<TxRecord> {
    const body = this.body(
      coins,
      outputs.map((output) => ({ address: output.address, amount: output.amount.toString() })),
    );
    return (await this.submit(this.customer, (ctx) =>
      this.token.Transfer(ctx, canonicalJson(body), JSON.stringify(this.witnesses(body, coins))),
    )) as TxRecord;
  }

  /** Creates a screening starting in a day, priced at `price`, paying `cinemaAddress`. */
  async screening(
    screeningId: string,
    price: bigint,
    cinemaAddress: string,
    rows = [{ row: 'A', count: 5 }],
  ): Promise<void> {
    const spec = {
      screeningId,
      film: 'Metropolis',
      startsAt: this.now.getTime() + 86_400_000,
      seatMap: rows,
      price: price.toString(),
      cinemaAddress,
    };
    await this.submit(this.merchant, (ctx) => this.cinema.CreateScreening(ctx, JSON.stringify(spec)));
  }

  purchaseBody(coins: readonly Coin[], outputs: readonly TxOutput[], purchase: PurchaseTerms): TransferBody {
    return this.body(coins, outputs, { purchase });
  }
}

/** Runs `fn` and returns the error it throws (failing the test when it does not). */
export async function rejectionOf(fn: () => Promise<unknown>): Promise<{ code?: string; message: string }> {
  try {
    await fn();
  } catch (error) {
    return error as { code?: string; message: string };
  }
  throw new Error('expected a rejection, but the call succeeded');
}
