import { Contract } from 'fabric-contract-api';
import { expectArgCount, integerArg, stringArg } from './args.js';
import { EventName, type TxEvent } from './events.js';
import type { WalletContext } from './ledger/context.js';
import { KeyType, parseStored, readJson, stateKey, writeJson } from './ledger/state.js';
import type { StoredUtxo, TxRecord, Utxo } from './model.js';
import { policyFromEnv, requireRole, type ChaincodePolicy } from './policy.js';
import { canonicalJson } from './protocol/canonical-json.js';
import { Rejection, RejectionCode } from './protocol/errors.js';
import { isAddress } from './protocol/keys.js';
import { Limits } from './protocol/limits.js';
import { parseOutputs, parseTransferBody, parseWitnesses } from './protocol/transfer-body.js';
import { ID_RULE, parseJsonArgument, TX_ID_RULE } from './protocol/validate.js';
import { checkSpend, consumeInputs, createOutputs, writeTxRecord } from './token/spend.js';
import { traceOutpoint } from './token/trace.js';

/**
 * UTXO tokens: mint (Recharge), spend (Transfer), and the queries over them. Every method
 * validates all of its input before its first write. Methods whose names start with an
 * upper-case letter are the transactions; arguments are strings (JSON where structured).
 */
export class TokenContract extends Contract {
  constructor(private readonly policy: ChaincodePolicy = policyFromEnv()) {
    super('token');
  }

  /**
   * Recharge(orderId, outputsJson): mints `[{address, amount}]` for a paid recharge order.
   * Issuer role only; an order mints once (ORDER_EXISTS on a second call).
   */
  async Recharge(ctx: WalletContext, ...args: unknown[]): Promise<string> {
    expectArgCount(args, 2, 'orderId, outputsJson');
    requireRole(ctx, 'issuer', this.policy);
    const orderId = stringArg(args[0], 'orderId', ID_RULE);
    const outputs = parseOutputs(parseJsonArgument(args[1], 'outputs'), 'outputs');
    const { stub } = ctx;
    const orderKey = stateKey(stub, KeyType.Order, orderId);
    const existing = await readJson<{ txId: string }>(stub, orderKey);
    if (existing)
      throw new Rejection(
        RejectionCode.OrderExists,
        `order ${orderId} was already minted by ${existing.txId}`,
      );

    await createOutputs(ctx, outputs);
    await writeJson(stub, orderKey, { txId: stub.getTxID() });
    const record = await writeTxRecord(ctx, {
      txId: stub.getTxID(),
      kind: 'mint',
      ts: stub.getDateTimestamp().getTime(),
      inputs: [],
      outputs,
      signers: [],
      memoHash: '',
      submitterMsp: ctx.clientIdentity.getMSPID(),
      orderId,
    });
    emit(ctx, EventName.Minted, { tx: record } satisfies TxEvent);
    return canonicalJson(record);
  }

  /**
   * Transfer(bodyJson, witnessesJson): spends the body's inputs into its outputs. Each input
   * owner signs the body (see protocol/transfer-body.ts); a body with purchase terms is
   * accepted only by BuyTickets.
   */
  async Transfer(ctx: WalletContext, ...args: unknown[]): Promise<string> {
    expectArgCount(args, 2, 'bodyJson, witnessesJson');
    const body = parseTransferBody(parseJsonArgument(args[0], 'body'));
    const witnesses = parseWitnesses(parseJsonArgument(args[1], 'witnesses'));
    if (body.purchase) {
      throw new Rejection(
        RejectionCode.MalformedArgument,
        'body.purchase: a ticket purchase must be submitted with BuyTickets',
      );
    }
    const spend = await checkSpend(ctx, body, witnesses, this.policy);

    await consumeInputs(ctx, spend.inputs);
    await createOutputs(ctx, body.outputs);
    const { stub } = ctx;
    const record = await writeTxRecord(ctx, {
      txId: stub.getTxID(),
      kind: 'transfer',
      ts: stub.getDateTimestamp().getTime(),
      inputs: spend.inputs,
      outputs: body.outputs,
      signers: spend.signers,
      memoHash: body.memoHash,
      submitterMsp: ctx.clientIdentity.getMSPID(),
    });
    emit(ctx, EventName.Transferred, { tx: record } satisfies TxEvent);
    return canonicalJson(record);
  }

