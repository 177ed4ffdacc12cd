/** What a reconcile asks of the queue when it returns. */
export type Outcome =
  /** Done; forget the key's failures. */
  | { readonly kind: 'done' }
  /** Waiting on something outside (a pod to become ready): look again after `ms`. */
  | { readonly kind: 'after'; readonly ms: number };

export interface WorkQueueOptions {
  /** Keys reconciled at once (different keys only; one key is never run twice at once). */
  readonly concurrency: number;
  /** First retry delay after a failure; doubles per consecutive failure of the key. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** Overall rate limit: at most this many starts per second across keys (token bucket). */
  readonly ratePerSecond: number;
  readonly burst: number;
  readonly now?: () => number;
}

export type Handler = (key: string) => Promise<Outcome>;

/**
 * A keyed, coalescing, rate-limited work queue, as Kubernetes controllers use: informers add
 * keys; a key added many times before it runs runs once; a key added while it runs runs once
 * more afterwards (never concurrently with itself); a failing key is retried with
 * per-key exponential backoff; and starts are limited by a token bucket overall.
 */
export class WorkQueue {
  private readonly ready: string[] = [];
  private readonly queued = new Set<string>();
  private readonly running = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private tokens: number;
  private lastRefill: number;
  private pumpTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];
  private readonly now: () => number;

  constructor(
    private readonly handler: Handler,
    private readonly options: WorkQueueOptions,
    private readonly onError: (key: string, error: unknown, retryInMs: number) => void = () => undefined,
  ) {
    this.now = options.now ?? Date.now;
    this.tokens = options.burst;
    this.lastRefill = this.now();
  }

  /** Keys waiting or running. */
  get depth(): number {
    return this.queued.size + this.running.size;
  }

  /** Consecutive failures of a key (0 after a success). */
  failuresOf(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  add(key: string): void {
    if (this.stopped) return;
    const timer = this.timers.get(key);
    // A key backing off after a failure keeps its delay: an event it caused itself (its own
    // status write) must not turn the backoff into a hot loop.
    if (timer && this.failuresOf(key) > 0) return;
    if (timer) {
      clearTimeout(timer);
      this.timers.delete(key);
    }
    if (this.running.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.ready.push(key);
    this.pump();
  }

  /** Adds `key` after `ms`, unless it is added sooner (the earlier one wins). */
  addAfter(key: string, ms: number): void {
    if (this.stopped || this.queued.has(key) || this.timers.has(key)) return;
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, ms);
    timer.unref();
    this.timers.set(key, timer);
  }

  /** Resolves once nothing is queued, running or scheduled before `withinMs`. */
  async idle(): Promise<void> {
    if (this.depth === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    if (this.pumpTimer) clearTimeout(this.pumpTimer);
    this.ready.length = 0;
    this.queued.clear();
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(
      this.options.burst,
      this.tokens + ((now - this.lastRefill) / 1000) * this.options.ratePerSecond,
    );
    this.lastRefill = now;
  }

  private pump(): void {
    if (this.stopped) return;
    while (this.running.size < this.options.concurrency && this.ready.length > 0) {
      this.refill();
      if (this.tokens < 1) {
        if (!this.pumpTimer) {
          const wait = Math.ceil(((1 - this.tokens) / this.options.ratePerSecond) * 1000);
          this.pumpTimer = setTimeout(() => {
            this.pumpTimer = undefined;
            this.pump();
          }, wait);
        }
        return;
      }
      const index = this.ready.findIndex((key) => !this.running.has(key));
      if (index < 0) return;
      const [key] = this.ready.splice(index, 1);
      if (key === undefined) return;
      this.tokens -= 1;
      this.queued.delete(key);
      this.running.add(key);
      void this.run(key);
    }
  }

  private async run(key: string): Promise<void> {
    let retryIn: number | undefined;
    try {
      const outcome = await this.handler(key);
      this.failures.delete(key);
      if (outcome.kind === 'after') retryIn = outcome.ms;
    } catch (error) {
      const count = (this.failures.get(key) ?? 0) + 1;
      this.failures.set(key, count);
      retryIn = Math.min(this.options.maxDelayMs, this.options.baseDelayMs * 2 ** (count - 1));
      this.onError(key, error, retryIn);
    } finally {
      this.running.delete(key);
    }
    const dirty = this.dirty.delete(key);
    if (this.failuresOf(key) > 0 && retryIn !== undefined) this.addAfter(key, retryIn);
    else if (dirty) this.add(key);
    else if (retryIn !== undefined) this.addAfter(key, retryIn);
    this.pump();
    if (this.depth === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }
}
