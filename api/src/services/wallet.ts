import { createPrivateKey, randomUUID } from 'node:crypto';
import {
  AmountError,
  generateAddressKey,
  isAddress,
  parseAmount,
  sha256Hex,
  signTransferBody,
  sortOutpoints,
  type TransferBody,
  type TxRecord,
  type Utxo,
} from '@fabric-wallet/ccaas/protocol';
import type { FabricConfig, PemIdentity } from '../config.js';
import type { Collections, UserDoc, UtxoDoc } from '../db/mongo.js';
import { applyTx } from '../db/projection.js';
import { ApiError, badRequest, notFound } from '../errors.js';
import { oneBatch } from '../db/mongo.js';
import { CallLimiter } from '../concurrency/call-limiter.js';
import type { ChaincodeAccess } from '../fabric/ledger.js';
import { openSecret, sealSecret } from '../security/vault.js';
import type { Accounts } from './accounts.js';
import { CoinLocks } from './coin-locks.js';
import { unspentFromLedger } from './trace.js';

/** What a payment pays: to whom, how much, and for tickets the purchase terms. */
interface PaymentOrder {
  payTo: string;
  /** The user of `payTo` when known (null: no user of this wallet): saves a lookup. */
  payToUserId?: string | null;
  amount: bigint;
  memo?: string | undefined;
  purchase?: TransferBody['purchase'];
}

/** Sends the signed body to the ledger (Transfer, BuyTickets) and returns its record. */
type SubmitPayment<T> = (
  body: TransferBody,
  witnesses: ReturnType<typeof signTransferBody>,
  identity: PemIdentity,
) => Promise<{ record: TxRecord; extra: T }>;

/**
 * Payments in progress at once; later ones wait in arrival order. In a rush of 1,000
 * purchases without this gate every request did its outer-DB work at the same time and all
 * were answered near the end (p50 close to the whole 21 s); first come now finishes first.
 * 128 keeps the pipeline full (about 50 payments/s x 1.3 s in the system here).
 */
const PAYMENTS_IN_PROGRESS = 128;

/** How long a signed body stays valid on the ledger. */
const BODY_TTL_MS = 5 * 60_000;

export function parseAmountField(value: string, field: string): bigint {
  try {
    return parseAmount(value, field);
  } catch (error) {
    if (error instanceof AmountError)
      throw badRequest(error.message, { errors: [{ path: field, message: error.message }] });
    throw error;
  }
}

/** The wallet of a user: balance, coins, addresses, and payments signed with its keys. */
export class Wallet {
  private readonly gate = new CallLimiter(PAYMENTS_IN_PROGRESS, 10_000, 'payments');
  private readonly locks: CoinLocks;

  constructor(
    private readonly collections: Collections,
    private readonly ledger: ChaincodeAccess,
    private readonly accounts: Accounts,
    private readonly fabric: FabricConfig,
    /**
     * Told when the outer DB may differ from the ledger for a user: the ledger refused a
     * payment's coins (spent, unknown, lost a race), or a committed payment was not applied.
     */
    private readonly suspectUser: (userId: string) => void = () => undefined,
  ) {
    this.locks = new CoinLocks(collections.coinLocks);
  }

  async unspent(userId: string): Promise<UtxoDoc[]> {
    return this.collections.utxos
      .find({ userId, spent: false }, oneBatch(10_000))
      .sort({ ts: 1, _id: 1 })
      .limit(10_000)
      .toArray();
  }

  async balance(userId: string): Promise<bigint> {
    return (await this.unspent(userId)).reduce((sum, utxo) => sum + BigInt(utxo.amount), 0n);
  }

  /** The unspent outputs of the user's newest 200 addresses, read from the ledger itself (slower). */
  async unspentOnLedger(userId: string): Promise<Utxo[]> {
    const addresses = (await this.addresses(userId)).slice(0, 200).map((address) => address._id);
    return unspentFromLedger(this.ledger.as(this.fabric.registrar), addresses);
  }

  /**
   * The record of a committed transaction, or undefined when the ledger has none by that id:
   * how a retry learns what a payment whose process died paid (services/idempotency.ts).
   */
  async committedTx(txId: string): Promise<TxRecord | undefined> {
    try {
      return await this.ledger.as(this.fabric.registrar).getTx(txId);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return undefined;
      throw error;
    }
  }

  /** The user's addresses, newest first. */
  async addresses(userId: string) {
    return this.collections.addresses
      .find({ userId }, { projection: { sealedKey: 0 }, ...oneBatch(1000) })
      .sort({ createdAt: -1 })
      .limit(1000)
      .toArray();
  }

  /**
   * A new receive address (account address update). With `sweep`, every unspent token moves
   * to it in one ordinary transfer, so the old addresses end up empty.
   */
  async rotateAddress(
    user: UserDoc,
    paymentPassword: string,
    sweep = false,
  ): Promise<{ address: string; sweptTxId: string | null }> {
    const { dek } = await this.accounts.unlock(user, paymentPassword);
    const address = await this.newAddress(user._id, dek, 'receive');
    await this.collections.users.updateOne({ _id: user._id }, { $set: { receiveAddress: address } });
    const balance = await this.balance(user._id);
    if (!sweep || balance === 0n) return { address, sweptTxId: null };
    const { record } = await this.pay(
      user,
      paymentPassword,
      { payTo: address, payToUserId: user._id, amount: balance },
      async (body, witnesses, identity) => ({
        record: await this.ledger.as(identity).transfer(body, witnesses),
        extra: undefined,
      }),
    );
    return { address, sweptTxId: record.txId };
  }

