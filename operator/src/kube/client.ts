import { readFileSync } from 'node:fs';
import { Agent, request as httpsRequest, type RequestOptions } from 'node:https';
import { dirname, isAbsolute, join } from 'node:path';
import { parse } from 'yaml';

/** Where the API server is and how to authenticate to it. */
export interface KubeAccess {
  readonly server: string;
  readonly ca?: string;
  readonly token?: string;
  readonly clientCert?: string;
  readonly clientKey?: string;
}

const SERVICE_ACCOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';

/** The in-cluster service account (token re-read on each request: it is rotated). */
export function inClusterAccess(): KubeAccess {
  const host = process.env.KUBERNETES_SERVICE_HOST;
  const port = process.env.KUBERNETES_SERVICE_PORT ?? '443';
  if (!host)
    throw new Error('not running in a cluster (KUBERNETES_SERVICE_HOST is unset) and no kubeconfig given');
  return {
    server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    ca: readFileSync(join(SERVICE_ACCOUNT, 'ca.crt'), 'utf8'),
    get token() {
      return readFileSync(join(SERVICE_ACCOUNT, 'token'), 'utf8').trim();
    },
  };
}

interface KubeconfigFile {
  'current-context'?: string;
  contexts?: { name: string; context: { cluster: string; user: string } }[];
  clusters?: {
    name: string;
    cluster: { server: string; 'certificate-authority'?: string; 'certificate-authority-data'?: string };
  }[];
  users?: {
    name: string;
    user: {
      token?: string;
      'client-certificate'?: string;
      'client-certificate-data'?: string;
      'client-key'?: string;
      'client-key-data'?: string;
    };
  }[];
}

/** Reads the current context of a kubeconfig file (token or client certificate users). */
export function kubeconfigAccess(path: string): KubeAccess {
  const config = parse(readFileSync(path, 'utf8')) as KubeconfigFile;
  const contextName = config['current-context'];
  const context = config.contexts?.find((c) => c.name === contextName)?.context;
  if (!context)
    throw new Error(`kubeconfig ${path}: current-context ${contextName ?? '(none)'} is not defined`);
  const cluster = config.clusters?.find((c) => c.name === context.cluster)?.cluster;
  const user = config.users?.find((u) => u.name === context.user)?.user ?? {};
  if (!cluster) throw new Error(`kubeconfig ${path}: cluster ${context.cluster} is not defined`);
  const file = (value: string) =>
    readFileSync(isAbsolute(value) ? value : join(dirname(path), value), 'utf8');
  const data = (value: string) => Buffer.from(value, 'base64').toString('utf8');
  const pick = (inline: string | undefined, fromFile: string | undefined) =>
    inline ? data(inline) : fromFile ? file(fromFile) : undefined;
  const ca = pick(cluster['certificate-authority-data'], cluster['certificate-authority']);
  const clientCert = pick(user['client-certificate-data'], user['client-certificate']);
  const clientKey = pick(user['client-key-data'], user['client-key']);
  return {
    server: cluster.server,
    ...(ca ? { ca } : {}),
    ...(user.token ? { token: user.token } : {}),
    ...(clientCert ? { clientCert } : {}),
    ...(clientKey ? { clientKey } : {}),
  };
}

/** A failed API call: the HTTP status and the server's Status reason and message. */
export class KubeError extends Error {
  override readonly name = 'KubeError';
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

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

export interface WatchEvent<T> {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  readonly object: T;
}

/** Plural resource names of the built-in kinds the operator writes. */
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

/**
 * A small Kubernetes API client: JSON requests, server-side apply, and watch streams, over
 * one keep-alive HTTPS agent. Enough for an operator that owns a handful of kinds, without
 * a generated client.
 */
export class KubeClient {
  private readonly agent: Agent;
  /** Watches hold their connection for minutes: their own agent, so they never starve requests. */
  private readonly watchAgent: Agent;
  private readonly url: URL;

