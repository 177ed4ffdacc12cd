import { AsyncLocalStorage } from 'node:async_hooks';
import { createPrivateKey } from 'node:crypto';
import type * as grpc from '@grpc/grpc-js';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  connect,
  StatusCode,
  type Contract,
  type Gateway,
  type Status,
  type SubmittedTransaction,
  type Transaction,
} from '@hyperledger/fabric-gateway';
import { errorText, nativeSigner, peerClient } from '@fabric-wallet/fabric-client';
import { chaincodeClient, type ChaincodeClient, type TransactionCall } from '@fabric-wallet/ccaas/protocol';
import type { FabricConfig, PemIdentity } from '../config.js';
import { ApiError, fromChaincode, unavailable } from '../errors.js';
import { CallLimiter } from '../concurrency/call-limiter.js';

/** What services need of the ledger: the chaincode's transactions, run as an identity. */
export interface ChaincodeAccess {
  /** The chaincode as `identity` (a user's own, or the API's issuer or reader). */
  as(identity: PemIdentity): ChaincodeClient;
}

/**
 * The token chaincode through the wallet org's gateway peer. One gRPC connection is shared;
 * each call runs as the Fabric identity given (the user's own, so nobody else can sign for
 * them; or the API's issuer). Chaincode rejections become 4xx ApiErrors; anything else
 * (peer down, timeout) a 503, never a 500.
 */
export class Ledger implements ChaincodeAccess {
  private readonly client: grpc.Client;
  /**
   * At most 256 gateway calls at once. A peer refuses calls beyond its own limit
   * (`peer.limits.concurrency.gatewayService`, 500 by default) with an error, so a rush of
   * 1,000 purchases got 418 refusals (docs/performance.md); above this bound callers wait
   * here instead, in order, and beyond 5,000 waiting get 503 with Retry-After at once.
   */
  private readonly calls = new CallLimiter(256, 5000);

  constructor(readonly config: FabricConfig) {
    this.client = peerClient(config.peer, {
      // A connection can outlive the peer behind it: after the gateway peer was killed the
      // fault suite saw the channel stay READY on a TLS socket whose TCP connection was gone,
      // every call waiting for its deadline, for minutes (no disconnect was ever reported).
      // A keepalive ping left unanswered closes it and the channel connects again. 60 s is
      // the shortest interval a Fabric peer accepts by default (peer.keepalive.minInterval);
      // pinging more often gets the connection closed for "too many pings".
      'grpc.keepalive_time_ms': 60_000,
      'grpc.keepalive_timeout_ms': 20_000,
    });
  }

  /** A gateway acting as `identity`; cheap (no new connection); close it after use. */
  gateway(identity: PemIdentity): Gateway {
    return connect({
      client: this.client,
      identity: { mspId: identity.mspId, credentials: Buffer.from(identity.certificate) },
      ...nativeSigner(createPrivateKey(identity.privateKeyPem)),
      evaluateOptions: () => ({ deadline: Date.now() + 15_000 }),
      endorseOptions: () => ({ deadline: Date.now() + 30_000 }),
      submitOptions: () => ({ deadline: Date.now() + 15_000 }),
      commitStatusOptions: () => ({ deadline: Date.now() + 60_000 }),
    });
  }

  /**
   * The chaincode as `identity`: typed transactions, results checked by the protocol's
   * schemas. A submit returns once committed (see submitAndWait).
   */
  as(identity: PemIdentity): ChaincodeClient {
    return chaincodeClient((call) => this.send(identity, call));
  }

  /** Sends one call as `identity` and returns the result's bytes; failures become ApiErrors. */
  private async send(identity: PemIdentity, call: TransactionCall): Promise<Uint8Array> {
    const release = await this.calls.acquire();
    const gateway = this.gateway(identity);
    try {
      const target = gateway
        .getNetwork(this.config.channel)
        .getContract(this.config.chaincode, call.contract);
      return call.mode === 'submit'
        ? await submitAndWait(target, call.name, call.args)
        : await target.evaluateTransaction(call.name, ...call.args);
    } catch (error) {
      throw ledgerError(error, call.name);
    } finally {
      gateway.close();
      release();
    }
  }

  /**
   * The number of the block that holds transaction `txId` (qscc GetBlockByTxID), or null when
   * the channel has no such transaction.
   */
  async blockNumberOf(identity: PemIdentity, txId: string): Promise<number | null> {
    const release = await this.calls.acquire();
    const gateway = this.gateway(identity);
    try {
      const qscc = gateway.getNetwork(this.config.channel).getContract('qscc');
      return blockNumber(await qscc.evaluateTransaction('GetBlockByTxID', this.config.channel, txId));
    } catch (error) {
      if (/no such transaction|not found|does not exist/i.test(errorText(error))) return null;
      throw ledgerError(error, 'GetBlockByTxID');
    } finally {
      gateway.close();
      release();
    }
  }

  close(): void {
    this.client.close();
  }
}

const statusNames = new Map<number, string>(Object.entries(StatusCode).map(([name, code]) => [code, name]));

