import { setTimeout as sleep } from 'node:timers/promises';
import type { ChaincodeEvent as FabricEvent, Checkpoint } from '@hyperledger/fabric-gateway';
import { decodeEvent, EventName, type ChaincodeEvent } from '@fabric-wallet/ccaas/protocol';
import type { PemIdentity } from '../config.js';
import { LEDGER_INDEX, type Collections } from '../db/mongo.js';
import { applyScreening, applyTickets, applyTx } from '../db/projection.js';
import type { Ledger } from '../fabric/ledger.js';
import type { Logger } from '../logger.js';

const CHECKPOINT_ID = 'chaincode-events';
const errorMessage = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** The indexer's position: the block and, within it, the last transaction applied. */
class MongoCheckpoint implements Checkpoint {
  constructor(
    private block: bigint | undefined,
    private txId: string | undefined,
    private readonly collections: Collections,
  ) {}

  static async load(collections: Collections): Promise<MongoCheckpoint> {
    const doc = await collections.checkpoints.findOne({ _id: CHECKPOINT_ID });
    return new MongoCheckpoint(doc ? BigInt(doc.blockNumber) : undefined, doc?.transactionId, collections);
  }

  getBlockNumber(): bigint | undefined {
    return this.block;
  }

  getTransactionId(): string | undefined {
    return this.txId;
  }

  /**
   * Moves the checkpoint past an applied event. It is written to the outer DB at most every
   * SAVE_EVERY_MS (and by flush()), not once per event: that was one more round trip per
   * payment. Events after the stored checkpoint are applied again after a crash, which the
   * projection's idempotent writes make harmless.
   */
  async save(block: bigint, txId: string): Promise<void> {
    this.block = block;
    this.txId = txId;
    this.unsaved = true;
    if (Date.now() - this.savedAt >= SAVE_EVERY_MS) await this.flush();
  }

  async flush(): Promise<void> {
    if (!this.unsaved || this.block === undefined || this.txId === undefined) return;
    this.unsaved = false;
    this.savedAt = Date.now();
    await this.collections.checkpoints.replaceOne(
      { _id: CHECKPOINT_ID },
      { blockNumber: this.block.toString(), transactionId: this.txId },
      { upsert: true },
    );
  }

  private unsaved = false;
  private savedAt = 0;
}

const SAVE_EVERY_MS = 500;

/** Applies one chaincode event to the outer DB. Every write is an idempotent upsert. */
export async function applyEvent(
  collections: Collections,
  event: ChaincodeEvent,
  blockNumber: number,
): Promise<void> {
  switch (event.name) {
    case EventName.Minted:
    case EventName.Transferred:
      await applyTx(collections, event.payload.tx, blockNumber);
      return;
    case EventName.TicketsBought:
      await applyTx(collections, event.payload.tx, blockNumber);
      await applyTickets(collections, event.payload.tickets);
      return;
    case EventName.ScreeningCreated:
      await applyScreening(collections, event.payload.screening);
      return;
    case EventName.TicketRedeemed:
      await applyTickets(collections, [event.payload.ticket]);
      return;
  }
}

export interface IndexerStatus {
  readonly running: boolean;
  readonly lastBlock: string | null;
  readonly lastEventAt: string | null;
  readonly lastError: string | null;
}

/**
 * Follows the token chaincode's events from its checkpoint in MongoDB and applies them.
 * Reconnects with backoff after a broken stream. A crash or replay neither loses nor
 * duplicates anything: the checkpoint moves after an event is applied, and applying an event
 * twice changes nothing.
 */
export class Indexer {
  private stopped = false;
  private closeStream: (() => void) | undefined;
  private status: {
    running: boolean;
    lastBlock: string | null;
    lastEventAt: string | null;
    lastError: string | null;
  } = {
    running: false,
    lastBlock: null,
    lastEventAt: null,
    lastError: null,
  };
  private loop: Promise<void> | undefined;
  /** Interrupts a reconnect backoff when stop() is called. */
  private abort = new AbortController();

