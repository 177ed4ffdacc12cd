import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectDatabase } from '../db/mongo.js';
import { Ledger } from '../fabric/ledger.js';
import { rebuildIndex } from '../indexer/indexer.js';
import { localFabricConfig } from '../local-config.js';
import { createLogger } from '../logger.js';

/**
 * `npm run rebuild-index`: recreates the outer DB's index of the ledger (txs, tokens, bills,
 * screenings, tickets) from block 0, for the network `npm start` runs (or --data <dir>).
 * Uses MONGODB_URI, else the local FerretDB. Stop the API first: it would index meanwhile.
 */
const args = process.argv.slice(2);
const i = args.indexOf('--data');
// npm start's data dir: <repository>/.data/network, found from this file (api/dist/cli/).
const defaultDataDir = fileURLToPath(new URL('../../../.data/network', import.meta.url));
const dataDir = resolve(
  i >= 0 ? (args[i + 1] ?? '') : (process.env.FABRIC_WALLET_DATA_DIR ?? defaultDataDir),
);
const say = (line: string) => process.stdout.write(`[rebuild] ${line}\n`);

try {
  const ports = JSON.parse(await readFile(join(dataDir, 'ports.json'), 'utf8')) as Record<string, number>;
  const uri =
    process.env.MONGODB_URI ?? (ports.ferretdb ? `mongodb://127.0.0.1:${ports.ferretdb}/` : undefined);
  if (!uri)
    throw new Error(`no MONGODB_URI and no FerretDB port in ${dataDir}/ports.json: is npm start running?`);
  const db = await connectDatabase(uri, 'fabric-wallet');
  const fabric = await localFabricConfig(dataDir);
  const ledger = new Ledger(fabric);
  const start = performance.now();
  say('emptying the ledger index and replaying the chain from block 0 ...');
  const result = await rebuildIndex(db.collections, ledger, fabric.registrar, createLogger('warn'));
  say(
    `done in ${((performance.now() - start) / 1000).toFixed(1)} s: ${result.txs} transactions, last block ${result.lastBlock ?? '-'}`,
  );
  ledger.close();
  await db.close();
} catch (error) {
  say(`failed: ${(error as Error).message}`);
  process.exit(1);
}
