import { randomUUID } from 'node:crypto';
import type { TxRecord } from '@fabric-wallet/ccaas/protocol';
import type { PemIdentity } from '../config.js';
import type { Collections, RechargeOrderDoc, UserDoc } from '../db/mongo.js';
import { applyTx } from '../db/projection.js';
import { ApiError, conflict, notFound } from '../errors.js';
import type { ChaincodeAccess } from '../fabric/ledger.js';
import { parseAmountField } from './wallet.js';

/**
 * Recharge: a user creates an order; the payment provider confirms payment; the issuer mints
 * the amount to the user's receive address once per order (the chaincode refuses a second
 * mint of an order, so a retried confirmation never mints twice).
 */
export class Recharges {
  constructor(
    private readonly collections: Collections,
    private readonly ledger: ChaincodeAccess,
    private readonly issuer: PemIdentity,
  ) {}

  async create(user: UserDoc, amountText: string): Promise<RechargeOrderDoc> {
    const amount = parseAmountField(amountText, 'amount');
    const order: RechargeOrderDoc = {
      _id: `rc-${randomUUID()}`,
      userId: user._id,
      amount: amount.toString(),
      address: user.receiveAddress,
      status: 'created',
      createdAt: new Date(),
    };
    await this.collections.orders.insertOne(order);
    return order;
  }

  async get(user: UserDoc, orderId: string): Promise<RechargeOrderDoc> {
    const order = await this.collections.orders.findOne({ _id: orderId, userId: user._id });
    if (!order) throw notFound(`no recharge order ${orderId}`);
    return order;
  }

  /**
   * The payment provider's confirmation: marks the order paid and mints it (idempotent).
   * With `owner`, only that user's order (another user's is not found, as if absent).
   */
  async confirmPayment(orderId: string, owner?: UserDoc): Promise<RechargeOrderDoc> {
    const order = await this.collections.orders.findOne({
      _id: orderId,
      ...(owner ? { userId: owner._id } : {}),
    });
    if (!order) throw notFound(`no recharge order ${orderId}`);
    if (order.status === 'minted') return order;
    if (order.status === 'created') {
      await this.collections.orders.updateOne(
        { _id: orderId, status: 'created' },
        { $set: { status: 'paid', paidAt: new Date() } },
      );
    }
    return this.mint(orderId);
  }

  private async mint(orderId: string): Promise<RechargeOrderDoc> {
    const order = await this.collections.orders.findOne({ _id: orderId });
    if (!order) throw notFound(`no recharge order ${orderId}`);
    const issuer = this.ledger.as(this.issuer);
    let record: TxRecord;
    try {
      record = await issuer.recharge(orderId, [{ address: order.address, amount: order.amount }]);
    } catch (error) {
      // Minted before (a retry after a crash or a concurrent confirmation): find that mint.
      const minted =
        error instanceof ApiError && error.kind === 'order-exists'
          ? /minted by ([0-9a-f]{64})/.exec(error.detail)?.[1]
          : undefined;
      if (!minted) throw error;
      record = await issuer.getTx(minted);
    }
    await applyTx(this.collections, record, null);
    await this.collections.orders.updateOne(
      { _id: orderId },
      { $set: { status: 'minted', txId: record.txId } },
    );
    const updated = await this.collections.orders.findOne({ _id: orderId });
    if (!updated)
      throw conflict(
        'order-vanished',
        'Order vanished',
        `recharge order ${orderId} disappeared while minting`,
      );
    return updated;
  }
}
