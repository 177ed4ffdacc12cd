import {
  ListWatch,
  Watch,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
} from '@kubernetes/client-node';
import type { KubeClient, KubeObject } from './client.js';

export interface InformerOptions {
  /** Collection path, e.g. /apis/apps/v1/namespaces/ns/deployments. */
  readonly path: string;
  readonly labelSelector?: string;
  /** Every object is handed to `onChange` again this often (missed events heal). */
  readonly resyncMs: number;
  readonly onChange: (object: KubeObject, type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'RESYNC') => void;
  /** A list or watch failed; it is retried after `retryInMs`. */
  readonly onWatchError?: (error: unknown, retryInMs: number) => void;
}

const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 30_000;

/**
 * List-then-watch cache of one kind on client-node's ListWatch, which lists, watches from
 * the list's resourceVersion, relists after 410 Gone, keeps the cache and tells add, update
 * and delete (a relist reports the differences). What ListWatch leaves to its user is here:
 * it stops for good when a list or a watch fails (its 'error' callback), so we start it
 * again, from the last resourceVersion, with backoff (0.5 s doubling to 30 s); its start()
 * resolves even after a failed list, so ours waits for a filled cache (`hasSynced`); and a
 * periodic resync. Handlers only get told (they enqueue keys); reconcilers read the cache.
 */
export class Informer {
  private readonly abort = new AbortController();
  private readonly watchList: ListWatch<KubernetesObject>;
  private synced = false;
  private retryMs = FIRST_RETRY_MS;
  /** Start attempts so far, and the last one a failure was reported in. */
  private attempts = 0;
  private failedAttempt = 0;
  private connecting = false;
  private running: Promise<void> | undefined;
  private resync: NodeJS.Timeout | undefined;

  constructor(
    client: KubeClient,
    private readonly options: InformerOptions,
  ) {
    const { path, labelSelector } = options;
    const list = async () => {
      const listed = await client.list(path, labelSelector);
      return listed as unknown as KubernetesListObject<KubernetesObject>;
    };
    this.watchList = new ListWatch(
      path,
      new StoppableWatch(client.config, this.abort.signal),
      list,
      false,
      labelSelector,
      undefined,
      { delayFn: (ms) => delayUnlessStopped(ms, this.abort.signal) },
    );
    const tell = (type: 'ADDED' | 'MODIFIED' | 'DELETED') => (object: KubernetesObject) => {
      // Objects come as the server's JSON (our list, ListWatch's watch events).
      options.onChange(object as unknown as KubeObject, type);
    };
    this.watchList.on('add', tell('ADDED'));
    this.watchList.on('update', tell('MODIFIED'));
    this.watchList.on('delete', tell('DELETED'));
    this.watchList.on('error', (error: unknown) => {
      this.failed(error);
    });
  }

  /** A method, not a property read, so the compiler does not narrow it across awaits. */
  private isStopped(): boolean {
    return this.abort.signal.aborted;
  }

  get hasSynced(): boolean {
    return this.synced;
  }

  list(): KubeObject[] {
    return this.watchList.list() as unknown as KubeObject[];
  }

  get(namespace: string, name: string): KubeObject | undefined {
    return this.watchList.get(name, namespace) as KubeObject | undefined;
  }

  /** Resolves once the first list filled the cache and the watch is open; keeps watching until stop(). */
  async start(): Promise<void> {
    this.running = this.connect(false);
    await this.running;
    if (this.isStopped()) return;
    this.synced = true;
    this.resync = setInterval(() => {
      for (const object of this.list()) this.options.onChange(object, 'RESYNC');
    }, this.options.resyncMs);
    this.resync.unref();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    if (this.resync) clearInterval(this.resync);
    await this.watchList.stop();
    await this.running;
  }

  private failed(error: unknown): void {
    // stop() aborts the watch: that is no failure.
    if (this.isStopped()) return;
    this.failedAttempt = this.attempts;
    this.options.onWatchError?.(error, this.retryMs);
    // During connect() its loop retries; after it, a broken watch starts a new one.
    if (!this.connecting) this.running = this.connect(true);
  }

  /** Starts ListWatch until one attempt lists (if it must) and opens the watch without a failure. */
  private async connect(waitFirst: boolean): Promise<void> {
    this.connecting = true;
    try {
      if (waitFirst) await this.backOff();
      while (!this.isStopped()) {
        const attempt = ++this.attempts;
        await this.watchList.start();
        if (this.failedAttempt < attempt) {
          this.retryMs = FIRST_RETRY_MS;
          return;
        }
        await this.backOff();
      }
    } finally {
      // Cleared in the same step as the verdict above: a failure after it starts a new loop.
      this.connecting = false;
    }
  }

  private async backOff(): Promise<void> {
    await sleep(this.retryMs, this.abort.signal);
    this.retryMs = Math.min(MAX_RETRY_MS, this.retryMs * 2);
  }
}

/**
 * client-node's Watch, ended by our stop() too: ListWatch.stop() only aborts a watch that is
 * already open, so one being opened (or reopened after a server timeout) at that moment
 * would otherwise stream on.
 */
class StoppableWatch extends Watch {
  constructor(
    config: KubeConfig,
    private readonly stopped: AbortSignal,
  ) {
    super(config);
  }

  override async watch(...args: Parameters<Watch['watch']>): Promise<AbortController> {
    const [path, query, callback, done] = args;
    const opened: { controller?: AbortController } = {};
    const abort = () => opened.controller?.abort();
    this.stopped.addEventListener('abort', abort, { once: true });
    const controller = await super.watch(path, query, callback, (error: unknown) => {
      this.stopped.removeEventListener('abort', abort);
      done(error);
    });
    opened.controller = controller;
    if (this.stopped.aborted) controller.abort();
    return controller;
  }
}

/**
 * ListWatch's pause before it reopens a watch that ended without error. After stop() it
 * never resolves, so ListWatch does not open another watch (the pending chain is dropped).
 */
function delayUnlessStopped(ms: number, stopped: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (stopped.aborted) return;
    const timer = setTimeout(() => {
      stopped.removeEventListener('abort', cancel);
      resolve();
    }, ms);
    const cancel = () => {
      clearTimeout(timer);
    };
    stopped.addEventListener('abort', cancel, { once: true });
  });
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
