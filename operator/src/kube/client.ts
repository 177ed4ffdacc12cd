import {
  CoordinationV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { bounded, clientConfiguration, KubeError, WireObjectApi } from './transport.js';

export { KubeError, KubeTimeoutError } from './transport.js';

/**
 * The kubeconfig file's current context, or the pod's service account when no file is
 * given (client-node re-reads the rotated token file as it ages).
 */
export function loadKubeConfig(kubeconfigPath?: string): KubeConfig {
  const config = new KubeConfig();
  if (kubeconfigPath) config.loadFromFile(kubeconfigPath);
  else if (process.env.KUBERNETES_SERVICE_HOST) config.loadFromCluster();
  else throw new Error('not running in a cluster (KUBERNETES_SERVICE_HOST is unset) and no kubeconfig given');
  if (!config.getCurrentCluster())
    throw new Error(
      `kubeconfig ${kubeconfigPath ?? ''}: current-context ${config.getCurrentContext()} names no cluster`,
    );
  return config;
}

/** An object as the API server sends it (JSON; timestamps are strings). */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: OwnerReference[];
    deletionTimestamp?: string;
    finalizers?: string[];
    creationTimestamp?: string;
  };
  [key: string]: unknown;
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** Which object: a header like `{ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace } }`. */
export type ObjectRef = Pick<KubeObject, 'apiVersion' | 'kind'> & {
  metadata: { name: string; namespace?: string };
};

/** Which collection: a kind, in one namespace or in all. */
export interface CollectionRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
}

/** Plural resource names of the built-in kinds the operator uses. */
const BUILTIN: Readonly<Record<string, string>> = {
  Secret: 'secrets',
  Service: 'services',
  ConfigMap: 'configmaps',
  PersistentVolumeClaim: 'persistentvolumeclaims',
  Event: 'events',
  Deployment: 'deployments',
  Lease: 'leases',
  Namespace: 'namespaces',
};

/** The collection path of a kind: /api/v1/namespaces/ns/secrets, /apis/apps/v1/... */
export function collectionPath(apiVersion: string, plural: string, namespace?: string): string {
  const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  return namespace ? `${base}/namespaces/${namespace}/${plural}` : `${base}/${plural}`;
}

const PATH =
  /^\/(?:api\/(?<core>[^/]+)|apis\/(?<group>[^/]+\/[^/]+))(?:\/namespaces\/(?<namespace>[^/]+))?\/(?<plural>[^/]+)(?:\/(?<name>[^/]+))?$/;

const describe = (ref: CollectionRef | ObjectRef) => {
  const namespace = 'metadata' in ref ? ref.metadata.namespace : ref.namespace;
  const name = 'metadata' in ref ? `/${ref.metadata.name}` : '';
  return `${ref.kind} ${namespace ?? '(all namespaces)'}${name}`;
};

/** Options of a KubeClient. */
export interface KubeClientOptions {
  /** Bound of a call whose caller gives none. Default 30 s. */
  readonly timeoutMs?: number;
}

/**
 * The operator's access to the API server, on @kubernetes/client-node: KubernetesObjectApi
 * for objects of any kind (discovery maps a kind to its resource), CustomObjectsApi for
 * the status subresource of our kinds, CoordinationV1Api for the leader Lease. What this
 * class adds: every call bounded in time, errors as KubeError with the server's message,
 * a missing object as `undefined`, and the paths the controller still speaks.
 */
export class KubeClient {
  readonly objects: WireObjectApi;
  readonly customObjects: CustomObjectsApi;
  readonly coordination: CoordinationV1Api;
  private readonly kinds: ReadonlyMap<string, string>;
  private readonly timeoutMs: number;
  private readonly closeTransport: () => Promise<void>;

  /** `plurals`: kind -> plural of the custom kinds (for paths and the status subresource). */
  constructor(
    readonly config: KubeConfig,
    private readonly plurals: Readonly<Record<string, string>> = {},
    options: KubeClientOptions = {},
  ) {
    const { configuration, close } = clientConfiguration(config);
    this.objects = new WireObjectApi(configuration);
    this.customObjects = new CustomObjectsApi(configuration);
    this.coordination = new CoordinationV1Api(configuration);
    this.closeTransport = close;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.kinds = new Map(Object.entries({ ...BUILTIN, ...plurals }).map(([kind, plural]) => [plural, kind]));
  }

  /** Runs client-node calls bounded by `timeoutMs` (default: the client's), errors as KubeError. */
  call<T>(what: string, call: () => Promise<T>, timeoutMs = this.timeoutMs): Promise<T> {
    return bounded(what, timeoutMs, call);
  }

  /** GET; undefined when the object does not exist. */
  async get<T extends KubeObject>(target: string | ObjectRef, timeoutMs?: number): Promise<T | undefined> {
    const ref = this.objectRef(target);
    try {
      return (await this.call(
        `get ${describe(ref)}`,
        () => this.objects.read(ref),
        timeoutMs,
      )) as unknown as T;
    } catch (error) {
      if (error instanceof KubeError && error.status === 404) return undefined;
      throw error;
    }
  }

  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the kind it lists
  async list<T extends KubeObject>(
    target: string | CollectionRef,
    labelSelector?: string,
  ): Promise<{ items: T[]; metadata: { resourceVersion: string } }> {
    const ref = typeof target === 'string' ? this.parse(target) : target;
    const list = await this.call(`list ${describe(ref)}`, () =>
      this.objects.list(
        ref.apiVersion,
        ref.kind,
        ref.namespace,
        undefined,
        undefined,
        undefined,
        undefined,
        labelSelector,
      ),
    );
    return list as unknown as { items: T[]; metadata: { resourceVersion: string } };
  }

