import { chaincodeClient, decodeEvent, EventName, type TxRecord } from '@fabric-wallet/ccaas/protocol';
import type { GatewayConnection } from '@fabric-wallet/operator/fabric';
import type { Db } from 'mongodb';
import { gatewayTransport } from './token-client.js';

/**
 * The ledger as the ground truth of an audit: every token transaction read back from the
 * chain (the chaincode events of valid transactions, from block 0), what follows from them
 * (supply, unspent coins, payments per memo), and where the outer DB differs from them.
 */

/** A committed token transaction. */
export interface LedgerTx {
  readonly blockNumber: number;
  readonly event: string;
  readonly record: TxRecord;
}

/**
 * Every payment and mint on the channel, in block order, from block 0 through the block
 * holding `lastTxId` (a transaction committed after everything the audit covers). Only valid
 * transactions emit events, so a transaction the validators refused is not among them.
 */
export async function ledgerHistory(
  connection: GatewayConnection,
  lastTxId: string,
  options: { readonly channel?: string; readonly chaincode?: string; readonly timeoutMs?: number } = {},
): Promise<LedgerTx[]> {
  const network = connection.gateway.getNetwork(options.channel ?? 'payments');
  const events = await network.getChaincodeEvents(options.chaincode ?? 'token', { startBlock: 0n });
  const timeoutMs = options.timeoutMs ?? 60_000;
  const timeout = { fired: false };
  const timer = setTimeout(() => {
    timeout.fired = true;
    events.close();
  }, timeoutMs);
  const history: LedgerTx[] = [];
  try {
    for await (const event of events) {
      const decoded = decodeEvent(event.eventName, event.payload);
      if (
        decoded?.name === EventName.Minted ||
        decoded?.name === EventName.Transferred ||
        decoded?.name === EventName.TicketsBought
      )
        history.push({
          blockNumber: Number(event.blockNumber),
          event: decoded.name,
          record: decoded.payload.tx,
        });
      if (event.transactionId === lastTxId) return history;
    }
  } catch (error) {
    if (!timeout.fired) throw error;
  } finally {
    clearTimeout(timer);
    events.close();
  }
  throw new Error(
    `the chain's events did not reach ${lastTxId} within ${String(timeoutMs)} ms (${String(history.length)} read)`,
  );
}

/** A coin as the ledger history leaves it. */
export interface LedgerCoin {
  readonly owner: string;
  readonly amount: bigint;
  readonly spentBy: string | null;
}

/** What the history adds up to. */
export interface LedgerTotals {
  readonly txs: ReadonlyMap<string, LedgerTx>;
  /** Every output ever created, by outpoint `<txId>:<index>`. */
  readonly coins: ReadonlyMap<string, LedgerCoin>;
  /** The sum of every mint's outputs. */
  readonly minted: bigint;
  /** The sum of the unspent outputs: the supply. */
  readonly supply: bigint;
  /** Transfer and purchase transactions by memo hash (several under one memo: paid twice). */
  readonly paymentsByMemo: ReadonlyMap<string, readonly string[]>;
  /** Outpoints spent by more than one transaction (never, if the chaincode holds). */
  readonly doubleSpends: readonly string[];
}

export function ledgerTotals(history: readonly LedgerTx[]): LedgerTotals {
  const txs = new Map<string, LedgerTx>();
  const coins = new Map<string, { owner: string; amount: bigint; spentBy: string | null }>();
  const paymentsByMemo = new Map<string, string[]>();
  const doubleSpends: string[] = [];
  let minted = 0n;
  for (const tx of history) {
    const { record } = tx;
    txs.set(record.txId, tx);
    for (const input of record.inputs) {
      const outpoint = `${input.txId}:${String(input.index)}`;
      const coin = coins.get(outpoint);
      if (coin?.spentBy !== null) doubleSpends.push(outpoint);
      else coin.spentBy = record.txId;
    }
    record.outputs.forEach((output, index) => {
      coins.set(`${record.txId}:${String(index)}`, {
        owner: output.address,
        amount: BigInt(output.amount),
        spentBy: null,
      });
      if (record.kind === 'mint') minted += BigInt(output.amount);
    });
    if (record.kind !== 'mint' && record.memoHash !== '')
      paymentsByMemo.set(record.memoHash, [...(paymentsByMemo.get(record.memoHash) ?? []), record.txId]);
  }
  let supply = 0n;
  for (const coin of coins.values()) if (coin.spentBy === null) supply += coin.amount;
  return { txs, coins, minted, supply, paymentsByMemo, doubleSpends };
}

