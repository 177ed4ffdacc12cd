import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crdFiles } from '../api/v1alpha1/crd.js';
import { repoRoot } from '../tools/versions.js';

/**
 * Writes the CRDs generated from the resource schemas to manifests/crds and to the Helm
 * chart's crds/ folder. `--check` writes nothing and exits 1 naming each file that differs.
 */
export const CRD_DIRS = ['manifests/crds', 'helm/fabric-wallet/crds'];

async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  const files = crdFiles();
  const stale: string[] = [];
  for (const dir of CRD_DIRS.map((d) => join(repoRoot, d))) {
    await mkdir(dir, { recursive: true });
    const present = new Set((await readdir(dir)).filter((name) => name.endsWith('.yaml')));
    for (const [name, text] of files) {
      present.delete(name);
      const current = await readFile(join(dir, name), 'utf8').catch(() => undefined);
      if (current === text) continue;
      stale.push(join(dir, name));
      if (!check) await writeFile(join(dir, name), text);
    }
    for (const name of present) {
      stale.push(`${join(dir, name)} (not generated)`);
      if (!check) await rm(join(dir, name));
    }
  }
  if (check && stale.length > 0) {
    process.stderr.write(
      `CRDs differ from the schemas; run npm run generate:crds:\n  ${stale.join('\n  ')}\n`,
    );
    process.exitCode = 1;
  } else {
    process.stdout.write(check ? 'CRDs are up to date\n' : `wrote ${String(stale.length)} CRD file(s)\n`);
  }
}

await main();