  constructor(
    private readonly access: KubeAccess,
    private readonly plurals: Readonly<Record<string, string>> = {},
  ) {
    this.url = new URL(access.server);
    const tls = {
      ...(access.ca ? { ca: access.ca } : {}),
      ...(access.clientCert ? { cert: access.clientCert } : {}),
      ...(access.clientKey ? { key: access.clientKey } : {}),
    };
    this.agent = new Agent({ keepAlive: true, maxSockets: 32, ...tls });
    this.watchAgent = new Agent({ keepAlive: false, ...tls });
  }

  /** The path of one object (or its subresource). */
  path(object: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>, subresource?: string): string {
    const plural = this.plurals[object.kind] ?? BUILTIN[object.kind];
    if (!plural) throw new Error(`no plural known for kind ${object.kind}`);
    const collection = collectionPath(object.apiVersion, plural, object.metadata.namespace);
    return `${collection}/${object.metadata.name}${subresource ? `/${subresource}` : ''}`;
  }

  private options(
    method: string,
    path: string,
    headers: Record<string, string>,
    agent: Agent = this.agent,
  ): RequestOptions {
    const token = this.access.token;
    return {
      method,
      hostname: this.url.hostname.replace(/^\[|\]$/g, ''),
      port: this.url.port || 443,
      path,
      agent,
      headers: {
        Accept: 'application/json',
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
    };
  }

  /** One request; a non-2xx answer throws KubeError with the server's message. */
  async request<T>(
    method: string,
    path: string,
    body?: unknown,
    contentType = 'application/json',
    timeoutMs = 30_000,
  ): Promise<T> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise<T>((resolve, reject) => {
      const req = httpsRequest(
        this.options(
          method,
          path,
          payload === undefined
            ? {}
            : { 'Content-Type': contentType, 'Content-Length': String(Buffer.byteLength(payload)) },
        ),
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const status = res.statusCode ?? 0;
            let json: unknown;
            try {
              json = text ? JSON.parse(text) : {};
            } catch {
              json = { message: text.slice(0, 300) };
            }
            if (status >= 200 && status < 300) resolve(json as T);
            else {
              const error = json as { reason?: string; message?: string };
              reject(
                new KubeError(
                  status,
                  error.reason ?? 'Unknown',
                  `${method} ${path}: ${String(status)} ${error.message ?? text.slice(0, 300)}`,
                ),
              );
            }
          });
        },
      );
      // The whole exchange, including waiting for a pooled socket, is bounded.
      const timer = setTimeout(() => {
        req.destroy(new Error(`${method} ${path}: no answer in ${String(timeoutMs)} ms`));
      }, timeoutMs);
      req.on('close', () => {
        clearTimeout(timer);
      });
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** GET; undefined when the object does not exist. */

  async get<T extends KubeObject>(path: string, timeoutMs?: number): Promise<T | undefined> {
    try {
      return await this.request<T>('GET', path, undefined, undefined, timeoutMs);
    } catch (error) {
      if (error instanceof KubeError && error.status === 404) return undefined;
      throw error;
    }
  }

  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the kind it lists
  async list<T extends KubeObject>(
    path: string,
    labelSelector?: string,
  ): Promise<{ items: T[]; metadata: { resourceVersion: string } }> {
    const query = labelSelector ? `?labelSelector=${encodeURIComponent(labelSelector)}` : '';
    return this.request('GET', `${path}${query}`);
  }

  /**
   * Server-side apply of `object` (only the fields this manager owns are sent). `force`
   * takes ownership of fields another manager set, as controllers do for their children.
   */
  async apply<T extends KubeObject>(
    object: KubeObject,
    fieldManager: string,
    options: { subresource?: 'status'; dryRun?: boolean } = {},
  ): Promise<T> {
    const query = `?fieldManager=${encodeURIComponent(fieldManager)}&force=true${options.dryRun ? '&dryRun=All' : ''}`;
    return this.request<T>(
      'PATCH',
      `${this.path(object, options.subresource)}${query}`,
      object,
      'application/apply-patch+yaml',
    );
  }