  constructor(
    private readonly collections: Collections,
    private readonly ledger: Ledger,
    private readonly reader: PemIdentity,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.stopped = false;
    this.abort = new AbortController();
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    this.closeStream?.();
    this.closeStream = undefined;
    await this.loop;
    this.loop = undefined;
  }

  private isStopped(): boolean {
    return this.stopped;
  }

  snapshot(): IndexerStatus {
    return { ...this.status };
  }

  private async run(): Promise<void> {
    let backoffMs = 500;
    while (!this.stopped) {
      const gateway = this.ledger.gateway(this.reader);
      let checkpoint: MongoCheckpoint | undefined;
      try {
        checkpoint = await MongoCheckpoint.load(this.collections);
        const network = gateway.getNetwork(this.ledger.config.channel);
        const events = await network.getChaincodeEvents(this.ledger.config.chaincode, {
          checkpoint,
          startBlock: 0n,
        });
        this.closeStream = () => {
          events.close();
        };
        // stop() may have come while the stream was opening: it could not close this one. A
        // stream closed before anything reads it reports its cancellation as an error event
        // nobody listens to (an uncaught exception), so a read is waiting when it is closed.
        if (this.isStopped()) {
          const read = events[Symbol.asyncIterator]()
            .next()
            .catch(() => undefined);
          events.close();
          await read;
          break;
        }
        this.status.running = true;
        for await (const event of events) {
          await this.handle(event);
          await checkpoint.save(event.blockNumber, event.transactionId);
          backoffMs = 500;
        }
      } catch (error) {
        // stop() closes the stream, which ends the loop with an error: not a failure.
        if (this.isStopped()) break;
        this.status.lastError = errorMessage(error);
        this.logger.warn(
          { err: errorMessage(error), retryInMs: backoffMs },
          'indexer stream broke; reconnecting',
        );
        await sleep(backoffMs, undefined, { signal: this.abort.signal }).catch(() => undefined);
        backoffMs = Math.min(backoffMs * 2, 30_000);
      } finally {
        this.status.running = false;
        gateway.close();
        await checkpoint?.flush().catch((error: unknown) => {
          this.logger.warn({ err: errorMessage(error) }, 'indexer checkpoint not saved');
        });
      }
    }
  }

  private async handle(event: FabricEvent): Promise<void> {
    // An event this version does not know is skipped rather than stopping the indexer; a
    // known one the protocol refuses stops it here (ChaincodeResultError in lastError).
    const decoded = decodeEvent(event.eventName, event.payload);
    if (decoded) await applyEvent(this.collections, decoded, Number(event.blockNumber));
    this.status.lastBlock = event.blockNumber.toString();
    this.status.lastEventAt = new Date().toISOString();
  }
}

/**
 * Rebuilds the ledger index from block 0: empties it, runs an indexer until the event history
 * is exhausted (no event for `quietMs` once the stream has started), and stops. Users, keys,
 * sessions and orders are kept, so the rebuilt balances and bills are those before.
 */
export async function rebuildIndex(
  collections: Collections,
  ledger: Ledger,
  reader: PemIdentity,
  logger: Logger,
  quietMs = 3000,
): Promise<{ txs: number; lastBlock: string | null }> {
  await wipeLedgerIndex(collections);
  const indexer = new Indexer(collections, ledger, reader, logger);
  indexer.start();
  let lastSeen = '';
  let quietSince = Date.now();
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const status = indexer.snapshot();
    const marker = `${status.lastBlock ?? ''}/${status.lastEventAt ?? ''}`;
    if (marker !== lastSeen) {
      lastSeen = marker;
      quietSince = Date.now();
    } else if (status.running && Date.now() - quietSince >= quietMs) {
      break;
    }
  }
  await indexer.stop();
  return { txs: await collections.txs.countDocuments(), lastBlock: indexer.snapshot().lastBlock };
}

/** Empties the ledger index (not users, keys, sessions or orders) so the indexer refills it from block 0. */
export async function wipeLedgerIndex(collections: Collections): Promise<void> {
  for (const name of LEDGER_INDEX) await collections[name].deleteMany({});
}