/** Where the outer DB's index of the ledger differs from the ledger; empty lists when it agrees. */
export interface OuterDbDifferences {
  /** Committed transactions the outer DB lacks, or holds with another block number (or none). */
  readonly txsMissingOrUnindexed: readonly string[];
  /** Transactions in the outer DB that are not on the ledger. */
  readonly txsNotOnLedger: readonly string[];
  /** Coins missing, or with another owner, amount or spent state. */
  readonly coinsDiffering: readonly string[];
  /** Coins in the outer DB that the ledger never created. */
  readonly coinsNotOnLedger: readonly string[];
  /** Users whose bill lines do not add up to the ledger's unspent coins of their addresses. */
  readonly billsDiffering: readonly string[];
}

/**
 * Compares the outer DB's ledger index (`txs`, `utxos`, `movements`) with the ledger's
 * history: every transaction with its block number, every coin with owner, amount and spent
 * state, and each user's bill lines adding up to the unspent coins of that user's addresses.
 */
export async function outerDbDifferences(db: Db, totals: LedgerTotals): Promise<OuterDbDifferences> {
  const txDocs = await db
    .collection<{ _id: string; blockNumber: number | null }>('txs')
    .find({}, { projection: { _id: 1, blockNumber: 1 } })
    .toArray();
  const indexed = new Map(txDocs.map((doc) => [doc._id, doc.blockNumber]));
  const coinDocs = await db
    .collection<{ _id: string; owner: string; amount: string; spent: boolean }>('utxos')
    .find({}, { projection: { owner: 1, amount: 1, spent: 1 } })
    .toArray();
  const coinsIndexed = new Map(coinDocs.map((doc) => [doc._id, doc]));
  const owners = new Map(
    (
      await db
        .collection<{ _id: string; userId: string }>('addresses')
        .find({}, { projection: { userId: 1 } })
        .toArray()
    ).map((doc) => [doc._id, doc.userId]),
  );
  const billed = new Map<string, bigint>();
  const lines = db
    .collection<{ userId: string; direction: string; amount: string }>('movements')
    .find({}, { projection: { userId: 1, direction: 1, amount: 1 } });
  for await (const line of lines) {
    const signed =
      line.direction === 'out' ? -BigInt(line.amount) : line.direction === 'in' ? BigInt(line.amount) : 0n;
    billed.set(line.userId, (billed.get(line.userId) ?? 0n) + signed);
  }

  const held = new Map<string, bigint>();
  const coinsDiffering: string[] = [];
  for (const [outpoint, coin] of totals.coins) {
    const doc = coinsIndexed.get(outpoint);
    const same =
      doc?.owner === coin.owner &&
      doc.amount === coin.amount.toString() &&
      doc.spent === (coin.spentBy !== null);
    if (!same) coinsDiffering.push(outpoint);
    const user = owners.get(coin.owner);
    if (user !== undefined && coin.spentBy === null) held.set(user, (held.get(user) ?? 0n) + coin.amount);
  }
  const users = new Set([...held.keys(), ...billed.keys()]);
  return {
    txsMissingOrUnindexed: [...totals.txs.values()]
      .filter((tx) => indexed.get(tx.record.txId) !== tx.blockNumber)
      .map((tx) => tx.record.txId),
    txsNotOnLedger: [...indexed.keys()].filter((txId) => !totals.txs.has(txId)),
    coinsDiffering,
    coinsNotOnLedger: [...coinsIndexed.keys()].filter((outpoint) => !totals.coins.has(outpoint)),
    billsDiffering: [...users].filter((user) => (held.get(user) ?? 0n) !== (billed.get(user) ?? 0n)),
  };
}

/**
 * The unspent coins of the history that the ledger's state does not hold (GetUtxo refuses
 * them): the state and the history disagree. Empty when they agree.
 */
export async function unspentMissingFromState(
  connection: GatewayConnection,
  totals: LedgerTotals,
  options: { readonly channel?: string; readonly chaincode?: string } = {},
): Promise<string[]> {
  const chaincode = chaincodeClient(gatewayTransport(connection, options.channel, options.chaincode));
  const unspent = [...totals.coins].filter(([, coin]) => coin.spentBy === null).map(([outpoint]) => outpoint);
  const missing: string[] = [];
  for (let i = 0; i < unspent.length; i += 16) {
    await Promise.all(
      unspent.slice(i, i + 16).map(async (outpoint) => {
        const [txId = '', index = ''] = outpoint.split(':');
        try {
          await chaincode.getUtxo({ txId, index: Number(index) });
        } catch {
          missing.push(outpoint);
        }
      }),
    );
  }
  return missing;
}
