import { describe, expect, it } from 'vitest';
import type { V1PersistentVolumeClaim, V1PersistentVolumeClaimSpec } from '@kubernetes/client-node';
import { NODE } from './layout.js';
import { claimsToProvision, volumeDir } from './provisioner.js';

const claim = (
  name: string,
  spec: V1PersistentVolumeClaimSpec,
  phase = 'Pending',
  deleting = false,
): V1PersistentVolumeClaim => ({
  metadata: {
    name,
    namespace: 'wallet',
    uid: `uid-${name}`,
    ...(deleting ? { deletionTimestamp: new Date() } : {}),
  },
  spec,
  status: { phase },
});

describe('host-path provisioner', () => {
  it('provisions pending claims of its class or of no class (the default), nothing else', () => {
    const claims = [
      claim('ours', { storageClassName: NODE.storageClass }),
      claim('default', {}),
      claim('other-class', { storageClassName: 'fast-ssd' }),
      claim('bound', { storageClassName: NODE.storageClass, volumeName: 'pvc-1' }, 'Bound'),
      claim('named-volume', { storageClassName: NODE.storageClass, volumeName: 'pvc-2' }),
      claim('deleting', { storageClassName: NODE.storageClass }, 'Pending', true),
    ];
    expect(claimsToProvision(claims, NODE.storageClass).map((c) => c.metadata?.name)).toEqual([
      'ours',
      'default',
    ]);
    expect(claimsToProvision(claims, 'fast-ssd').map((c) => c.metadata?.name)).toEqual(['ours']);
  });

  it('keeps each claim in a directory named by namespace, name and uid', () => {
    expect(volumeDir('/data/volumes', claim('data', {}))).toBe('/data/volumes/wallet_data_uid-data');
    const again: V1PersistentVolumeClaim = { metadata: { name: 'data', namespace: 'wallet', uid: 'other' } };
    expect(volumeDir('/data/volumes', again)).not.toBe(volumeDir('/data/volumes', claim('data', {})));
  });
});
