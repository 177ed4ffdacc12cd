import { createPrivateKey, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { degradedConditions, progressingConditions, readyConditions } from '../api/v1alpha1/conditions.js';
import { parseResource, selects } from '../api/v1alpha1/parse.js';
import { API_VERSION, KIND_NAMES, type FabricKind } from '../api/v1alpha1/schema.js';
import type {
  Condition,
  FabricCA,
  FabricChaincode,
  FabricChannel,
  FabricOrdererSet,
  FabricPeerSet,
  FabricResource,
} from '../api/v1alpha1/types.js';
import { createCaRoot, createChaincodeTls, createServerCertificate } from '../fabric/ca-keys.js';
import type { ChannelOrg } from '../fabric/configtx.js';
import { writeMsp, type SigningIdentity } from '../fabric/identity.js';
import { OrgPki, type IdentityMaterial } from '../fabric/org-pki.js';
import {
  channelHeights,
  commitDefinition,
  definitionOf,
  genesisBlock,
  installPackage,
  joinOrderers,
  joinPeers,
  type AdminOrderer,
  type AdminPeer,
} from '../fabric/steps.js';
import { toolBin } from '../tools/paths.js';
import { ccaasPackage } from '../fabric/package.js';
import { collectionPath, KubeError, type KubeClient, type KubeObject } from './client.js';
import type { OperatorConfig } from './config.js';
import { Informer } from './informer.js';
import {
  caObjects,
  caPublicCertificates,
  caSecretName,
  caServerName,
  chaincodeAddress,
  chaincodeObjects,
  chaincodeServiceName,
  chaincodeTlsSecretName,
  FIELD_MANAGER,
  identitySecretName,
  LABEL_ORDINAL,
  LABEL_OWNER,
  LABEL_OWNER_KIND,
  nodeName,
  ordererObjects,
  ownedMetadata,
  ownedSelector,
  ownerReference,
  peerObjects,
  PORTS,
  serviceHost,
  serviceNames,
} from './objects.js';
import { WorkQueue, type Outcome } from './queue.js';
import { SecretMaterialStore } from './secret-store.js';

/** Plural names of the custom resources, for paths. */
export const PLURALS: Readonly<Record<FabricKind, string>> = {
  FabricCA: 'fabriccas',
  FabricOrdererSet: 'fabricorderersets',
  FabricPeerSet: 'fabricpeersets',
  FabricChannel: 'fabricchannels',
  FabricChaincode: 'fabricchaincodes',
};

/** Built-in kinds the operator owns and watches (by the managed-by label). */
const OWNED = [
  { apiVersion: 'apps/v1', kind: 'Deployment', plural: 'deployments' },
  { apiVersion: 'v1', kind: 'Service', plural: 'services' },
  { apiVersion: 'v1', kind: 'PersistentVolumeClaim', plural: 'persistentvolumeclaims' },
  { apiVersion: 'v1', kind: 'Secret', plural: 'secrets' },
] as const;

type Owned = (typeof OWNED)[number]['kind'];

interface Deployment extends KubeObject {
  spec?: { replicas?: number };
  status?: { availableReplicas?: number; readyReplicas?: number };
}

interface Secret extends KubeObject {
  data?: Record<string, string>;
}

/** What one reconcile concluded, written to status and conditions. */
interface Verdict {
  readonly state: 'Ready' | 'Progressing' | 'Degraded';
  readonly reason: string;
  readonly message: string;
  readonly fields: Record<string, unknown>;
  /** Look again after this long even without a watch event (e.g. waiting on a CA outside). */
  readonly after?: number;
}

export interface ControllerMetrics {
  readonly reconciles: Counter<'kind' | 'result'>;
  readonly duration: Histogram<'kind'>;
  readonly depth: Gauge;
  readonly watchErrors: Counter<'resource'>;
}

export function controllerMetrics(registry: Registry): ControllerMetrics {
  return {
    reconciles: new Counter({
      name: 'fabric_wallet_operator_reconciles_total',
      help: 'Reconciles by kind and result (ready, progressing, degraded, error).',
      labelNames: ['kind', 'result'],
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'fabric_wallet_operator_reconcile_seconds',
      help: 'Time one reconcile took.',
      labelNames: ['kind'],
      buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
      registers: [registry],
    }),
    depth: new Gauge({
      name: 'fabric_wallet_operator_workqueue_depth',
      help: 'Keys queued or being reconciled.',
      registers: [registry],
    }),
    watchErrors: new Counter({
      name: 'fabric_wallet_operator_watch_errors_total',
      help: 'Watch streams that failed and reconnected.',
      labelNames: ['resource'],
      registers: [registry],
    }),
  };
}

const keyOf = (kind: string, namespace: string, name: string) => `${kind}/${namespace}/${name}`;

/**
 * The Kubernetes runtime: informers on the five kinds and on what they own only enqueue
 * keys; one keyed, coalescing, rate-limited work queue runs the reconciles; each reconcile
 * server-side applies the desired children (one field manager), prunes what scaling in
 * removed, runs the Fabric steps whose preconditions hold, and writes status (conditions
 * with observedGeneration) only when it changed. Warnings a user must act on become Events.
 */
export class Controller {
  private readonly informers = new Map<string, Informer>();
  private readonly queue: WorkQueue;
  private readonly lastEvent = new Map<string, string>();
  private readonly pkis = new Map<string, OrgPki>();

  constructor(
    private readonly client: KubeClient,
    private readonly config: OperatorConfig,
    private readonly metrics: ControllerMetrics,
    private readonly log: (line: string) => void,
  ) {
    this.queue = new WorkQueue(
      (key) => this.reconcile(key),
      {
        concurrency: config.CONCURRENCY,
        baseDelayMs: 500,
        maxDelayMs: 60_000,
        ratePerSecond: 20,
        burst: 50,
      },
      (key, error, retryIn) => {
        this.log(`reconcile ${key} failed (retry in ${String(retryIn)} ms): ${errorMessage(error)}`);
      },
    );
  }

  get namespace(): string {
    return this.config.WATCH_NAMESPACE;
  }

  /** Lists and watches everything; resolves once every cache is filled. */
  async start(): Promise<void> {
    const resync = this.config.RESYNC_SECONDS * 1000;
    for (const kind of KIND_NAMES) {
      this.informers.set(
        kind,
        new Informer(this.client, {
          path: collectionPath(API_VERSION, PLURALS[kind], this.namespace),
          resyncMs: resync,
          onChange: (object) => {
            this.enqueueWithDependents(kind, object);
          },
          onWatchError: (error, retryIn) => {
            this.metrics.watchErrors.inc({ resource: kind });
            this.log(`watch ${kind}: ${errorMessage(error)} (reconnecting in ${String(retryIn)} ms)`);
          },
        }),
      );
    }
    for (const owned of OWNED) {
      this.informers.set(
        owned.kind,
        new Informer(this.client, {
          path: collectionPath(owned.apiVersion, owned.plural, this.namespace),
          labelSelector: `app.kubernetes.io/managed-by=${FIELD_MANAGER}`,
          resyncMs: resync,
          onChange: (object) => {
            const kind = object.metadata.labels?.[LABEL_OWNER_KIND];
            const owner = object.metadata.labels?.[LABEL_OWNER];
            if (kind && owner) this.add(keyOf(kind, object.metadata.namespace ?? this.namespace, owner));
          },
          onWatchError: (error, retryIn) => {
            this.metrics.watchErrors.inc({ resource: owned.kind });
            this.log(`watch ${owned.kind}: ${errorMessage(error)} (reconnecting in ${String(retryIn)} ms)`);
          },
        }),
      );
    }
    await Promise.all([...this.informers.values()].map((informer) => informer.start()));
    this.log(`watching ${this.namespace}: ${[...this.informers.keys()].join(', ')}`);
  }

  async stop(): Promise<void> {
    this.queue.stop();
    await Promise.all([...this.informers.values()].map((informer) => informer.stop()));
  }

  get synced(): boolean {
    return [...this.informers.values()].every((informer) => informer.hasSynced);
  }

  private add(key: string): void {
    this.queue.add(key);
    this.metrics.depth.set(this.queue.depth);
  }

  /** A change to one resource may unblock others: CA -> its sets; sets -> channels; channel -> chaincodes. */
  private enqueueWithDependents(kind: FabricKind, object: KubeObject): void {
    const namespace = object.metadata.namespace ?? this.namespace;
    const name = object.metadata.name;
    this.add(keyOf(kind, namespace, name));
    const all = (other: FabricKind) => this.resources(other);
    if (kind === 'FabricCA') {
      for (const set of [...all('FabricPeerSet'), ...all('FabricOrdererSet'), ...all('FabricChaincode')])
        if (set.kind === 'FabricChaincode' || (set.spec as { ca: string }).ca === name)
          this.add(keyOf(set.kind, namespace, set.metadata.name));
    }
    if (kind === 'FabricPeerSet' || kind === 'FabricOrdererSet') {
      for (const channel of all('FabricChannel'))
        this.add(keyOf('FabricChannel', namespace, channel.metadata.name));
    }
    if (kind === 'FabricChannel') {
      for (const chaincode of all('FabricChaincode') as FabricChaincode[])
        if (chaincode.spec.channel === name)
          this.add(keyOf('FabricChaincode', namespace, chaincode.metadata.name));
    }
  }

  /** Valid resources of a kind from the cache (an invalid one is skipped; its own reconcile reports it). */
  private resources(kind: FabricKind): FabricResource[] {
    const informer = this.informers.get(kind);
    return (informer?.list() ?? []).flatMap((object) => {
      const parsed = parseResource(withoutServerFields(object));
      return parsed.resource ? [parsed.resource] : [];
    });
  }

  private find<T extends FabricResource>(kind: T['kind'], name: string): T | undefined {
    return this.resources(kind).find((resource) => resource.metadata.name === name) as T | undefined;
  }

  private owned(kind: Owned, name: string): KubeObject | undefined {
    return this.informers.get(kind)?.get(this.namespace, name);
  }

  private ownedBy(kind: Owned, owner: FabricResource): KubeObject[] {
    return (this.informers.get(kind)?.list() ?? []).filter(
      (object) =>
        object.metadata.labels?.[LABEL_OWNER_KIND] === owner.kind &&
        object.metadata.labels[LABEL_OWNER] === owner.metadata.name,
    );
  }

  private available(name: string): boolean {
    const deployment = this.owned('Deployment', name) as Deployment | undefined;
    return (deployment?.status?.availableReplicas ?? 0) >= 1;
  }

  private async reconcile(key: string): Promise<Outcome> {
    const [kind, namespace, name] = key.split('/') as [FabricKind, string, string];
    const object = this.informers.get(kind)?.get(namespace, name);
    this.metrics.depth.set(this.queue.depth);
    if (!object || object.metadata.deletionTimestamp) return { kind: 'done' };
    // Until every cache is filled, "no Deployment" may only mean "not listed yet": wait.
    if (!this.synced) return { kind: 'after', ms: 250 };
    const end = this.metrics.duration.startTimer({ kind });
    const parsed = parseResource(withoutServerFields(object));
    let verdict: Verdict;
    try {
      if (!parsed.resource) {
        verdict = degraded('InvalidSpec', parsed.problems.join('; '));
      } else {
        const resource = { ...parsed.resource, metadata: { ...parsed.resource.metadata, namespace } };
        switch (resource.kind) {
          case 'FabricCA':
            verdict = await this.reconcileCa(resource);
            break;
          case 'FabricPeerSet':
          case 'FabricOrdererSet':
            verdict = await this.reconcileNodes(resource);
            break;
          case 'FabricChannel':
            verdict = await this.reconcileChannel(resource);
            break;
          case 'FabricChaincode':
            verdict = await this.reconcileChaincode(resource);
            break;
        }
      }
    } catch (error) {
      this.metrics.reconciles.inc({ kind, result: 'error' });
      end();
      // Server-side apply drops the fields this manager leaves out: keep what status said.
      const {
        conditions: _conditions,
        observedGeneration: _generation,
        ...kept
      } = (object.status ?? {}) as Record<string, unknown>;
      await this.writeStatus(object, degraded('ReconcileError', errorMessage(error), kept));
      throw error;
    }
    await this.writeStatus(object, verdict);
    this.metrics.reconciles.inc({ kind, result: verdict.state.toLowerCase() });
    end();
    return verdict.after === undefined ? { kind: 'done' } : { kind: 'after', ms: verdict.after };
  }

  /** Applies status only when it differs, and records an Event when the reason changes. */
  private async writeStatus(object: KubeObject, verdict: Verdict): Promise<void> {
    const current = (object.status ?? {}) as { conditions?: Condition[] } & Record<string, unknown>;
    const generation = object.metadata.generation ?? 1;
    const set =
      verdict.state === 'Ready'
        ? readyConditions
        : verdict.state === 'Progressing'
          ? progressingConditions
          : degradedConditions;
    const conditions = set(current.conditions ?? [], generation, verdict.reason, verdict.message);
    const status = { ...verdict.fields, observedGeneration: generation, conditions };
    // Key order differs between what the server returns and what is built here.
    const comparable = (value: Record<string, unknown>) =>
      stableJson(Object.keys(status).map((field) => [field, value[field]]));
    if (comparable(current) !== comparable(status)) {
      await this.client.apply(
        {
          apiVersion: object.apiVersion,
          kind: object.kind,
          metadata: { name: object.metadata.name, namespace: object.metadata.namespace ?? this.namespace },
          status,
        },
        FIELD_MANAGER,
        { subresource: 'status' },
      );
    }
    const eventKey = `${object.kind}/${object.metadata.name}`;
    const summary = `${verdict.state}/${verdict.reason}`;
    if (this.lastEvent.get(eventKey) !== summary) {
      this.lastEvent.set(eventKey, summary);
      await this.event(
        object,
        verdict.state === 'Degraded' ? 'Warning' : 'Normal',
        verdict.reason,
        verdict.message,
      );
    }
  }

  /** A core/v1 Event on the object, as `kubectl describe` shows it. */
  async event(
    object: KubeObject,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
  ): Promise<void> {
    const now = new Date().toISOString();
    try {
      await this.client.request(
        'POST',
        `/api/v1/namespaces/${object.metadata.namespace ?? this.namespace}/events`,
        {
          apiVersion: 'v1',
          kind: 'Event',
          metadata: {
            name: `${object.metadata.name}.${randomBytes(8).toString('hex')}`,
            namespace: object.metadata.namespace ?? this.namespace,
          },
          involvedObject: {
            apiVersion: object.apiVersion,
            kind: object.kind,
            name: object.metadata.name,
            namespace: object.metadata.namespace ?? this.namespace,
            uid: object.metadata.uid,
            resourceVersion: object.metadata.resourceVersion,
          },
          type,
          reason,
          message: message.slice(0, 1024),
          source: { component: FIELD_MANAGER },
          reportingComponent: FIELD_MANAGER,
          reportingInstance: FIELD_MANAGER,
          firstTimestamp: now,
          lastTimestamp: now,
          count: 1,
        },
      );
    } catch (error) {
      this.log(`event for ${object.kind}/${object.metadata.name} not recorded: ${errorMessage(error)}`);
    }
  }

  private async applyAll(objects: readonly KubeObject[]): Promise<void> {
    await Promise.all(objects.map((object) => this.client.apply(object, FIELD_MANAGER)));
  }

  // ---- FabricCA ----------------------------------------------------------------------------

  /** The CA's roots, TLS certificates and bootstrap secret: made once, never rotated by apply. */
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
    const existing = await this.client.get<Secret>(path);
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
    const stored = await this.client.get<Secret>(path);
    return stored?.data ? decode(stored.data) : values;
  }

  /** The CA's roots, TLS certificates and bootstrap secret: made once, never rotated by apply. */
  private ensureCaSecret(ca: FabricCA): Promise<Record<string, string>> {
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

  /** The org's PKI through its CA Service, once the CA pod is available. */
  private async pkiFor(ca: FabricCA): Promise<OrgPki | undefined> {
    if (!this.config.FABRIC_ADMIN || !this.available(ca.metadata.name)) return undefined;
    const cached = this.pkis.get(`${ca.metadata.name}/${ca.metadata.uid ?? ''}`);
    if (cached) return cached;
    const secret = await this.ensureCaSecret(ca);
    const host = serviceHost(ca.metadata.name, this.namespace, this.config);
    const [adminId, ...rest] = (secret.boot ?? '').split(':');
    const admin = { id: adminId ?? 'admin', secret: rest.join(':') };
    const pki = new OrgPki(
      {
        org: ca.spec.org,
        mspId: ca.spec.mspId,
        ca: {
          url: `https://${host}:${String(PORTS.ca)}`,
          caName: caServerName(ca.metadata.name, 'ca'),
          caCert: secret['ca-cert.pem'] ?? '',
          admin,
        },
        tlsca: {
          url: `https://${host}:${String(PORTS.tlsca)}`,
          caName: caServerName(ca.metadata.name, 'tlsca'),
          caCert: secret['tlsca-cert.pem'] ?? '',
          admin,
        },
      },
      new SecretMaterialStore(this.client, this.namespace, ca.metadata.name, ownerReference(ca)),
    );
    this.pkis.set(`${ca.metadata.name}/${ca.metadata.uid ?? ''}`, pki);
    return pki;
  }

  private async reconcileCa(ca: FabricCA): Promise<Verdict> {
    const secret = await this.ensureCaSecret(ca);
    await this.applyAll([
      ...caObjects(ca, this.config),
      caPublicCertificates(ca, secret['ca-cert.pem'] ?? '', secret['tlsca-cert.pem'] ?? ''),
    ]);
    const host = serviceHost(ca.metadata.name, this.namespace, this.config);
    const fields = {
      url: `https://${host}:${String(PORTS.ca)}`,
      tlsUrl: `https://${host}:${String(PORTS.tlsca)}`,
    };
    const pki = await this.pkiFor(ca);
    if (!pki) {
      return progressing(
        'WaitingForPods',
        `CA pod not available yet (Deployment ${ca.metadata.name}); roots, Service and PVC are in place`,
        fields,
      );
    }
    const adminId = `${ca.spec.org.toLowerCase()}-admin`;
    const registered = [adminId];
    await pki.ensure('users/admin', { id: adminId, type: 'admin', tls: 'client' });
    for (const identity of ca.spec.identities) {
      await pki.ensure(`users/${identity.name}`, {
        id: identity.name,
        type: identity.type,
        ...(identity.walletRole ? { attrs: { 'wallet.role': identity.walletRole } } : {}),
        ...(identity.registrar ? { registrar: true } : {}),
      });
      registered.push(identity.name);
    }
    return ready('Enrolled', `CA available; ${String(registered.length)} identities enrolled`, {
      ...fields,
      registered,
    });
  }

  // ---- FabricPeerSet / FabricOrdererSet ----------------------------------------------------

  private async reconcileNodes(set: FabricPeerSet | FabricOrdererSet): Promise<Verdict> {
    const ca = this.find<FabricCA>('FabricCA', set.spec.ca);
    if (!ca) return degraded('CANotFound', `spec.ca ${set.spec.ca} names no FabricCA in ${this.namespace}`);
    const replicas = set.spec.replicas;
    const peer = set.kind === 'FabricPeerSet';
    const pki = await this.pkiFor(ca);
    const peers = [];
    for (let ordinal = 0; ordinal < replicas; ordinal++) {
      const name = nodeName(set, ordinal);
      let identity = this.owned('Secret', identitySecretName(name)) !== undefined;
      if (!identity && pki) {
        await pki.ensure(`nodes/${name}`, {
          id: name,
          type: peer ? 'peer' : 'orderer',
          tls: { dns: serviceNames(name, this.namespace, this.config), ips: [] },
        });
        identity = true;
      }
      await this.applyAll(
        peer
          ? peerObjects(set, ordinal, ca.spec.mspId, this.config, identity)
          : ordererObjects(set, ordinal, ca.spec.mspId, this.config, identity),
      );
      peers.push({
        name,
        ordinal,
        ready: this.available(name),
        identity,
        endpoint: `${serviceHost(name, this.namespace, this.config)}:${String(peer ? PORTS.peer : PORTS.orderer)}`,
      });
    }
    const removed = await this.scaleIn(set, replicas);
    const readyCount = peers.filter((p) => p.ready).length;
    const fields = peer
      ? { replicas, readyReplicas: readyCount, selector: ownedSelector(set), peers }
      : { replicas, readyReplicas: readyCount };
    if (removed.length > 0) {
      await this.event(
        toObject(set),
        'Normal',
        'ScaledIn',
        `removed ${removed.join(', ')}; ${set.kind === 'FabricPeerSet' && set.spec.scaleDownPolicy === 'Delete' ? 'storage and identity deleted' : 'storage and identity kept'}`,
      );
    }
    if (readyCount === replicas)
      return ready('AllAvailable', `${String(readyCount)}/${String(replicas)} available`, fields);
    const waiting = peers.find((p) => !p.ready);
    const why =
      waiting && !waiting.identity
        ? `no identity yet: CA ${ca.metadata.name} not ready`
        : 'pod not available';
    return progressing(
      'WaitingForPods',
      `${String(readyCount)}/${String(replicas)} available; waiting for ${waiting?.name ?? '?'} (${why})`,
      fields,
    );
  }

  /**
   * Removes the nodes at ordinals >= replicas, highest first: their Deployment and Service
   * go; their PVC and identity Secret stay unless a peer set's scaleDownPolicy is Delete.
   */
  private async scaleIn(set: FabricPeerSet | FabricOrdererSet, replicas: number): Promise<string[]> {
    const purge = set.kind === 'FabricPeerSet' && set.spec.scaleDownPolicy === 'Delete';
    // From every kind a node has, so a half-finished earlier removal is finished too.
    const kinds: Owned[] = purge
      ? ['Deployment', 'Service', 'PersistentVolumeClaim']
      : ['Deployment', 'Service'];
    const extra = [
      ...new Set(
        kinds
          .flatMap((kind) => this.ownedBy(kind, set))
          .map((object) => Number(object.metadata.labels?.[LABEL_ORDINAL] ?? -1))
          .filter((ordinal) => ordinal >= replicas),
      ),
    ].sort((a, b) => b - a);
    const removed: string[] = [];
    for (const ordinal of extra) {
      const name = nodeName(set, ordinal);
      const ns = this.namespace;
      await this.client.delete(`/apis/apps/v1/namespaces/${ns}/deployments/${name}`);
      await this.client.delete(`/api/v1/namespaces/${ns}/services/${name}`);
      if (purge) {
        await this.client.delete(`/api/v1/namespaces/${ns}/persistentvolumeclaims/${name}-data`);
        await this.client.delete(`/api/v1/namespaces/${ns}/secrets/${identitySecretName(name)}`);
      }
      removed.push(name);
    }
    return removed;
  }

  // ---- FabricChannel -------------------------------------------------------------------------

  /** An org's admin (signing identity and TLS client material), once its CA enrolled it. */
  private async orgAdmin(
    ca: FabricCA,
  ): Promise<{ identity: SigningIdentity; material: IdentityMaterial } | undefined> {
    const store = new SecretMaterialStore(this.client, this.namespace, ca.metadata.name, ownerReference(ca));
    const material = await store.read(ca.spec.org, 'users/admin');
    if (!material) return undefined;
    return {
      material,
      identity: {
        mspId: material.mspId,
        certificate: material.signer.certificate,
        privateKey: createPrivateKey(material.signer.privateKeyPem),
      },
    };
  }

  private async identityOf(node: string): Promise<IdentityMaterial | undefined> {
    const store = new SecretMaterialStore(this.client, this.namespace, '', {
      apiVersion: API_VERSION,
      kind: 'FabricCA',
      name: '',
      uid: '',
    });
    return store.read('', `nodes/${node}`);
  }

  /** The channel's genesis block: made once with configtxgen and kept in a ConfigMap, so every node joins with the same one. */
  private async channelBlock(
    channel: FabricChannel,
    ordererSet: FabricOrdererSet,
    ordererCa: FabricCA,
    peerSets: readonly { set: FabricPeerSet; ca: FabricCA }[],
  ): Promise<Uint8Array> {
    const path = `/api/v1/namespaces/${this.namespace}/configmaps/${channel.metadata.name}-genesis`;
    const stored = await this.client.get<KubeObject & { binaryData?: Record<string, string> }>(path);
    const existing = stored?.binaryData?.['genesis.block'];
    if (existing) return Buffer.from(existing, 'base64');
    const dir = await mkdtemp(join(tmpdir(), 'fabric-wallet-channel-'));
    try {
      const orgMsp = async (ca: FabricCA) => {
        const secret = await this.ensureCaSecret(ca);
        const mspDir = join(dir, 'msp', ca.spec.mspId);
        await writeMsp(mspDir, {
          caCert: secret['ca-cert.pem'] ?? '',
          tlsCaCert: secret['tlsca-cert.pem'] ?? '',
        });
        return mspDir;
      };
      const consenters = [];
      for (let ordinal = 0; ordinal < ordererSet.spec.replicas; ordinal++) {
        const name = nodeName(ordererSet, ordinal);
        const identity = await this.identityOf(name);
        if (!identity?.tls) throw new Error(`orderer ${name} has no TLS certificate yet`);
        const tlsCertFile = join(dir, 'consenters', `${name}.crt`);
        const identityCertFile = join(dir, 'consenters', `${name}.identity.pem`);
        await mkdir(join(dir, 'consenters'), { recursive: true });
        await writeFile(tlsCertFile, identity.tls.certificate);
        await writeFile(identityCertFile, identity.signer.certificate);
        consenters.push({
          host: serviceHost(name, this.namespace, this.config),
          port: PORTS.orderer,
          tlsCertFile,
          mspId: ordererCa.spec.mspId,
          identityCertFile,
        });
      }
      const peerOrgs = new Map<string, ChannelOrg>();
      for (const { set, ca } of peerSets) {
        const anchor = { host: serviceHost(nodeName(set, 0), this.namespace, this.config), port: PORTS.peer };
        const existingOrg = peerOrgs.get(ca.spec.mspId);
        peerOrgs.set(ca.spec.mspId, {
          name: ca.spec.org,
          mspId: ca.spec.mspId,
          mspDir: await orgMsp(ca),
          anchorPeers: [...(existingOrg?.anchorPeers ?? []), anchor],
        });
      }
      const block = await genesisBlock(
        toolBin('fabric', 'configtxgen'),
        join(dir, 'block'),
        channel.metadata.name,
        {
          consensus: ordererSet.spec.consensus,
          ordererOrgs: [
            {
              name: ordererCa.spec.org,
              mspId: ordererCa.spec.mspId,
              mspDir: await orgMsp(ordererCa),
              ordererEndpoints: consenters.map((c) => `${c.host}:${String(c.port)}`),
            },
          ],
          peerOrgs: [...peerOrgs.values()],
          consenters,
        },
      );
      await this.client.createIfMissing(
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: ownedMetadata(channel, `${channel.metadata.name}-genesis`),
          binaryData: { 'genesis.block': Buffer.from(block).toString('base64') },
        },
        FIELD_MANAGER,
      );
      const winner = await this.client.get<KubeObject & { binaryData?: Record<string, string> }>(path);
      const kept = winner?.binaryData?.['genesis.block'];
      return kept ? Buffer.from(kept, 'base64') : block;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** Peers of the sets that are available and have an identity, with their org admin. */
  private async adminPeers(sets: readonly { set: FabricPeerSet; ca: FabricCA }[]): Promise<AdminPeer[]> {
    const peers: AdminPeer[] = [];
    for (const { set, ca } of sets) {
      const admin = await this.orgAdmin(ca);
      if (!admin) continue;
      for (let ordinal = 0; ordinal < set.spec.replicas; ordinal++) {
        const name = nodeName(set, ordinal);
        if (!this.available(name) || !this.owned('Secret', identitySecretName(name))) continue;
        peers.push({
          name,
          mspId: ca.spec.mspId,
          admin: admin.identity,
          endpoint: {
            address: `${serviceHost(name, this.namespace, this.config)}:${String(PORTS.peer)}`,
            tlsRootCert: admin.material.tlsCaCert,
          },
        });
      }
    }
    return peers;
  }

  private channelMembers(channel: FabricChannel): { set: FabricPeerSet; ca: FabricCA }[] {
    return (this.resources('FabricPeerSet') as FabricPeerSet[])
      .filter((set) => selects(channel.spec.peerSelector, set.metadata.labels))
      .flatMap((set) => {
        const ca = this.find<FabricCA>('FabricCA', set.spec.ca);
        return ca ? [{ set, ca }] : [];
      });
  }

  private async reconcileChannel(channel: FabricChannel): Promise<Verdict> {
    const ordererSet = this.find<FabricOrdererSet>('FabricOrdererSet', channel.spec.ordererSet);
    if (!ordererSet)
      return degraded(
        'OrdererSetNotFound',
        `spec.ordererSet ${channel.spec.ordererSet} names no FabricOrdererSet`,
      );
    const members = this.channelMembers(channel);
    if (members.length === 0)
      return degraded('NoPeers', 'spec.peerSelector selects no FabricPeerSet with a FabricCA');
    const organizations = [...new Set(members.map((member) => member.ca.spec.mspId))];
    const wantedPeers = members.reduce((sum, member) => sum + member.set.spec.replicas, 0);
    const fields = { organizations };
    const ordererCa = this.find<FabricCA>('FabricCA', ordererSet.spec.ca);
    if (!isReady(ordererSet) || !ordererCa) {
      return progressing(
        'WaitingForOrderers',
        `waiting for FabricOrdererSet ${ordererSet.metadata.name} to be ready`,
        fields,
      );
    }
    const peers = await this.adminPeers(members);
    const missingOrgs = organizations.filter((mspId) => !peers.some((peer) => peer.mspId === mspId));
    if (missingOrgs.length > 0 || !this.config.FABRIC_ADMIN)
      return progressing(
        'WaitingForPeers',
        `waiting for a ready peer of ${missingOrgs.join(', ') || 'each org'}`,
        fields,
      );
    const ordererAdmin = await this.orgAdmin(ordererCa);
    if (!ordererAdmin?.material.tls)
      return progressing(
        'WaitingForIdentities',
        `waiting for the ${ordererCa.spec.org} admin to be enrolled`,
        fields,
      );
    const block = await this.channelBlock(channel, ordererSet, ordererCa, members);
    const orderers: AdminOrderer[] = Array.from({ length: ordererSet.spec.replicas }, (_, ordinal) => ({
      name: nodeName(ordererSet, ordinal),
      endpoint: {
        address: `${serviceHost(nodeName(ordererSet, ordinal), this.namespace, this.config)}:${String(PORTS.ordererAdmin)}`,
        tlsRootCert: ordererAdmin.material.tlsCaCert,
        clientCert: ordererAdmin.material.tls?.certificate ?? '',
        clientKey: ordererAdmin.material.tls?.privateKeyPem ?? '',
      },
    }));
    const log = (line: string) => {
      this.log(`channel ${channel.metadata.name}: ${line}`);
    };
    await joinOrderers(channel.metadata.name, block, orderers, log);
    const joined = await joinPeers(channel.metadata.name, block, peers, log);
    if (joined.length > 0)
      await this.event(
        toObject(channel),
        'Normal',
        'Joined',
        `${joined.join(', ')} joined ${channel.metadata.name}`,
      );
    const heights = await channelHeights(channel.metadata.name, peers);
    const status = {
      ...fields,
      orderers: orderers.map((orderer) => orderer.name),
      peers: peers.map((peer) => peer.name).sort(),
      // The lowest peer: one still catching up shows here.
      height: Math.min(...Object.values(heights)),
    };
    if (peers.length < wantedPeers)
      return progressing(
        'WaitingForPeers',
        `${String(peers.length)}/${String(wantedPeers)} peers joined`,
        status,
      );
    // Looked at again every minute, so the Height column stays current.
    return ready(
      'Joined',
      `${String(orderers.length)} orderers and ${String(peers.length)} peers on the channel`,
      status,
      60_000,
    );
  }

  // ---- FabricChaincode -----------------------------------------------------------------------

  /**
   * The chaincode server's TLS material (its own root, server and peer-client certificates),
   * made once into Secret <name>-ccaas-tls; the root and client pair go into connection.json.
   */
  private async chaincodeTls(
    chaincode: FabricChaincode,
  ): Promise<{ rootCert: string; clientCert: string; clientKey: string }> {
    const data = await this.secretOnce(chaincode, chaincodeTlsSecretName(chaincode), () => {
      const service = chaincodeServiceName(chaincode);
      const material = createChaincodeTls(service, {
        dns: serviceNames(service, this.namespace, this.config),
        ips: [],
      });
      return {
        'ca.pem': material.root.certificate,
        'server.crt': material.server.certificate,
        'server.key': material.server.privateKeyPem,
        'client.crt': material.client.certificate,
        'client.key': material.client.privateKeyPem,
      };
    });
    return {
      rootCert: data['ca.pem'] ?? '',
      clientCert: data['client.crt'] ?? '',
      clientKey: data['client.key'] ?? '',
    };
  }

  private async reconcileChaincode(chaincode: FabricChaincode): Promise<Verdict> {
    const channel = this.find<FabricChannel>('FabricChannel', chaincode.spec.channel);
    if (!channel)
      return degraded('ChannelNotFound', `spec.channel ${chaincode.spec.channel} names no FabricChannel`);
    const address = chaincodeAddress(chaincode, this.config);
    const label = `${chaincode.metadata.name}_${chaincode.spec.version}`;
    const tls = await this.chaincodeTls(chaincode);
    const { bytes, packageId } = ccaasPackage(label, { address, tls });
    const issuers = (this.resources('FabricCA') as FabricCA[])
      .filter((ca) => ca.spec.identities.some((identity) => identity.walletRole === 'issuer'))
      .map((ca) => ca.spec.mspId);
    await this.applyAll(chaincodeObjects(chaincode, packageId, issuers, this.config));
    const fields = { packageId, address };
    if (!this.available(`${chaincode.metadata.name}-ccaas`))
      return progressing(
        'WaitingForPods',
        `chaincode server not available yet (package ${packageId})`,
        fields,
      );
    const joined = new Set(channel.status?.peers ?? []);
    const peers = (await this.adminPeers(this.channelMembers(channel))).filter((peer) =>
      joined.has(peer.name),
    );
    if (peers.length === 0 || !this.config.FABRIC_ADMIN)
      return progressing(
        'WaitingForChannel',
        `waiting for peers on FabricChannel ${channel.metadata.name}`,
        fields,
      );
    const log = (line: string) => {
      this.log(`chaincode ${chaincode.metadata.name}: ${line}`);
    };
    await installPackage(peers, bytes, packageId, log);
    const orgs = [...new Map(peers.map((peer) => [peer.mspId, peer])).values()].map((peer) => ({
      peer,
      packageId,
    }));
    const result = await commitDefinition(
      {
        ...definitionOf(chaincode),
        orgs,
      },
      log,
    );
    if (result.committedNow)
      await this.event(
        toObject(chaincode),
        'Normal',
        'Committed',
        `${chaincode.metadata.name} ${chaincode.spec.version} committed at sequence ${String(result.sequence)}`,
      );
    const status = {
      ...fields,
      sequence: result.sequence,
      approvedBy: result.approvedBy,
      committed: true,
      installedOn: peers.map((peer) => peer.name).sort(),
    };
    const wanted = this.channelMembers(channel).reduce((sum, member) => sum + member.set.spec.replicas, 0);
    if (peers.length < wanted)
      return progressing(
        'Installing',
        `committed; installed on ${String(peers.length)}/${String(wanted)} peers`,
        status,
      );
    return ready(
      'Committed',
      `sequence ${String(result.sequence)} committed; installed on every peer`,
      status,
    );
  }
}

/** JSON with object keys sorted, for comparing values regardless of key order. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    item !== null && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : item,
  );
}

function isReady(resource: FabricResource): boolean {
  return resource.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

const ready = (
  reason: string,
  message: string,
  fields: Record<string, unknown> = {},
  after?: number,
): Verdict => ({ state: 'Ready', reason, message, fields, ...(after === undefined ? {} : { after }) });
const progressing = (
  reason: string,
  message: string,
  fields: Record<string, unknown> = {},
  after?: number,
): Verdict => ({ state: 'Progressing', reason, message, fields, ...(after === undefined ? {} : { after }) });
const degraded = (reason: string, message: string, fields: Record<string, unknown> = {}): Verdict => ({
  state: 'Degraded',
  reason,
  message,
  fields,
});

/** The resource as the schema reads it: server-populated metadata fields are not its concern. */
function withoutServerFields(object: KubeObject): unknown {
  const {
    managedFields: _m,
    ownerReferences: _o,
    ...metadata
  } = object.metadata as KubeObject['metadata'] & {
    managedFields?: unknown;
  };
  return { ...object, metadata };
}

function toObject(resource: FabricResource): KubeObject {
  return resource as unknown as KubeObject;
}

function decode(data: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
  );
}

export function errorMessage(error: unknown): string {
  if (error instanceof KubeError) return error.message;
  return error instanceof Error ? error.message : String(error);
}
