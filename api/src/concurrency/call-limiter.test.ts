import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors.js';
import { CallLimiter } from './call-limiter.js';

describe('the gateway call limiter', () => {
  it('runs at most N at once, hands places over in arrival order, and refuses beyond the waiting bound', async () => {
    const limiter = new CallLimiter(2, 3);
    const first = await limiter.acquire();
    const second = await limiter.acquire();
    const order: number[] = [];
    const waiters = [1, 2, 3].map((n) =>
      limiter.acquire().then((release) => {
        order.push(n);
        return release;
      }),
    );
    await Promise.resolve();
    expect(limiter.snapshot()).toEqual({ inFlight: 2, waiting: 3 });

    const refused = await limiter.acquire().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).status).toBe(503);
    expect((refused as ApiError).extensions.retryAfterSeconds).toBe(2);

    first();
    first(); // a second call of the same release changes nothing
    const third = await waiters[0];
    expect(order).toEqual([1]);
    expect(limiter.snapshot()).toEqual({ inFlight: 2, waiting: 2 });
    second();
    third?.();
    const [, fourth, fifth] = await Promise.all(waiters);
    expect(order).toEqual([1, 2, 3]);
    fourth?.();
    fifth?.();
    expect(limiter.snapshot()).toEqual({ inFlight: 0, waiting: 0 });
  });
});
