import { randomBytes } from 'node:crypto';
import type { Network } from '../api/v1alpha1/parse.js';
import type { FabricCA, FabricChaincode, FabricChannel, FabricResource } from '../api/v1alpha1/types.js';
import { createCaRoot, createServerCertificate } from '../fabric/ca-keys.js';
import type { MaterialStore } from '../fabric/org-pki.js';
import { nodeName } from '../reconcile/names.js';
import type {
  Address,
  CaState,
  ChaincodeServer,
  ChaincodeTls,
  ChaincodeTlsFiles,
  Hosts,
  NodeSet,
  Runtime,
} from '../reconcile/runtime.js';
import type { Notice } from '../reconcile/verdict.js';
import type { KubeClient, KubeObject } from './client.js';
import type { OperatorConfig } from './config.js';
import {
  FIELD_MANAGER,
  identitySecretName,
  LABEL_ORDINAL,
  LABEL_OWNER,
  LABEL_OWNER_KIND,
  ownedMetadata,
  ownedSelector,
  ownerReference,
  PORTS,
  serviceHost,
  serviceNames,
} from './objects.js';
import {
  caObjects,
  caPublicCertificates,
  caSecretName,
  caServerName,
  chaincodeAddress,
  chaincodeObjects,
  chaincodeTlsSecretName,
  ordererObjects,
  peerObjects,
} from './workloads.js';
import { SecretMaterialStore } from './secret-store.js';

interface Deployment extends KubeObject {
  status?: { availableReplicas?: number };
}

interface DataObject extends KubeObject {
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
}

/** What the runtime reads from the operator's informer caches. */
export interface KubeCache {
  /** The valid Fabric resources of the watched namespace. */
  network(): Network;
  /** An owned object (Deployment, Service, PersistentVolumeClaim, Secret) by name. */
  owned(kind: string, name: string): KubeObject | undefined;
  list(kind: string): KubeObject[];
}

/**
 * The Kubernetes runtime: a node is a Deployment (one pod), a Service and a PVC; identities
 * and made-once material are Secrets; the genesis block is a ConfigMap. Everything is
 * server-side applied by one field manager, and availability is read from the informer
 * cache, so a reconcile does no GET for what a watch already told.
 */
export class KubeRuntime implements Runtime {
  readonly fabricAdmin: boolean;
  private readonly stores = new Map<string, MaterialStore>();

  constructor(
    private readonly client: KubeClient,
    private readonly config: OperatorConfig,
    private readonly cache: KubeCache,
    readonly log: (line: string) => void,
    private readonly record: (object: KubeObject, notice: Notice) => Promise<void>,
  ) {
    this.fabricAdmin = config.FABRIC_ADMIN;
  }

  private get namespace(): string {
    return this.config.WATCH_NAMESPACE;
  }

  network(): Network {
    return this.cache.network();
  }

  notify(resource: FabricResource, notice: Notice): Promise<void> {
    return this.record(resource as unknown as KubeObject, notice);
  }

  private async applyAll(objects: readonly KubeObject[]): Promise<void> {
    await Promise.all(objects.map((object) => this.client.apply(object, FIELD_MANAGER)));
  }

  private available(name: string): boolean {
    const deployment = this.cache.owned('Deployment', name) as Deployment | undefined;
    return (deployment?.status?.availableReplicas ?? 0) >= 1;
  }

