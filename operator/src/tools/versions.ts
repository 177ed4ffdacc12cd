import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The repository root: this file sits at operator/{src,dist}/tools/. */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** Path of the one file that names every external tool's version. */
export const versionsFile = `${repoRoot}scripts/tools/versions.env`;

/**
 * Parses the KEY=VALUE lines of a versions.env text (`#` comments, optional double quotes).
 * Throws on a line that is neither, so a typo cannot silently drop a version.
 */
export function parseVersions(text: string): ReadonlyMap<string, string> {
  const versions = new Map<string, string>();
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([A-Z][A-Z0-9_]*)=(?:"([^"]*)"|(\S*))$/.exec(line);
    if (!match?.[1]) throw new Error(`versions.env line ${index + 1} is not KEY=VALUE: ${line}`);
    versions.set(match[1], match[2] ?? match[3] ?? '');
  }
  return versions;
}

let cached: ReadonlyMap<string, string> | undefined;

/** The version named `key` in scripts/tools/versions.env; throws when it is missing. */
export function toolVersion(key: string): string {
  cached ??= parseVersions(readFileSync(versionsFile, 'utf8'));
  const value = cached.get(key);
  if (value === undefined || value === '') throw new Error(`${versionsFile} has no ${key}`);
  return value;
}
