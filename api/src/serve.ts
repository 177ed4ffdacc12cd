import { serve } from '@hono/node-server';
import { createApp } from './app.js';
import type { ApiConfig } from './config.js';
import { purgeExpired } from './db/maintenance.js';
import { connectDatabase, type Database } from './db/mongo.js';
import { Ledger } from './fabric/ledger.js';
import { Indexer } from './indexer/indexer.js';
import { Reconciler } from './indexer/reconciler.js';
import type { Logger } from 'pino';

export interface RunningApi {
  readonly app: ReturnType<typeof createApp>;
  readonly db: Database;
  /** Stops serving, the indexer, the ledger client and the database client. */
  readonly stop: () => Promise<void>;
}

/**
 * Connects the outer DB and Fabric, starts the chaincode-event indexer and the purge of
 * expired records, and serves the API on config.host:config.port. Used by `npm start`
 * (local network) and by the container entrypoint (Kubernetes).
 */
export async function runApi(config: ApiConfig, logger: Logger): Promise<RunningApi> {
  const db = await connectDatabase(config.mongodbUri, config.dbName);
  const ledger = new Ledger(config.fabric);
  const indexer = new Indexer(db.collections, ledger, config.fabric.registrar, logger);
  indexer.start();
  const reconciler = new Reconciler(db.collections, ledger, config.fabric.registrar, logger);
  reconciler.start();
  const app = createApp({ config, db, ledger, logger, indexer, reconciler });

  // Expired sessions and old idempotency records go every 10 minutes (the work of TTL indexes,
  // which FerretDB does not have).
  const purge = setInterval(() => {
    purgeExpired(db.collections).catch((error: unknown) => {
      logger.warn({ err: String(error) }, 'purge of expired records failed');
    });
  }, 600_000);
  purge.unref();

  const server = serve({ fetch: app.fetch, hostname: config.host, port: config.port });
  const stop = async () => {
    clearInterval(purge);
    server.close();
    await reconciler.stop();
    await indexer.stop();
    ledger.close();
    await db.close();
  };
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', (error: NodeJS.ErrnoException) => {
        reject(
          new Error(
            error.code === 'EADDRINUSE'
              ? `port ${String(config.port)} is in use: set API_PORT to another port`
              : error.message,
          ),
        );
      });
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return { app, db, stop };
}
