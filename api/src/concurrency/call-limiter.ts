import { ApiError } from '../errors.js';

/**
 * At most `maxInFlight` calls at once; further callers wait in arrival order, and beyond
 * `maxWaiting` waiters a caller gets 503 with Retry-After at once (bounded memory, and an
 * answer a client can act on instead of a timeout).
 */
export class CallLimiter {
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly maxInFlight: number,
    private readonly maxWaiting: number,
    /** What waits, for the 503's detail: "ledger requests", "payments". */
    private readonly what = 'ledger requests',
  ) {}

  /** Waits for a place; returns the function that gives it back (calling it twice is harmless). */
  async acquire(): Promise<() => void> {
    if (this.inFlight >= this.maxInFlight) {
      if (this.waiting.length >= this.maxWaiting)
        throw new ApiError(
          503,
          'unavailable',
          'Service unavailable',
          `too many ${this.what} are waiting; try again shortly`,
          { retryAfterSeconds: 2 },
        );
      // The place is handed over by the release below, so inFlight stays counted.
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.inFlight++;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.inFlight--;
    };
  }

  snapshot(): { inFlight: number; waiting: number } {
    return { inFlight: this.inFlight, waiting: this.waiting.length };
  }
}
