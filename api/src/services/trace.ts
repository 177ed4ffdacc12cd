import { Limits, type ChaincodeClient, type TxRecord, type Utxo } from '@fabric-wallet/ccaas/protocol';
import type { Collections } from '../db/mongo.js';
import { forbidden, notFound } from '../errors.js';

export interface Provenance {
  readonly root: { txId: string; index: number };
  readonly txs: {
    txId: string;
    kind: string;
    ts: string;
    inputs: string[];
    outputs: { address: string; amount: string }[];
  }[];
  readonly mints: string[];
  readonly complete: boolean;
}

/** A transaction as a trace shows it: inputs as outpoint names. */
function txView(tx: TxRecord): Provenance['txs'][number] {
  return {
    txId: tx.txId,
    kind: tx.kind,
    ts: new Date(tx.ts).toISOString(),
    inputs: tx.inputs.map((input) => `${input.txId}:${input.index}`),
    outputs: tx.outputs.map((output) => ({ address: output.address, amount: output.amount })),
  };
}

/**
 * The provenance of a token back to the mints it came from, walked breadth first over the
 * outer DB's transaction records, bounded in depth and size; optionally checked against the
 * chaincode's own Trace of the same output.
 */
export async function traceFromIndex(
  collections: Collections,
  txId: string,
  index: number,
  maxDepth: number,
): Promise<Provenance> {
  const first = await collections.txs.findOne({ _id: txId });
  if (!first || index >= first.record.outputs.length) throw notFound(`no output ${txId}:${index}`);
  const seen = new Map<string, TxRecord>([[txId, first.record]]);
  let frontier = [first.record];
  let complete = true;
  for (let depth = 0; frontier.length > 0; depth++) {
    const wanted = [
      ...new Set(frontier.flatMap((record) => record.inputs.map((input) => input.txId))),
    ].filter((id) => !seen.has(id));
    if (wanted.length > 0 && (depth + 1 >= maxDepth || seen.size + wanted.length > Limits.traceNodesMax)) {
      complete = false;
      break;
    }
    const parents = await collections.txs.find({ _id: { $in: wanted } }).toArray();
    if (parents.length !== wanted.length) complete = false;
    for (const parent of parents) seen.set(parent._id, parent.record);
    frontier = parents.map((parent) => parent.record);
  }
  const txs = [...seen.values()];
  return {
    root: { txId, index },
    txs: txs.map(txView),
    mints: txs.filter((tx) => tx.kind === 'mint').map((tx) => tx.txId),
    complete,
  };
}

/** The same provenance read from the chaincode's own Trace (the ledger, not the outer DB). */
export async function traceFromLedger(
  ledger: ChaincodeClient,
  txId: string,
  index: number,
  maxDepth: number,
): Promise<Provenance> {
  const onChain = await ledger.trace({ txId, index }, maxDepth);
  return {
    root: { txId, index },
    txs: onChain.txs.map(txView),
    mints: [...onChain.mints],
    complete: onChain.complete,
  };
}

/** True when the chaincode's Trace reaches exactly the same transactions and mints. */
export async function verifyTrace(
  ledger: ChaincodeClient,
  provenance: Provenance,
  maxDepth: number,
): Promise<boolean> {
  const onChain = await ledger.trace(provenance.root, maxDepth);
  const ids = (list: readonly { txId: string }[]) =>
    list
      .map((tx) => tx.txId)
      .sort()
      .join(',');
  return (
    ids(onChain.txs) === ids(provenance.txs) &&
    [...onChain.mints].sort().join(',') === [...provenance.mints].sort().join(',')
  );
}

/** The unspent outputs of `addresses` read from the ledger itself (for verification; slower). */
export async function unspentFromLedger(
  ledger: ChaincodeClient,
  addresses: readonly string[],
): Promise<Utxo[]> {
  const items: Utxo[] = [];
  for (const address of addresses) items.push(...(await ledger.unspent(address)));
  return items;
}

/** How a trace is read: from the outer DB or the ledger, and whether the ledger checks it. */
export interface TraceOptions {
  readonly maxDepth: number;
  readonly source: 'index' | 'ledger';
  readonly verify?: 'ledger' | undefined;
}

/** The provenance of a user's own token, with whether the ledger's own Trace agrees (or null). */
export type TokenTrace = Provenance & { readonly verified: boolean | null };

/** Traceability of a user's tokens: where a token of theirs came from, back to the mints. */
export class Tracer {
  constructor(
    private readonly collections: Collections,
    /** The chaincode as the API's reader. */
    private readonly reader: () => ChaincodeClient,
  ) {}

  /** 403 unless the output is one of `userId`'s coins (spent or not), as the outer DB knows them. */
  async ofToken(userId: string, txId: string, index: number, options: TraceOptions): Promise<TokenTrace> {
    const owned = await this.collections.utxos.findOne({ _id: `${txId}:${index}`, userId });
    if (!owned) throw forbidden('only tokens of your own addresses can be traced here');
    const provenance =
      options.source === 'ledger'
        ? await traceFromLedger(this.reader(), txId, index, options.maxDepth)
        : await traceFromIndex(this.collections, txId, index, options.maxDepth);
    const verified =
      options.verify === 'ledger' ? await verifyTrace(this.reader(), provenance, options.maxDepth) : null;
    return { ...provenance, verified };
  }
}
