export { createApp, type AppDeps } from './app.js';
export type { ApiConfig, FabricConfig, PemIdentity } from './config.js';
export { connectDatabase, type Database } from './db/mongo.js';
export { purgeExpired } from './db/maintenance.js';
export { Ledger } from './fabric/ledger.js';
export { localApiConfig, localFabricConfig } from './local-config.js';
export { createLogger, type Logger } from './logger.js';
export { Indexer, wipeLedgerIndex, rebuildIndex, applyEvent } from './indexer/indexer.js';