/**
 * A transaction handed to the orderer whose commit status could not be learnt in time: it may
 * be committed, or be committed later, or never. A 503 to the client like any ledger outage,
 * but its request must not be run again as if nothing had been paid (see Wallet and the
 * idempotency records).
 */
export class CommitUnknownError extends ApiError {
  constructor(
    readonly txId: string,
    options?: ErrorOptions,
  ) {
    super(
      503,
      'unavailable',
      'Service unavailable',
      'the ledger did not confirm the transaction in time; it may still commit',
      {},
      options,
    );
  }
}

/** How long the commit status of a submitted transaction is awaited in all. */
const COMMIT_WAIT_MS = 60_000;
/**
 * How long one ask for the commit status waits before the signed transaction is sent to the
 * orderer again. The orderer acknowledges a transaction before it is in a block, so an
 * orderer killed meanwhile loses it, and the peer would wait for it until the deadline (60 s
 * of stalled payments in the fault suite). Sending the same envelope again is harmless:
 * Fabric validates a transaction id once; a second copy in a later block is marked
 * DUPLICATE_TXID and the status reported is the first one's.
 */
const RESUBMIT_AFTER_MS = 5_000;

/**
 * Told the id of each transaction just before it goes to the orderer, within the request that
 * registered the callback (services/idempotency.ts records it: after a crash, a transaction
 * id is how a retry learns whether the request reached the ledger). An error stops the send.
 */
export const beforeOrdering = new AsyncLocalStorage<(txId: string) => Promise<void>>();

/** Endorses, submits and waits for the commit (see commitStatus). */
async function submitAndWait(target: Contract, fn: string, args: readonly string[]): Promise<Uint8Array> {
  const transaction = await target.newProposal(fn, { arguments: [...args] }).endorse();
  await beforeOrdering.getStore()?.(transaction.getTransactionId());
  const status = await commitStatus(transaction);
  if (!status.successful)
    throw new Error(
      `Transaction ${status.transactionId} failed to commit with status code ${String(status.code)} (${statusNames.get(status.code) ?? 'unknown'})`,
    );
  return transaction.getResult();
}

/**
 * Sends an endorsed transaction to the orderer and returns its commit status. Once it is sent
 * its outcome must not be reported as a failure it may not be. A send that fails may still
 * have reached the orderer through the gateway peer (the fault suite saw a payment made twice
 * when a send cut by the gateway peer's death was answered 503 and its key freed), so it is
 * sent again; the status is asked again (it is idempotent) when asking fails, the gateway
 * peer being restarted say; and the envelope is sent again when no status comes within
 * RESUBMIT_AFTER_MS. Up to COMMIT_WAIT_MS in all; then CommitUnknownError.
 */
async function commitStatus(transaction: Transaction): Promise<Status> {
  const deadline = Date.now() + COMMIT_WAIT_MS;
  let submitted: SubmittedTransaction | undefined;
  for (;;) {
    const asked = Date.now();
    try {
      submitted ??= await transaction.submit({ deadline });
      return await submitted.getStatus({ deadline: Math.min(deadline, asked + RESUBMIT_AFTER_MS) });
    } catch (error) {
      if (Date.now() >= deadline)
        throw new CommitUnknownError(transaction.getTransactionId(), { cause: error });
      // An unreachable peer fails at once: wait a little before trying again.
      await sleep(Math.max(0, 500 - (Date.now() - asked)));
      if (submitted) await transaction.submit({ deadline }).catch(() => undefined);
    }
  }
}

/**
 * A block's number from its protobuf bytes: Block.header (field 1) -> BlockHeader.number
 * (field 1, varint; absent when 0). Only the header is read.
 */
export function blockNumber(bytes: Uint8Array): number {
  let at = 0;
  const varint = (): bigint => {
    let value = 0n;
    for (let shift = 0n; ; shift += 7n) {
      const byte = bytes[at++];
      if (byte === undefined || shift > 63n) throw new Error('truncated block');
      value |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return value;
    }
  };
  if (bytes[at++] !== 0x0a) throw new Error('not a block: no header');
  const end = at + Number(varint());
  while (at < end) {
    const tag = Number(varint());
    if (tag === 0x08) return Number(varint());
    if ((tag & 7) === 2) at += Number(varint());
    else if ((tag & 7) === 0) varint();
    else throw new Error(`unexpected field in a block header (tag ${String(tag)})`);
  }
  return 0;
}

/**
 * A failure of `fn` as the client sees it: a chaincode rejection is its 4xx (errors.ts), a
 * lost race at commit a 409, anything else (peer down, timeout) a 503.
 */
export function ledgerError(error: unknown, fn: string): ApiError {
  if (error instanceof ApiError) return error;
  const text = errorText(error);
  // Lost a race at commit: another transaction spent the same coins or took the same seat.
  if (/MVCC_READ_CONFLICT|PHANTOM_READ_CONFLICT/.test(text)) {
    return new ApiError(
      409,
      'conflict',
      'Conflicting transaction',
      'another transaction changed the same coins or seats first; nothing was charged, try again',
      {},
      { cause: error },
    );
  }
  return (
    fromChaincode(text, error) ??
    Object.assign(unavailable(`the ledger did not complete ${fn}; try again`), { cause: error })
  );
}
