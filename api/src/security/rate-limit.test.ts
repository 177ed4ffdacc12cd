import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { onError } from '../middleware/problem.js';
import type { AppEnv } from '../types.js';
import { clientAddress, clientKey, rateLimit, RateLimiter } from './rate-limit.js';

const policy = { name: 'test', quota: 10, windowSeconds: 60, counts: 'tests' };

describe('RateLimiter (token bucket per client)', () => {
  it('lets a burst of the quota through, then one per window/quota, per client', () => {
    let now = 0;
    const limiter = new RateLimiter(policy, 100, () => now);

    const burst = Array.from({ length: 30 }, () => limiter.take('a'));

    expect(burst.filter((d) => d.allowed)).toHaveLength(10);
    expect(burst[10]).toEqual({ allowed: false, remaining: 0, resetSeconds: 60, retryAfterSeconds: 6 });
    expect(limiter.take('b').allowed).toBe(true);
    now = 5_999;
    expect(limiter.take('a').allowed).toBe(false);
    now = 6_000;
    expect(limiter.take('a')).toMatchObject({ allowed: true, remaining: 0 });
    now = 600_000;
    expect(limiter.take('a')).toMatchObject({ allowed: true, remaining: 9, resetSeconds: 6 });
  });

  it('gives a refunded token back, never above the quota', () => {
    const limiter = new RateLimiter(policy, 100, () => 0);
    for (let i = 0; i < 10; i++) {
      limiter.take('a');
      limiter.refund('a');
    }
    limiter.refund('a');

    expect(limiter.take('a').remaining).toBe(9);
  });

  it('forgets the least recently seen client beyond maxClients', () => {
    const limiter = new RateLimiter(policy, 3, () => 0);
    for (const client of ['a', 'b', 'c']) for (let i = 0; i < 10; i++) limiter.take(client);
    limiter.take('a');
    limiter.take('d');

    expect(limiter.size).toBe(3);
    expect(limiter.take('a').allowed).toBe(false);
    expect(limiter.take('b').allowed).toBe(true);
  });

  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['2001:db8:aa:bb:1:2:3:4', '2001:db8:aa:bb::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['2001:0db8:0000:00bb::9', '2001:db8:0:bb::/64'],
  ])('counts %s as client %s', (address, key) => {
    expect(clientKey(address)).toBe(key);
  });
});

describe('rateLimit middleware', () => {
  const app = (hops: number, limiter = new RateLimiter(policy)) => {
    const hono = new Hono<AppEnv>();
    hono.use('*', async (c, next) => {
      c.set('requestId', 'r');
      await next();
    });
    hono.use(
      '/limited',
      rateLimit(
        limiter,
        (c) => clientAddress(c, hops),
        (status) => status === 201,
      ),
    );
    hono.post('/limited', (c) =>
      c.json({ who: clientAddress(c, hops) ?? null }, c.req.query('ok') ? 201 : 401),
    );
    hono.onError(onError);
    return hono;
  };
  const from = (address: string | undefined) =>
    address === undefined ? undefined : { incoming: { socket: { remoteAddress: address } } };

  it('answers 429 with Retry-After and the RateLimit fields once the quota is used', async () => {
    const server = app(0);
    const answers = await Promise.all(
      Array.from(
        { length: 25 },
        async () => await server.request('/limited', { method: 'POST' }, from('198.51.100.1')),
      ),
    );

    expect(answers.map((a) => a.status).sort()).toEqual([
      ...Array.from({ length: 10 }, () => 401),
      ...Array.from({ length: 15 }, () => 429),
    ]);
    const refused = answers.find((a) => a.status === 429);
    expect(refused?.headers.get('retry-after')).toBe('6');
    expect(refused?.headers.get('ratelimit-policy')).toBe('"test";q=10;w=60');
    expect(refused?.headers.get('ratelimit')).toBe('"test";r=0;t=60');
    expect(refused?.headers.get('content-type')).toBe('application/problem+json');
    expect(((await refused?.json()) as { detail: string }).detail).toBe(
      'too many tests from this client (10 per 60 s); retry after 6 s',
    );
  });

  it('does not count requests that succeed, nor requests without a socket', async () => {
    const server = app(0);
    for (let i = 0; i < 20; i++)
      expect((await server.request('/limited?ok=1', { method: 'POST' }, from('198.51.100.2'))).status).toBe(
        201,
      );
    for (let i = 0; i < 20; i++)
      expect((await server.request('/limited', { method: 'POST' })).status).toBe(401);
  });

  it('trusts X-Forwarded-For only as far as the configured proxy hops', async () => {
    const spoofed = { 'x-forwarded-for': '1.1.1.1, 192.0.2.50' };
    const direct = await (
      await app(0).request('/limited', { method: 'POST', headers: spoofed }, from('10.0.0.1'))
    ).json();
    const oneHop = await (
      await app(1).request('/limited', { method: 'POST', headers: spoofed }, from('10.0.0.1'))
    ).json();
    const twoHops = await (
      await app(2).request('/limited', { method: 'POST', headers: spoofed }, from('10.0.0.1'))
    ).json();
    const missing = await (await app(1).request('/limited', { method: 'POST' }, from('10.0.0.1'))).json();

    expect([direct, oneHop, twoHops, missing]).toEqual([
      { who: '10.0.0.1' },
      { who: '192.0.2.50' },
      { who: '1.1.1.1' },
      { who: '10.0.0.1' },
    ]);
  });
});
