import { API_VERSION } from '../api/v1alpha1/schema.js';
import type {
  FabricCA,
  FabricChaincode,
  FabricChannel,
  FabricOrdererSet,
  FabricPeerSet,
} from '../api/v1alpha1/types.js';
import type { OwnerReference } from './client.js';
import type { OperatorConfig } from './config.js';
import { nodeName } from '../reconcile/names.js';

/**
 * The Kubernetes objects each resource owns, as pure functions of the resource and the
 * operator's configuration: what the reconciler server-side applies. Names:
 *   FabricCA x       -> Deployment/Service x, PVC x-data, Secret x-ca (roots, TLS, bootstrap)
 *   FabricPeerSet x  -> per ordinal i: Deployment/Service x-i, PVC x-i-data, Secret x-i-identity
 *   FabricOrdererSet -> the same as a peer set
 *   FabricChaincode x-> Deployment/Service x-ccaas (the chaincode server the peers dial)
 */

export const FIELD_MANAGER = 'fabric-wallet-operator';
export const LABEL_OWNER = 'fabricwallet.io/owner';
export const LABEL_OWNER_KIND = 'fabricwallet.io/owner-kind';
export const LABEL_ORDINAL = 'fabricwallet.io/ordinal';

export const PORTS = {
  ca: 7054,
  tlsca: 7055,
  caOperations: 9443,
  peer: 7051,
  peerChaincode: 7052,
  operations: 9443,
  orderer: 7050,
  ordererAdmin: 9443,
  ordererOperations: 8443,
} as const;

type Owner = FabricCA | FabricPeerSet | FabricOrdererSet | FabricChaincode | FabricChannel;

export function ownerReference(owner: Owner): OwnerReference {
  return {
    apiVersion: API_VERSION,
    kind: owner.kind,
    name: owner.metadata.name,
    uid: owner.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** The selector of everything a resource owns (for listing and pruning). */
export function ownedSelector(owner: Pick<Owner, 'kind' | 'metadata'>): string {
  return `${LABEL_OWNER_KIND}=${owner.kind},${LABEL_OWNER}=${owner.metadata.name}`;
}

export function labels(
  owner: Owner,
  component: string,
  instance: string,
  ordinal?: number,
): Record<string, string> {
  return {
    'app.kubernetes.io/name': component,
    'app.kubernetes.io/instance': instance,
    'app.kubernetes.io/component': component.replace(/^fabric-/, ''),
    'app.kubernetes.io/part-of': 'fabric-wallet',
    'app.kubernetes.io/managed-by': FIELD_MANAGER,
    [LABEL_OWNER_KIND]: owner.kind,
    [LABEL_OWNER]: owner.metadata.name,
    ...(ordinal === undefined ? {} : { [LABEL_ORDINAL]: String(ordinal) }),
  };
}

export function meta(owner: Owner, name: string, objectLabels: Record<string, string>) {
  return {
    name,
    namespace: owner.metadata.namespace ?? 'default',
    labels: objectLabels,
    ownerReferences: [ownerReference(owner)],
  };
}

/**
 * Metadata of an object a resource owns that is not a workload (Secrets, ConfigMaps): the
 * labels the controller's informers select on and the owner reference.
 */
export function ownedMetadata(owner: Owner, name: string, extraLabels: Record<string, string> = {}) {
  return {
    name,
    namespace: owner.metadata.namespace ?? 'default',
    labels: {
      'app.kubernetes.io/part-of': 'fabric-wallet',
      'app.kubernetes.io/managed-by': FIELD_MANAGER,
      [LABEL_OWNER_KIND]: owner.kind,
      [LABEL_OWNER]: owner.metadata.name,
      ...extraLabels,
    },
    ownerReferences: [ownerReference(owner)],
  };
}

/** host of a Service inside the cluster: name.namespace.svc.<domain>. */
export function serviceHost(name: string, namespace: string, config: Pick<OperatorConfig, 'CLUSTER_DOMAIN'>) {
  return `${name}.${namespace}.svc.${config.CLUSTER_DOMAIN}`;
}

/** Every name a client may use for a Service: for TLS certificate SANs. */
export function serviceNames(
  name: string,
  namespace: string,
  config: Pick<OperatorConfig, 'CLUSTER_DOMAIN'>,
) {
  return [name, `${name}.${namespace}`, `${name}.${namespace}.svc`, serviceHost(name, namespace, config)];
}

export function pvc(
  owner: Owner,
  name: string,
  objectLabels: Record<string, string>,
  size: string,
  config: OperatorConfig,
) {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: meta(owner, name, objectLabels),
    spec: {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: size } },
      ...(config.STORAGE_CLASS ? { storageClassName: config.STORAGE_CLASS } : {}),
    },
  };
}

export function service(
  owner: Owner,
  name: string,
  objectLabels: Record<string, string>,
  ports: Record<string, number>,
) {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(owner, name, objectLabels),
    spec: {
      type: 'ClusterIP',
      selector: {
        [LABEL_OWNER_KIND]: owner.kind,
        [LABEL_OWNER]: owner.metadata.name,
        ...pick(objectLabels, LABEL_ORDINAL),
      },
      ports: Object.entries(ports).map(([portName, port]) => ({
        name: portName,
        port,
        targetPort: port,
        protocol: 'TCP',
      })),
    },
  };
}

function pick(record: Record<string, string>, key: string): Record<string, string> {
  const value = record[key];
  return value === undefined ? {} : { [key]: value };
}

export const env = (values: Record<string, string>) =>
  Object.entries(values).map(([name, value]) => ({ name, value }));

const podSecurity = { runAsNonRoot: false, fsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } };
export const containerSecurity = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } };

export interface WorkloadSpec {
  readonly containers: unknown[];
  readonly volumes: unknown[];
  readonly replicas?: number;
  readonly annotations?: Record<string, string>;
}

/**
 * A node's pod template says whether its identity Secret exists. A pod created before the
 * Secret cannot mount it and waits for the kubelet's mount retry, which backs off to two
 * minutes (seen on a real node); the annotation changing to `issued` replaces that pod at once.
 */
export const IDENTITY_ANNOTATION = 'fabricwallet.io/identity';

export function deployment(
  owner: Owner,
  name: string,
  objectLabels: Record<string, string>,
  spec: WorkloadSpec,
) {
  const selector = {
    [LABEL_OWNER_KIND]: owner.kind,
    [LABEL_OWNER]: owner.metadata.name,
    ...pick(objectLabels, LABEL_ORDINAL),
  };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta(owner, name, objectLabels),
    spec: {
      replicas: spec.replicas ?? 1,
      // One pod per volume: never two peers on one ledger.
      strategy: { type: spec.replicas && spec.replicas > 1 ? 'RollingUpdate' : 'Recreate' },
      selector: { matchLabels: selector },
      template: {
        metadata: { labels: objectLabels, ...(spec.annotations ? { annotations: spec.annotations } : {}) },
        spec: {
          securityContext: podSecurity,
          enableServiceLinks: false,
          containers: spec.containers,
          volumes: spec.volumes,
        },
      },
    },
  };
}

export const httpProbe = (port: number, path = '/healthz') => ({
  httpGet: { path, port, scheme: 'HTTP' },
  periodSeconds: 10,
  timeoutSeconds: 3,
  failureThreshold: 3,
});

/** A node's name is the same in both runtimes (reconcile/names.ts). */
export { nodeName };
export const identitySecretName = (node: string) => `${node}-identity`;
