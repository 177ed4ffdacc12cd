/**
 * npm run cluster -- up|down|status|load   (scripts/cluster.sh builds the tools and images first;
 * load imports rebuilt images into the running cluster)
 *
 * Data under FABRIC_WALLET_CLUSTER_DIR or <repo>/.data/cluster; the kubeconfig is written there.
 */
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';
import { down, load, status, up } from './cluster.js';
import { defaultRoot } from './layout.js';

const say = (line: string) => process.stdout.write(`[cluster] ${line}\n`);
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const root = defaultRoot(repoRoot);
const command = process.argv[2];

try {
  if (command === 'up') await up(root, say);
  else if (command === 'down') process.exitCode = (await down(root, say)).length === 0 ? 0 : 1;
  else if (command === 'load') await load(root, say);
  else if (command === 'status') process.exitCode = (await status(root, say)) ? 0 : 3;
  else {
    process.stderr.write('usage: npm run cluster -- up|down|status|load\n');
    process.exitCode = 2;
  }
} catch (error) {
  process.stderr.write(`[cluster] ERROR: ${(error as Error).message}\n`);
  process.exitCode = 1;
}