  /**
   * A Secret whose values are made once (keys, roots, a bootstrap password) and never rotated
   * by a reconcile: the stored values when it exists, else `make()`'s, created and read back
   * (another replica or an earlier run may have won the create).
   */
  private async secretOnce(
    owner: FabricCA | FabricChaincode,
    name: string,
    make: () => Record<string, string>,
  ): Promise<Record<string, string>> {
    const path = `/api/v1/namespaces/${this.namespace}/secrets/${name}`;
    const existing = await this.client.get<DataObject>(path);
    if (existing?.data) return decode(existing.data);
    const values = make();
    await this.client.createIfMissing(
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: ownedMetadata(owner, name),
        type: 'Opaque',
        data: Object.fromEntries(
          Object.entries(values).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
        ),
      },
      FIELD_MANAGER,
    );
    const stored = await this.client.get<DataObject>(path);
    return stored?.data ? decode(stored.data) : values;
  }

  /** The CA's roots, TLS certificates and bootstrap secret: made once, never rotated by apply. */
  private caSecret(ca: FabricCA): Promise<Record<string, string>> {
    return this.secretOnce(ca, caSecretName(ca), () => {
      const hosts = { dns: serviceNames(ca.metadata.name, this.namespace, this.config), ips: ['127.0.0.1'] };
      const root = createCaRoot(`${ca.metadata.name}-ca`, ca.spec.org);
      const tlsRoot = createCaRoot(`${ca.metadata.name}-tlsca`, ca.spec.org);
      const caTls = createServerCertificate(root, ca.metadata.name, hosts);
      const tlscaTls = createServerCertificate(tlsRoot, ca.metadata.name, hosts);
      return {
        'ca-cert.pem': root.certificate,
        'ca-key.pem': root.privateKeyPem,
        'ca-tls.crt': caTls.certificate,
        'ca-tls.key': caTls.privateKeyPem,
        'tlsca-cert.pem': tlsRoot.certificate,
        'tlsca-key.pem': tlsRoot.privateKeyPem,
        'tlsca-tls.crt': tlscaTls.certificate,
        'tlsca-tls.key': tlscaTls.privateKeyPem,
        boot: `admin:${randomBytes(18).toString('base64url')}`,
      };
    });
  }

  async startCa(ca: FabricCA): Promise<void> {
    const secret = await this.caSecret(ca);
    await this.applyAll([
      ...caObjects(ca, this.config),
      caPublicCertificates(ca, secret['ca-cert.pem'] ?? '', secret['tlsca-cert.pem'] ?? ''),
    ]);
  }

  async caState(ca: FabricCA): Promise<CaState> {
    const host = serviceHost(ca.metadata.name, this.namespace, this.config);
    const url = `https://${host}:${String(PORTS.ca)}`;
    const tlsUrl = `https://${host}:${String(PORTS.tlsca)}`;
    if (!this.available(ca.metadata.name)) return { url, tlsUrl };
    const secret = await this.caSecret(ca);
    const [adminId, ...rest] = (secret.boot ?? '').split(':');
    const admin = { id: adminId ?? 'admin', secret: rest.join(':') };
    return {
      url,
      tlsUrl,
      cas: {
        org: ca.spec.org,
        mspId: ca.spec.mspId,
        ca: { url, caName: caServerName(ca.metadata.name, 'ca'), caCert: secret['ca-cert.pem'] ?? '', admin },
        tlsca: {
          url: tlsUrl,
          caName: caServerName(ca.metadata.name, 'tlsca'),
          caCert: secret['tlsca-cert.pem'] ?? '',
          admin,
        },
      },
    };
  }

  store(ca: FabricCA): MaterialStore {
    const key = `${ca.metadata.name}/${ca.metadata.uid ?? ''}`;
    let store = this.stores.get(key);
    if (!store) {
      store = new SecretMaterialStore(this.client, this.namespace, ca.metadata.name, ownerReference(ca));
      this.stores.set(key, store);
    }
    return store;
  }

  nodeHosts(name: string): Hosts {
    return { dns: serviceNames(name, this.namespace, this.config), ips: [] };
  }

  hasNodeIdentity(_ca: FabricCA, name: string): Promise<boolean> {
    return Promise.resolve(this.cache.owned('Secret', identitySecretName(name)) !== undefined);
  }

  async startNode(set: NodeSet, ordinal: number, ca: FabricCA, identityIssued: boolean): Promise<void> {
    await this.applyAll(
      set.kind === 'FabricPeerSet'
        ? peerObjects(set, ordinal, ca.spec.mspId, this.config, identityIssued)
        : ordererObjects(set, ordinal, ca.spec.mspId, this.config, identityIssued),
    );
  }

  nodeAvailable(name: string): boolean {
    return this.available(name);
  }

  private purges(set: NodeSet): boolean {
    return set.kind === 'FabricPeerSet' && set.spec.scaleDownPolicy === 'Delete';
  }

  extraOrdinals(set: NodeSet): number[] {
    // From every kind a node has, so a half-finished earlier removal is finished too.
    const kinds = this.purges(set)
      ? ['Deployment', 'Service', 'PersistentVolumeClaim']
      : ['Deployment', 'Service'];
    const ordinals = kinds
      .flatMap((kind) => this.cache.list(kind))
      .filter(
        (object) =>
          object.metadata.labels?.[LABEL_OWNER_KIND] === set.kind &&
          object.metadata.labels[LABEL_OWNER] === set.metadata.name,
      )
      .map((object) => Number(object.metadata.labels?.[LABEL_ORDINAL] ?? -1))
      .filter((ordinal) => ordinal >= set.spec.replicas);
    return [...new Set(ordinals)];
  }

  async removeNode(set: NodeSet, ordinal: number, purge: boolean): Promise<void> {
    const name = nodeName(set, ordinal);
    const ns = this.namespace;
    await this.client.delete(`/apis/apps/v1/namespaces/${ns}/deployments/${name}`);
    await this.client.delete(`/api/v1/namespaces/${ns}/services/${name}`);
    if (purge) {
      await this.client.delete(`/api/v1/namespaces/${ns}/persistentvolumeclaims/${name}-data`);
      await this.client.delete(`/api/v1/namespaces/${ns}/secrets/${identitySecretName(name)}`);
    }
  }

  selector(set: NodeSet): string | undefined {
    return set.kind === 'FabricPeerSet' ? ownedSelector(set) : undefined;
  }

  address(name: string, port: 'peer' | 'orderer' | 'ordererAdmin'): Promise<Address> {
    return Promise.resolve({ host: serviceHost(name, this.namespace, this.config), port: PORTS[port] });
  }

  private genesisPath(channel: FabricChannel): string {
    return `/api/v1/namespaces/${this.namespace}/configmaps/${channel.metadata.name}-genesis`;
  }

  async readGenesis(channel: FabricChannel): Promise<Uint8Array | undefined> {
    const stored = await this.client.get<DataObject>(this.genesisPath(channel));
    const block = stored?.binaryData?.['genesis.block'];
    return block ? Buffer.from(block, 'base64') : undefined;
  }

  async storeGenesis(channel: FabricChannel, block: Uint8Array): Promise<Uint8Array> {
    await this.client.createIfMissing(
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: ownedMetadata(channel, `${channel.metadata.name}-genesis`),
        binaryData: { 'genesis.block': Buffer.from(block).toString('base64') },
      },
      FIELD_MANAGER,
    );
    return (await this.readGenesis(channel)) ?? block;
  }

  async chaincodeTls(chaincode: FabricChaincode, make: () => ChaincodeTlsFiles): Promise<ChaincodeTls> {
    const data = await this.secretOnce(chaincode, chaincodeTlsSecretName(chaincode), make);
    return {
      rootCert: data['ca.pem'] ?? '',
      clientCert: data['client.crt'] ?? '',
      clientKey: data['client.key'] ?? '',
    };
  }

  chaincodeAddress(chaincode: FabricChaincode): Promise<string> {
    return Promise.resolve(chaincodeAddress(chaincode, this.config));
  }

  async startChaincodeServer(chaincode: FabricChaincode, server: ChaincodeServer): Promise<void> {
    await this.applyAll(chaincodeObjects(chaincode, server.packageId, server.issuerMsps, this.config));
  }

  chaincodeAvailable(chaincode: FabricChaincode): boolean {
    return this.available(`${chaincode.metadata.name}-ccaas`);
  }

  /** One Deployment serves every version: applying the new package id rolls it; nothing to stop. */
  retireChaincodeServers(): Promise<string[]> {
    return Promise.resolve([]);
  }
}

function decode(data: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
  );
}
