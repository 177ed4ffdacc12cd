import { chmod, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CoreV1Api, type KubeConfig, type V1PersistentVolumeClaim } from '@kubernetes/client-node';
import { NODE } from './layout.js';

const PROVISIONED_BY = 'pv.kubernetes.io/provisioned-by';

/** The directory that backs one claim's volume (its uid keeps a recreated claim's data apart). */
export function volumeDir(root: string, claim: V1PersistentVolumeClaim): string {
  const { namespace = 'default', name = '', uid = '' } = claim.metadata ?? {};
  return join(root, `${namespace}_${name}_${uid}`);
}

/** The claims to provision now: ours (by class), not yet bound, not being deleted. */
export function claimsToProvision(claims: readonly V1PersistentVolumeClaim[], defaultClass: string) {
  return claims.filter(
    (claim) =>
      (claim.spec?.storageClassName ?? defaultClass) === NODE.storageClass &&
      !claim.spec?.volumeName &&
      claim.status?.phase === 'Pending' &&
      !claim.metadata?.deletionTimestamp,
  );
}

/**
 * A dynamic provisioner for the node's default StorageClass: a host directory per claim under
 * <data>/volumes, as a hostPath PersistentVolume bound to that claim; a released volume whose
 * policy is Delete is removed with its directory. One node, so no topology. It polls every
 * second rather than watching: a handful of claims, and nothing to resume after an API restart.
 */
export class HostPathProvisioner {
  private readonly core: CoreV1Api;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();

  constructor(
    config: KubeConfig,
    private readonly root: string,
    private readonly say: (line: string) => void,
  ) {
    this.core = config.makeApiClient(CoreV1Api);
  }

  start(): void {
    const tick = () => {
      this.running = this.pass()
        .catch((error: unknown) => {
          this.say(`provisioner: ${(error as Error).message}`);
        })
        .finally(() => {
          this.timer = setTimeout(tick, 1000);
        });
    };
    tick();
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    await this.running;
    clearTimeout(this.timer);
  }

  async pass(): Promise<void> {
    const claims = await this.core.listPersistentVolumeClaimForAllNamespaces();
    for (const claim of claimsToProvision(claims.items, NODE.storageClass)) await this.provision(claim);
    const volumes = await this.core.listPersistentVolume();
    for (const volume of volumes.items) {
      const ours = volume.metadata?.annotations?.[PROVISIONED_BY] === NODE.provisioner;
      if (!ours || volume.status?.phase !== 'Released') continue;
      if (volume.spec?.persistentVolumeReclaimPolicy !== 'Delete') continue;
      const path = volume.spec.hostPath?.path;
      if (path?.startsWith(this.root)) await rm(path, { recursive: true, force: true });
      await this.core.deletePersistentVolume({ name: volume.metadata?.name ?? '' });
      this.say(`provisioner: deleted ${volume.metadata?.name ?? ''} and its directory`);
    }
  }

  private async provision(claim: V1PersistentVolumeClaim): Promise<void> {
    const { namespace = 'default', name = '', uid = '' } = claim.metadata ?? {};
    const path = volumeDir(this.root, claim);
    await mkdir(path, { recursive: true });
    // Pods run as any user (the chart's database as 999, the chaincode as 1000): hostPath
    // volumes get no fsGroup, so the directory is open to all, as local-path provisioners do.
    await chmod(path, 0o777);
    try {
      await this.core.createPersistentVolume({
        body: {
          metadata: { name: `pvc-${uid}`, annotations: { [PROVISIONED_BY]: NODE.provisioner } },
          spec: {
            capacity: { storage: claim.spec?.resources?.requests?.storage ?? '1Gi' },
            accessModes: claim.spec?.accessModes ?? ['ReadWriteOnce'],
            persistentVolumeReclaimPolicy: 'Delete',
            storageClassName: NODE.storageClass,
            claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace, name, uid },
            hostPath: { path, type: 'Directory' },
          },
        },
      });
      this.say(`provisioner: ${namespace}/${name} -> ${path}`);
    } catch (error) {
      if ((error as { code?: number }).code !== 409) throw error;
    }
  }
}