  private async newAddress(userId: string, dek: Buffer, purpose: 'receive' | 'change'): Promise<string> {
    const key = generateAddressKey();
    await this.collections.addresses.insertOne({
      _id: key.address,
      userId,
      publicKey: key.publicKeyHex,
      sealedKey: sealSecret(
        dek,
        key.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        `address:${key.address}`,
      ),
      purpose,
      createdAt: new Date(),
    });
    return key.address;
  }

  /** An address to pay: an address as given, or the current receive address of a username. */
  async resolveRecipient(to: string): Promise<{ address: string; userId: string | null }> {
    const addressGiven: boolean = isAddress(to);
    if (addressGiven) {
      const owner = await this.collections.addresses.findOne({ _id: to }, { projection: { userId: 1 } });
      return { address: to, userId: owner?.userId ?? null };
    }
    const user = await this.collections.users.findOne(
      { username: to.toLowerCase() },
      { projection: { receiveAddress: 1 } },
    );
    if (!user) throw notFound(`no user ${to} and it is not an address`);
    return { address: user.receiveAddress, userId: user._id };
  }

  /**
   * Pays `amount` to `to`: coin selection, change to a fresh address, one signature per
   * input address, submitted with the user's own Fabric identity; answers once committed
   * and applied to the outer DB.
   */
  async transfer(
    user: UserDoc,
    input: { to: string; amount: string; memo?: string | undefined; paymentPassword: string },
  ): Promise<TxRecord> {
    const amount = parseAmountField(input.amount, 'amount');
    const recipient = await this.resolveRecipient(input.to);
    const { record } = await this.pay(
      user,
      input.paymentPassword,
      { payTo: recipient.address, payToUserId: recipient.userId, amount, memo: input.memo },
      async (body, witnesses, identity) => ({
        record: await this.ledger.as(identity).transfer(body, witnesses),
        extra: undefined,
      }),
    );
    return record;
  }

  /**
   * The common part of every payment: opens the vault, reserves coins, adds change, builds
   * and signs the body (with purchase terms for tickets), lets `submit` send it, applies the
   * committed record, and releases the coins if anything failed.
   */
  async pay<T>(
    user: UserDoc,
    paymentPassword: string,
    order: PaymentOrder,
    submit: SubmitPayment<T>,
  ): Promise<{ record: TxRecord; extra: T }> {
    const release = await this.gate.acquire();
    try {
      return await this.payNow(user, paymentPassword, order, submit);
    } finally {
      release();
    }
  }

  private async payNow<T>(
    user: UserDoc,
    paymentPassword: string,
    order: PaymentOrder,
    submit: SubmitPayment<T>,
  ): Promise<{ record: TxRecord; extra: T }> {
    const { dek, identity } = await this.accounts.unlock(user, paymentPassword);
    const lockId = randomUUID();
    const coins = await this.locks.reserve(await this.unspent(user._id), order.amount, lockId);
    let committed = false;
    try {
      const total = coins.reduce((sum, coin) => sum + BigInt(coin.amount), 0n);
      const outputs = [{ address: order.payTo, amount: order.amount.toString() }];
      if (total > order.amount)
        outputs.push({
          address: await this.newAddress(user._id, dek, 'change'),
          amount: (total - order.amount).toString(),
        });
      const body: TransferBody = {
        version: 1,
        channel: this.fabric.channel,
        chaincode: this.fabric.chaincode,
        inputs: sortOutpoints(coins.map((coin) => ({ txId: coin.txId, index: coin.index }))),
        outputs,
        memoHash: order.memo ? sha256Hex(order.memo) : '',
        expiresAt: Date.now() + BODY_TTL_MS,
        ...(order.purchase ? { purchase: order.purchase } : {}),
      };
      const witnesses = signTransferBody(body, await this.signingKeys(dek, coins));
      const result = await submit(body, witnesses, identity);
      committed = true;
      // The reservations of spent coins are left to expire (purgeExpired deletes them): the
      // projection marks the coins spent, so nothing offers them again.
      // Whose addresses these are is known here: the payer's coins and change, the payee.
      const owners = new Map<string, string | null>(coins.map((coin) => [coin.owner, user._id]));
      for (const output of outputs.slice(1)) owners.set(output.address, user._id);
      if (order.payToUserId !== undefined) owners.set(order.payTo, order.payToUserId);
      try {
        await applyTx(this.collections, result.record, null, 'unless-applied', owners);
      } catch {
        // The payment is on the ledger whatever happens to the outer DB now (down, say):
        // failing the request would free its Idempotency-Key and let a retry pay a second
        // time (the fault suite saw it). The indexer applies the transaction from its block,
        // and the payer is checked against the ledger.
        this.suspectUser(user._id);
      }
      return result;
    } catch (error) {
      // Also after CommitUnknownError: if that transaction did commit, a later payment that
      // takes these coins again is refused by the ledger instead of paying from other coins.
      if (!committed) await this.locks.release(lockId, coins);
      // The outer DB offered coins the ledger would not take: a sign it may differ.
      if (error instanceof ApiError && ['input-spent', 'input-unknown', 'conflict'].includes(error.kind))
        this.suspectUser(user._id);
      throw error;
    }
  }

  /** The private keys of the coins' addresses, opened with the data key. */
  private async signingKeys(dek: Buffer, coins: readonly UtxoDoc[]) {
    const owners = [...new Set(coins.map((coin) => coin.owner))];
    const docs = await this.collections.addresses.find({ _id: { $in: owners } }).toArray();
    return docs.map((doc) => ({
      privateKey: createPrivateKey(openSecret(dek, doc.sealedKey, `address:${doc._id}`)),
      publicKeyHex: doc.publicKey,
    }));
  }
}
