import { Limits } from '../protocol/limits.js';
import { Rejection, RejectionCode } from '../protocol/errors.js';
import { outpointId, type Outpoint } from '../protocol/transfer-body.js';
import type { WalletContext } from '../ledger/context.js';
import { KeyType, readJson, stateKey } from '../ledger/state.js';
import type { TxRecord } from '../model.js';

/** The provenance of one output: every transaction it descends from, back to the mints. */
export interface TraceResult {
  readonly root: Outpoint;
  /** Transaction records reached, nearest first; each appears once. */
  readonly txs: readonly TxRecord[];
  /** Spend edges: `from` (an outpoint spent) was consumed by transaction `to`. */
  readonly edges: readonly { readonly from: string; readonly to: string }[];
  /** Ids of the mint transactions reached. */
  readonly mints: readonly string[];
  /** True when every path ended at a mint within the bounds. */
  readonly complete: boolean;
}

/**
 * Walks the spend graph breadth first from `root`'s transaction through each input's
 * transaction, stopping at mints (they have no inputs), at `maxDepth` levels, or at
 * Limits.traceNodesMax transactions.
 */
export async function traceOutpoint(
  ctx: WalletContext,
  root: Outpoint,
  maxDepth: number,
): Promise<TraceResult> {
  const { stub } = ctx;
  const load = async (txId: string): Promise<TxRecord> => {
    const record = await readJson<TxRecord>(stub, stateKey(stub, KeyType.Tx, txId));
    if (!record) throw new Rejection(RejectionCode.TxNotFound, `no transaction ${txId} on this ledger`);
    return record;
  };
  const first = await load(root.txId);
  if (root.index >= first.outputs.length) {
    throw new Rejection(RejectionCode.UtxoNotFound, `transaction ${root.txId} has no output ${root.index}`);
  }

  const seen = new Map<string, TxRecord>([[first.txId, first]]);
  const edges: { from: string; to: string }[] = [];
  let frontier = [first];
  let complete = true;
  for (let depth = 0; frontier.length > 0; depth++) {
    const next: TxRecord[] = [];
    for (const record of frontier) {
      for (const input of record.inputs) {
        edges.push({ from: outpointId(input), to: record.txId });
        if (seen.has(input.txId)) continue;
        if (depth + 1 >= maxDepth || seen.size >= Limits.traceNodesMax) {
          complete = false;
          continue;
        }
        const parent = await load(input.txId);
        seen.set(parent.txId, parent);
        next.push(parent);
      }
    }
    frontier = next;
  }
  const txs = [...seen.values()];
  return { root, txs, edges, mints: txs.filter((tx) => tx.kind === 'mint').map((tx) => tx.txId), complete };
}
