import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { repoRoot } from '../../tools/versions.js';

/** The network `npm start` runs when no manifest is named: the repository's sample. */
export const SAMPLE_MANIFEST = join(repoRoot, 'manifests', 'local', 'network.yaml');

/**
 * The manifest a data dir runs when none is named: `<dataDir>/network.yaml`, copied once from
 * the sample. Scaling by command or by editing changes this copy, never the tracked sample,
 * and the desired state lives with the state it describes.
 */
export async function dataDirManifest(dataDir: string): Promise<string> {
  const path = join(dataDir, 'network.yaml');
  await mkdir(dataDir, { recursive: true });
  // COPYFILE_EXCL: an existing copy (the user's desired state) is never overwritten.
  await copyFile(SAMPLE_MANIFEST, path, 1).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  });
  return path;
}
