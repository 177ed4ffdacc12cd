import { KubeError, type KubeClient, type KubeObject, type WatchEvent } from './client.js';

export interface InformerOptions {
  /** Collection path, e.g. /apis/apps/v1/namespaces/ns/deployments. */
  readonly path: string;
  readonly labelSelector?: string;
  /** Every object is handed to `onChange` again this often (missed events heal). */
  readonly resyncMs: number;
  readonly onChange: (object: KubeObject, type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'RESYNC') => void;
  /** A watch broke; it reconnects after `retryInMs`. */
  readonly onWatchError?: (error: unknown, retryInMs: number) => void;
}

const key = (object: KubeObject) => `${object.metadata.namespace ?? ''}/${object.metadata.name}`;

/**
 * List-then-watch cache of one kind. Handlers only get told (they enqueue keys); the cache
 * is what reconcilers read. A watch that ends (server timeout) resumes from the last
 * resourceVersion; one that fails reconnects with backoff (1 s doubling to 30 s); a 410
 * Gone (history compacted) relists and reports the differences as events.
 */
export class Informer {
  private readonly cache = new Map<string, KubeObject>();
  private resourceVersion = '';
  private readonly abort = new AbortController();

  /** A method, not a property read, so the compiler does not narrow it across awaits. */
  private isStopped(): boolean {
    return this.abort.signal.aborted;
  }
  private synced = false;
  private running: Promise<void> | undefined;
  private resync: NodeJS.Timeout | undefined;

  constructor(
    private readonly client: KubeClient,
    private readonly options: InformerOptions,
  ) {}

  get hasSynced(): boolean {
    return this.synced;
  }

  list(): KubeObject[] {
    return [...this.cache.values()];
  }

  get(namespace: string, name: string): KubeObject | undefined {
    return this.cache.get(`${namespace}/${name}`);
  }

  /** Resolves after the first list; keeps watching in the background until stop(). */
  async start(): Promise<void> {
    // The first list retries too: right after a CRD is created the server answers 429
    // ("storage is (re)initializing") for a moment, and an API server may restart.
    for (let delay = 500; ; delay = Math.min(30_000, delay * 2)) {
      try {
        await this.relist();
        break;
      } catch (error) {
        if (this.isStopped()) return;
        this.options.onWatchError?.(error, delay);
        await sleep(delay, this.abort.signal);
      }
    }
    this.synced = true;
    this.running = this.loop();
    this.resync = setInterval(() => {
      for (const object of this.cache.values()) this.options.onChange(object, 'RESYNC');
    }, this.options.resyncMs);
    this.resync.unref();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    if (this.resync) clearInterval(this.resync);
    await this.running;
  }

  private async relist(): Promise<void> {
    const list = await this.client.list(this.options.path, this.options.labelSelector);
    const seen = new Set<string>();
    for (const item of list.items) {
      seen.add(key(item));
      const previous = this.cache.get(key(item));
      this.cache.set(key(item), item);
      if (previous?.metadata.resourceVersion !== item.metadata.resourceVersion)
        this.options.onChange(item, previous ? 'MODIFIED' : 'ADDED');
    }
    for (const [name, object] of this.cache) {
      if (!seen.has(name)) {
        this.cache.delete(name);
        this.options.onChange(object, 'DELETED');
      }
    }
    this.resourceVersion = list.metadata.resourceVersion;
  }

  private handle(event: WatchEvent<KubeObject>): void {
    const object = event.object;
    if (event.type === 'BOOKMARK') {
      this.resourceVersion = object.metadata.resourceVersion ?? this.resourceVersion;
      return;
    }
    if (event.type === 'ERROR') {
      const status = object as unknown as { code?: number; message?: string };
      throw new KubeError(status.code ?? 500, 'WatchError', status.message ?? 'watch error');
    }
    this.resourceVersion = object.metadata.resourceVersion ?? this.resourceVersion;
    if (event.type === 'DELETED') this.cache.delete(key(object));
    else this.cache.set(key(object), object);
    this.options.onChange(object, event.type);
  }

  private async loop(): Promise<void> {
    let delay = 1000;
    while (!this.isStopped()) {
      try {
        await this.client.watch<KubeObject>(
          this.options.path,
          this.resourceVersion,
          (event) => {
            this.handle(event);
          },
          this.abort.signal,
          this.options.labelSelector,
        );
        delay = 1000;
      } catch (error) {
        if (this.isStopped()) return;
        const gone = error instanceof KubeError && error.status === 410;
        this.options.onWatchError?.(error, gone ? 0 : delay);
        if (!gone) {
          await sleep(delay, this.abort.signal);
          delay = Math.min(30_000, delay * 2);
        }
        try {
          if (!this.isStopped()) await this.relist();
        } catch (relistError) {
          // Back off here too: after a 410 the watch would otherwise retry at once, forever.
          this.options.onWatchError?.(relistError, delay);
          await sleep(delay, this.abort.signal);
          delay = Math.min(30_000, delay * 2);
        }
      }
    }
  }
}

/** Waits `ms`, or less if `signal` aborts; leaves no listener behind either way. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const abort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', abort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', abort, { once: true });
  });
}
