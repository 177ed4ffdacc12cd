import { randomBytes } from 'node:crypto';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { parseResource, type Network } from '../api/v1alpha1/parse.js';
import { API_VERSION, KIND_NAMES, type FabricKind } from '../api/v1alpha1/schema.js';
import type { Condition, FabricResource } from '../api/v1alpha1/types.js';
import { dependents } from '../reconcile/names.js';
import { reconcile } from '../reconcile/reconciler.js';
import {
  degraded,
  isUnreachable,
  progressing,
  verdictConditions,
  type Notice,
  type Verdict,
} from '../reconcile/verdict.js';
import { collectionPath, KubeError, type KubeClient, type KubeObject } from './client.js';
import type { OperatorConfig } from './config.js';
import { Informer } from './informer.js';
import { FIELD_MANAGER, LABEL_OWNER, LABEL_OWNER_KIND } from './objects.js';
import { WorkQueue, type Outcome } from './queue.js';
import { KubeRuntime } from './runtime.js';

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

/** How soon a resource waiting on something unreachable, or still progressing, is looked at again. */
const UNREACHABLE_RETRY_MS = 2_000;
const PROGRESSING_RECHECK_MS = 3_000;

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
  private readonly runtime: KubeRuntime;

  constructor(
    private readonly client: KubeClient,
    private readonly config: OperatorConfig,
    private readonly metrics: ControllerMetrics,
    private readonly log: (line: string) => void,
  ) {
    this.runtime = new KubeRuntime(
      client,
      config,
      {
        network: () => this.network(),
        owned: (kind, name) => this.informers.get(kind)?.get(this.namespace, name),
        list: (kind) => this.informers.get(kind)?.list() ?? [],
      },
      log,
      (object: KubeObject, notice: Notice) => this.event(object, notice.type, notice.reason, notice.message),
    );
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

  /** A change to one resource may unblock others (names.ts dependents: CA -> sets -> channels -> chaincodes). */
  private enqueueWithDependents(kind: FabricKind, object: KubeObject): void {
    const namespace = object.metadata.namespace ?? this.namespace;
    this.add(keyOf(kind, namespace, object.metadata.name));
    for (const other of dependents(this.network(), kind, object.metadata.name))
      this.add(keyOf(other.kind, namespace, other.name));
  }

  /** Valid resources of a kind from the cache (an invalid one is skipped; its own reconcile reports it). */
  private resources(kind: FabricKind): FabricResource[] {
    const informer = this.informers.get(kind);
    return (informer?.list() ?? []).flatMap((object) => {
      const parsed = parseResource(withoutServerFields(object));
      return parsed.resource ? [parsed.resource] : [];
    });
  }

  /** The valid Fabric resources of the namespace, as the reconcilers read them. */
  private network(): Network {
    const namespaced = <T extends FabricResource>(kind: T['kind']) =>
      this.resources(kind).map(
        (resource) => ({ ...resource, metadata: { ...resource.metadata, namespace: this.namespace } }) as T,
      );
    return {
      cas: namespaced('FabricCA'),
      ordererSets: namespaced('FabricOrdererSet'),
      peerSets: namespaced('FabricPeerSet'),
      channels: namespaced('FabricChannel'),
      chaincodes: namespaced('FabricChaincode'),
    };
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
        verdict = (await reconcile(this.runtime, resource)).verdict;
      }
    } catch (error) {
      // Server-side apply drops the fields this manager leaves out: keep what status said.
      const {
        conditions: _conditions,
        observedGeneration: _generation,
        ...kept
      } = (object.status ?? {}) as Record<string, unknown>;
      if (!isUnreachable(error)) {
        this.metrics.reconciles.inc({ kind, result: 'error' });
        end();
        await this.writeStatus(object, degraded('ReconcileError', errorMessage(error), kept));
        throw error;
      }
      verdict = progressing(
        'Unreachable',
        `${errorMessage(error)} (trying again)`,
        kept,
        UNREACHABLE_RETRY_MS,
      );
    }
    await this.writeStatus(object, verdict);
    this.metrics.reconciles.inc({ kind, result: verdict.state.toLowerCase() });
    end();
    // A resource still progressing is looked at again soon even without a watch event: what it
    // waits for (a port answering behind a Service, gossip) does not always send one.
    const after = verdict.after ?? (verdict.state === 'Progressing' ? PROGRESSING_RECHECK_MS : undefined);
    return after === undefined ? { kind: 'done' } : { kind: 'after', ms: after };
  }

  /** Applies status only when it differs, and records an Event when the reason changes. */
  private async writeStatus(object: KubeObject, verdict: Verdict): Promise<void> {
    const current = (object.status ?? {}) as { conditions?: Condition[] } & Record<string, unknown>;
    const generation = object.metadata.generation ?? 1;
    const conditions = verdictConditions(current.conditions ?? [], generation, verdict);
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
}

/** JSON with object keys sorted, for comparing values regardless of key order. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    item !== null && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : item,
  );
}

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

export function errorMessage(error: unknown): string {
  if (error instanceof KubeError) return error.message;
  return error instanceof Error ? error.message : String(error);
}