  /**
   * Server-side apply of `object` (only the fields this manager owns are sent), forced: a
   * controller takes ownership of fields another manager set on its children. The status
   * subresource is for our custom kinds (the CRDs enable it).
   */
  async apply<T extends KubeObject>(
    object: KubeObject,
    fieldManager: string,
    options: { subresource?: 'status'; dryRun?: boolean } = {},
  ): Promise<T> {
    const dryRun = options.dryRun ? 'All' : undefined;
    if (!options.subresource) {
      const applied = await this.call(`apply ${describe(object)}`, () =>
        this.objects.patch(
          wire(object),
          undefined,
          dryRun,
          fieldManager,
          true,
          PatchStrategy.ServerSideApply,
        ),
      );
      return applied as unknown as T;
    }
    const plural = this.plurals[object.kind];
    const [group, version] = object.apiVersion.split('/');
    if (!plural || !group || !version) throw new Error(`no status subresource known for kind ${object.kind}`);
    const applied: unknown = await this.call(`apply status of ${describe(object)}`, () =>
      this.customObjects.patchNamespacedCustomObjectStatus(
        {
          group,
          version,
          plural,
          namespace: object.metadata.namespace ?? '',
          name: object.metadata.name,
          body: object,
          fieldManager,
          force: true,
          ...(dryRun ? { dryRun } : {}),
        },
        setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
      ),
    );
    return applied as T;
  }

  /** Creates `object`; false when it already exists (nothing is changed then). */
  async createIfMissing(object: KubeObject, fieldManager: string): Promise<boolean> {
    try {
      await this.call(`create ${describe(object)}`, () =>
        this.objects.create(wire(object), undefined, undefined, fieldManager),
      );
      return true;
    } catch (error) {
      if (error instanceof KubeError && error.status === 409) return false;
      throw error;
    }
  }

  /** DELETE; true when something was deleted. Children go in the background (garbage collector). */
  async delete(
    target: string | ObjectRef,
    propagationPolicy: 'Background' | 'Foreground' | 'Orphan' = 'Background',
  ): Promise<boolean> {
    const ref = this.objectRef(target);
    try {
      await this.call(`delete ${describe(ref)}`, () =>
        this.objects.delete(wire(ref), undefined, undefined, undefined, undefined, propagationPolicy),
      );
      return true;
    } catch (error) {
      if (error instanceof KubeError && error.status === 404) return false;
      throw error;
    }
  }

  /**
   * Path-addressed writes, for callers that build paths: POST creates `body` in the
   * collection `path`; PUT replaces the object at `path` with `body` (its resourceVersion
   * makes a concurrent change fail with 409).
   */
  async request<T>(method: 'POST' | 'PUT', path: string, body: KubeObject, timeoutMs?: number): Promise<T> {
    const collection = collectionPath(body.apiVersion, this.pluralOf(body.kind), body.metadata.namespace);
    const expected = method === 'POST' ? collection : `${collection}/${body.metadata.name}`;
    if (path !== expected) throw new Error(`${method} ${path}: the body belongs at ${expected}`);
    const written = await this.call(
      `${method} ${path}`,
      () => (method === 'POST' ? this.objects.create(wire(body)) : this.objects.replace(wire(body))),
      timeoutMs,
    );
    return written as T;
  }

  /** Ends the pooled connections. */
  async close(): Promise<void> {
    await this.closeTransport();
  }

  private pluralOf(kind: string): string {
    const plural = this.plurals[kind] ?? BUILTIN[kind];
    if (!plural) throw new Error(`no plural known for kind ${kind}`);
    return plural;
  }

  /** /api/v1/namespaces/ns/secrets/name -> { apiVersion: 'v1', kind: 'Secret', namespace, name }. */
  private parse(path: string): CollectionRef & { name?: string } {
    const groups = PATH.exec(path)?.groups;
    const apiVersion = groups?.core ?? groups?.group;
    const kind = groups?.plural && this.kinds.get(groups.plural);
    if (!groups || !apiVersion || !kind)
      throw new Error(`not an object or collection path of a known kind: ${path}`);
    return {
      apiVersion,
      kind,
      ...(groups.namespace ? { namespace: groups.namespace } : {}),
      ...(groups.name ? { name: groups.name } : {}),
    };
  }

  private objectRef(target: string | ObjectRef): ObjectRef {
    if (typeof target !== 'string') return target;
    const { apiVersion, kind, namespace, name } = this.parse(target);
    if (!name) throw new Error(`not an object path: ${target}`);
    return { apiVersion, kind, metadata: { name, ...(namespace ? { namespace } : {}) } };
  }
}

/**
 * Our object as client-node's parameter type (seen as its header, it is one; only the
 * timestamps' types differ). client-node writes built-in kinds through its models (fields
 * its API version does not know are not sent) and custom kinds as they are.
 */
function wire(object: ObjectRef): KubernetesObject {
  return object;
}
