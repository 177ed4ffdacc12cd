import { describe, expect, it, vi } from 'vitest';
import { WorkQueue, type Outcome } from './queue.js';

const done: Outcome = { kind: 'done' };
const fast = { concurrency: 4, baseDelayMs: 10, maxDelayMs: 80, ratePerSecond: 1000, burst: 100 };

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('WorkQueue', () => {
  it('runs a key added many times before it starts once', async () => {
    const runs: string[] = [];
    const gate = deferred();
    const queue = new WorkQueue(
      async (key) => {
        runs.push(key);
        if (key === 'busy') await gate.promise;
        return done;
      },
      { ...fast, concurrency: 1 },
    );

    queue.add('busy');
    for (let i = 0; i < 5; i++) queue.add('a');
    queue.add('b');
    gate.resolve();
    await queue.idle();

    expect(runs).toEqual(['busy', 'a', 'b']);
  });

  it('never runs one key twice at once, and runs it again when it was added while running', async () => {
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    const gate = deferred();
    const queue = new WorkQueue(async () => {
      active++;
      runs++;
      maxActive = Math.max(maxActive, active);
      if (runs === 1) await gate.promise;
      active--;
      return done;
    }, fast);

    queue.add('a');
    await new Promise((r) => setTimeout(r, 5));
    queue.add('a');
    queue.add('a');
    gate.resolve();
    await new Promise((r) => setTimeout(r, 20));
    await queue.idle();

    expect(maxActive).toBe(1);
    expect(runs).toBe(2);
  });

  it('retries a failing key with growing delays and forgets its failures after a success', async () => {
    const times: number[] = [];
    const errors: number[] = [];
    const queue = new WorkQueue(
      () => {
        times.push(Date.now());
        if (times.length <= 3) return Promise.reject(new Error('not yet'));
        return Promise.resolve(done);
      },
      fast,
      (_key, _error, retryIn) => errors.push(retryIn),
    );

    queue.add('a');
    for (let i = 0; i < 100 && times.length < 4; i++) await new Promise((r) => setTimeout(r, 10));

    expect(errors).toEqual([10, 20, 40]);
    expect(times).toHaveLength(4);
    expect(queue.failuresOf('a')).toBe(0);
  });

  it('keeps a failing key’s backoff when it is added again while running or waiting', async () => {
    // Fake timers: the gaps below are the queue's own delays, not how busy the machine is.
    vi.useFakeTimers();
    try {
      const times: number[] = [];
      const queue: WorkQueue = new WorkQueue(
        () => {
          times.push(Date.now());
          // The failure's own status write comes back as an event while the key runs.
          queue.add('a');
          return Promise.reject(new Error('still failing'));
        },
        { ...fast, baseDelayMs: 150, maxDelayMs: 150 },
      );

      queue.add('a');
      await vi.advanceTimersByTimeAsync(50);
      queue.add('a');
      await vi.advanceTimersByTimeAsync(400);
      queue.stop();

      // Runs at 0, 150, 300 and 450 ms at most: re-adding never cut a backoff short.
      expect(times.length).toBeGreaterThanOrEqual(3);
      expect(times.length).toBeLessThanOrEqual(4);
      for (let i = 1; i < times.length; i++)
        expect((times[i] ?? 0) - (times[i - 1] ?? 0)).toBeGreaterThanOrEqual(150);
    } finally {
      vi.useRealTimers();
    }
  });

  it('limits starts per second across keys', async () => {
    let clock = 0;
    const started: string[] = [];
    const queue = new WorkQueue(
      (key) => {
        started.push(key);
        return Promise.resolve(done);
      },
      { ...fast, ratePerSecond: 2, burst: 2, now: () => clock },
    );

    for (const key of ['a', 'b', 'c', 'd']) queue.add(key);
    await new Promise((r) => setTimeout(r, 5));

    expect(started).toEqual(['a', 'b']);
    clock += 1000;
    await new Promise((r) => setTimeout(r, 600));
    expect(started).toEqual(['a', 'b', 'c', 'd']);
    queue.stop();
  });

  it('looks again after the delay a reconcile asks for', async () => {
    let runs = 0;
    const queue = new WorkQueue(() => {
      runs++;
      return Promise.resolve(runs === 1 ? ({ kind: 'after', ms: 20 } as const) : done);
    }, fast);

    queue.add('a');
    await new Promise((r) => setTimeout(r, 5));
    expect(runs).toBe(1);
    await new Promise((r) => setTimeout(r, 60));
    expect(runs).toBe(2);
  });
});