  /** Creates `object`; false when it already exists (nothing is changed then). */
  async createIfMissing(object: KubeObject, fieldManager: string): Promise<boolean> {
    const collection = this.path(object).replace(/\/[^/]+$/, '');
    try {
      await this.request('POST', `${collection}?fieldManager=${encodeURIComponent(fieldManager)}`, object);
      return true;
    } catch (error) {
      if (error instanceof KubeError && error.status === 409) return false;
      throw error;
    }
  }

  /** DELETE; true when something was deleted. Children go in the background (garbage collector). */
  async delete(
    path: string,
    propagationPolicy: 'Background' | 'Foreground' | 'Orphan' = 'Background',
  ): Promise<boolean> {
    try {
      await this.request('DELETE', path, { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy });
      return true;
    } catch (error) {
      if (error instanceof KubeError && error.status === 404) return false;
      throw error;
    }
  }

  /**
   * Streams watch events from `resourceVersion` until the server closes the stream (its
   * timeout), `signal` aborts, or the connection fails (rejects). Bookmarks keep the
   * resourceVersion fresh so a reconnect resumes where it left off.
   */
  watch<T>(
    path: string,
    resourceVersion: string,
    onEvent: (event: WatchEvent<T>) => void,
    signal: AbortSignal,
    labelSelector?: string,
  ): Promise<void> {
    const serverTimeout = 240 + Math.floor(Math.random() * 120);
    const query = new URLSearchParams({
      watch: 'true',
      resourceVersion,
      allowWatchBookmarks: 'true',
      timeoutSeconds: String(serverTimeout),
      ...(labelSelector ? { labelSelector } : {}),
    });
    return new Promise<void>((resolve, reject) => {
      const req = httpsRequest(
        this.options('GET', `${path}?${query.toString()}`, {}, this.watchAgent),
        (res) => {
          if (res.statusCode !== 200) {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            const fail = () => {
              const text = Buffer.concat(chunks).toString('utf8').slice(0, 300);
              reject(
                new KubeError(
                  res.statusCode ?? 0,
                  'WatchFailed',
                  `watch ${path}: ${String(res.statusCode)} ${text}`,
                ),
              );
            };
            res.on('end', fail);
            // A body cut off mid-way fires neither 'end' nor 'error': 'close' settles it.
            res.on('close', fail);
            res.on('error', fail);
            return;
          }
          let buffered = '';
          let failed = false;
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            if (failed) return;
            buffered += chunk;
            let newline = buffered.indexOf('\n');
            while (newline >= 0) {
              const line = buffered.slice(0, newline).trim();
              buffered = buffered.slice(newline + 1);
              newline = buffered.indexOf('\n');
              if (!line) continue;
              try {
                onEvent(JSON.parse(line) as WatchEvent<T>);
              } catch (error) {
                // A handler's verdict (an ERROR event such as 410 Gone) or a garbled line
                // ends this watch; the caller decides how to resume. It never crashes.
                failed = true;
                reject(error instanceof Error ? error : new Error(String(error)));
                req.destroy();
                return;
              }
            }
          });
          res.on('end', () => {
            resolve();
          });
          res.on('error', reject);
        },
      );
      req.on('error', (error) => {
        if (signal.aborted) resolve();
        else reject(error);
      });
      const abort = () => req.destroy();
      signal.addEventListener('abort', abort, { once: true });
      // A connection that went silent (half-open) past the server's own timeout is given up.
      const timer = setTimeout(
        () => {
          req.destroy(new Error(`watch ${path}: silent past ${String(serverTimeout)} s`));
        },
        (serverTimeout + 30) * 1000,
      );
      req.on('close', () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', abort);
        // Whatever ended the connection, the caller hears of it (later calls are no-ops).
        if (signal.aborted) resolve();
        else reject(new Error(`watch ${path}: connection closed`));
      });
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
    this.watchAgent.destroy();
  }
}
