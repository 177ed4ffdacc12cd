import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseVersions, versionsFile } from './versions.js';

describe('parseVersions', () => {
  it('reads KEY=VALUE lines, skipping comments and blank lines and unquoting values', () => {
    const text = '# tools\n\nA=v1\nB="x=y z"\n  C=\n';

    const versions = parseVersions(text);

    expect([...versions]).toEqual([
      ['A', 'v1'],
      ['B', 'x=y z'],
      ['C', ''],
    ]);
  });

  it('rejects a line that is not KEY=VALUE, naming its line number', () => {
    expect(() => parseVersions('A=1\nfabric 3.1\n')).toThrow(/line 2/);
  });

  it('parses the repository versions file and finds every tool the bootstrap builds', () => {
    const versions = parseVersions(readFileSync(versionsFile, 'utf8'));

    expect(versions.get('FABRIC_VERSION')).toMatch(/^\d+\.\d+\.\d+$/);
    expect(versions.get('FABRIC_ARCHIVE_SHA256')).toMatch(/^[0-9a-f]{64}$/);
    expect(versions.get('FABRIC_SOURCE_COMMIT')).toMatch(/^[0-9a-f]{40}$/);
    for (const key of [
      'FABRIC_CA_VERSION',
      'FERRETDB_VERSION',
      'ETCD_VERSION',
      'KUBERNETES_VERSION',
      'HELM_VERSION',
    ]) {
      expect(versions.get(key), key).toMatch(/^v\d+\.\d+\.\d+/);
    }
  });
});
