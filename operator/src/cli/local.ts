import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseNetwork } from '../api/v1alpha1/parse.js';
import { LocalNetwork } from '../runtime/local/network.js';
import { repoRoot } from '../tools/versions.js';

/** `node operator/dist/cli/local.js up [manifest] [dataDir]`: the network as local processes. */
const [command = 'up', manifestArg, dataArg] = process.argv.slice(2);
const manifest = resolve(manifestArg ?? join(repoRoot, 'manifests', 'local', 'network.yaml'));
const dataDir = resolve(dataArg ?? process.env.FABRIC_WALLET_DATA_DIR ?? join(repoRoot, '.data', 'network'));
const say = (line: string) => process.stdout.write(`[network] ${line}\n`);

if (command !== 'up') {
  process.stderr.write(`unknown command ${command}; usage: local.js up [manifest] [dataDir]\n`);
  process.exit(2);
}

const network = new LocalNetwork({
  dataDir,
  network: parseNetwork(await readFile(manifest, 'utf8')),
  log: say,
  onProcessEvent: (event) => {
    if (event.type !== 'started') say(`process ${event.name}: ${JSON.stringify(event)}`);
  },
});
const stop = async (signal: string) => {
  say(`${signal}: stopping every process (data stays in ${dataDir})`);
  await network.down();
  process.exit(0);
};
process.once('SIGINT', () => void stop('SIGINT'));
process.once('SIGTERM', () => void stop('SIGTERM'));
try {
  await network.up();
  say(`network is up; data in ${dataDir}; Ctrl-C stops it`);
} catch (error) {
  say(`bring-up failed: ${(error as Error).stack ?? String(error)}`);
  await network.down();
  process.exit(1);
}