  /** GetUtxo(txId, index): the unspent output, or UTXO_NOT_FOUND saying whether it was spent. */
  async GetUtxo(ctx: WalletContext, ...args: unknown[]): Promise<string> {
    expectArgCount(args, 2, 'txId, index');
    const txId = stringArg(args[0], 'txId', TX_ID_RULE);
    const index = integerArg(args[1], 'index', 0, Limits.outputsMax - 1);
    const { stub } = ctx;
    const utxo = await readJson<StoredUtxo>(stub, stateKey(stub, KeyType.Utxo, txId, String(index)));
    if (utxo) return canonicalJson({ txId, index, ...utxo } satisfies Utxo);
    const record = await readJson<TxRecord>(stub, stateKey(stub, KeyType.Tx, txId));
    const why = record && index < record.outputs.length ? 'was spent' : 'does not exist';
    throw new Rejection(RejectionCode.UtxoNotFound, `output ${txId}:${index} ${why}`);
  }

  /**
   * ListUnspent(address, pageSize, bookmark): one page of the address's unspent outputs
   * (evaluate only; pageSize 1..100; bookmark '' for the first page).
   */
  async ListUnspent(ctx: WalletContext, ...args: unknown[]): Promise<string> {
    expectArgCount(args, 3, 'address, pageSize, bookmark');
    if (!isAddress(args[0]))
      throw new Rejection(RejectionCode.MalformedArgument, 'address: is not a valid address');
    const address = args[0];
    const pageSize = integerArg(args[1], 'pageSize', 1, Limits.listPageSizeMax);
    const bookmark = typeof args[2] === 'string' ? args[2] : '';
    const { stub } = ctx;
    const page = await stub.getStateByPartialCompositeKeyWithPagination(
      KeyType.Own,
      [address],
      pageSize,
      bookmark,
    );
    const items: Utxo[] = [];
    try {
      for (
        let next = await page.iterator.next();
        next.value && next.done !== true;
        next = await page.iterator.next()
      ) {
        const { attributes } = stub.splitCompositeKey(next.value.key);
        const [, txId, index] = attributes;
        if (txId === undefined || index === undefined) continue;
        const { amount } = parseStored(next.value.value) as { amount: string };
        items.push({ txId, index: Number(index), owner: address, amount });
      }
    } finally {
      await page.iterator.close();
    }
    return canonicalJson({ items, bookmark: items.length < pageSize ? '' : page.metadata.bookmark });
  }

  /** GetTx(txId): the transaction record. */
  async GetTx(ctx: WalletContext, ...args: unknown[]): Promise<string> {
    expectArgCount(args, 1, 'txId');
    const txId = stringArg(args[0], 'txId', TX_ID_RULE);
    const record = await readJson<TxRecord>(ctx.stub, stateKey(ctx.stub, KeyType.Tx, txId));
    if (!record) throw new Rejection(RejectionCode.TxNotFound, `no transaction ${txId} on this ledger`);
    return canonicalJson(record);
  }

  /**
   * Trace(txId, index, maxDepth): the provenance graph of an output back to its mints,
   * breadth first, bounded by maxDepth (1..64) and 500 transactions.
   */
  async Trace(ctx: WalletContext, ...args: unknown[]): Promise<string> {
    expectArgCount(args, 3, 'txId, index, maxDepth');
    const txId = stringArg(args[0], 'txId', TX_ID_RULE);
    const index = integerArg(args[1], 'index', 0, Limits.outputsMax - 1);
    const maxDepth = integerArg(args[2], 'maxDepth', 1, Limits.traceDepthMax);
    return canonicalJson(await traceOutpoint(ctx, { txId, index }, maxDepth));
  }
}

/** Sets the transaction's one event, its payload canonical JSON. */
export function emit(ctx: WalletContext, name: EventName, payload: object): void {
  ctx.stub.setEvent(name, Buffer.from(canonicalJson(payload), 'utf8'));
}
