import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiHarness } from '../support/api-harness.js';

/**
 * Per-client quotas and the bounded password-hashing queue, from the outside: real HTTP to the
 * API (over the real network and outer DB), clients told apart by X-Forwarded-For behind one
 * trusted proxy hop, every limit raced with concurrent requests, round after round.
 */
describe('per-client rate limits and the password-hashing queue', () => {
  let api: ApiHarness;
  let base: string;
  let payer: string;
  let payee: string;
  let round = 0;
  /** A fresh client address (documentation range 198.18.0.0/15) for each use. */
  const client = () => `198.18.${String(Math.floor(round / 250))}.${String((round++ % 250) + 1)}`;

  const post = async (path: string, from: string, body: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': from, ...headers },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    await api.conform('POST', path, response.status, response.headers, text);
    return {
      status: response.status,
      retryAfter: response.headers.get('retry-after'),
      policy: response.headers.get('ratelimit-policy'),
      limit: response.headers.get('ratelimit'),
      body: JSON.parse(text) as Record<string, unknown>,
    };
  };
  const statuses = (answers: { status: number }[]) =>
    answers.reduce<Record<number, number>>((counts, { status }) => {
      counts[status] = (counts[status] ?? 0) + 1;
      return counts;
    }, {});

  beforeAll(async () => {
    api = await ApiHarness.start('rate-limits', undefined, {
      rateLimits: { enabled: true, trustedProxyHops: 1 },
      // 13 places: the 10 logins a client may fail at once fit; a flood of 60 does not.
      passwordHashing: { concurrency: 1, queue: 12 },
    });
    base = await api.listen();
    // In-process calls have no socket: they are never limited (the harness's own set-up).
    payer = await api.signUp('rl-payer');
    payee = await api.signUp('rl-payee');
    await api.recharge(payer, '1000');
  });

  afterAll(async () => {
    await api.stop();
  });

  it('lets 10 failed logins per client through, answers 429 to the rest, and not to other clients', async () => {
    for (let r = 0; r < 3; r++) {
      const flooder = client();
      const flood = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          post('/v1/sessions', flooder, {
            username: `nobody-${String(r)}-${String(i)}`,
            password: 'wrong-1',
          }),
        ),
      );
      const someoneElse = await post('/v1/sessions', client(), {
        username: 'rl-payee',
        password: 'login-password-1',
      });

      expect(statuses(flood)).toEqual({ 401: 10, 429: 20 });
      for (const refused of flood.filter((answer) => answer.status === 429)) {
        expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
        expect(refused.policy).toBe('"failed-logins";q=10;w=60');
        expect(refused.limit).toMatch(/^"failed-logins";r=0;t=\d+$/);
        expect(refused.body.type).toBe('https://fabric-wallet.io/problems/too-many-requests');
      }
      expect(someoneElse.status).toBe(201);
      // The flooder stays refused, even with a right password.
      expect(
        (await post('/v1/sessions', flooder, { username: 'rl-payee', password: 'login-password-1' })).status,
      ).toBe(429);
    }
  });

  it('gives a successful login its token back: a client logging in often is never limited', async () => {
    const office = client();
    const logins: { status: number }[] = [];
    // Five at a time, 30 in all: three times the quota, never more than it in flight.
    for (let batch = 0; batch < 6; batch++)
      logins.push(
        ...(await Promise.all(
          Array.from({ length: 5 }, () =>
            post('/v1/sessions', office, { username: 'rl-payer', password: 'login-password-1' }),
          ),
        )),
      );

    expect(statuses(logins)).toEqual({ 201: 30 });
  });

  it('counts registrations per client: 10 then 429', async () => {
    const from = client();
    const tag = randomBytes(3).toString('hex');
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        post('/v1/users', from, {
          username: `rl-${tag}-${String(i)}`,
          password: 'a quiet evening walk',
          paymentPassword: '739104',
        }),
      ),
    );

    expect(statuses(answers)).toEqual({ 201: 10, 429: 2 });
    expect(await api.db.collections.users.countDocuments({ username: { $regex: `^rl-${tag}-` } })).toBe(10);
  });

  it('limits wrong admin credentials and bad session tokens per client', async () => {
    const guesser = client();
    const admin = await Promise.all(
      Array.from({ length: 15 }, () =>
        post(
          '/v1/admin/accounts',
          guesser,
          {},
          { authorization: `Bearer ${randomBytes(24).toString('hex')}` },
        ),
      ),
    );
    const tokens = await Promise.all(
      Array.from({ length: 40 }, async () => {
        const response = await fetch(`${base}/v1/me`, {
          headers: {
            authorization: `Bearer ${randomBytes(32).toString('base64url')}`,
            'x-forwarded-for': guesser,
          },
        });
        return { status: response.status };
      }),
    );
    const honest = await fetch(`${base}/v1/me`, {
      headers: { authorization: `Bearer ${payer}`, 'x-forwarded-for': client() },
    });

    expect(statuses(admin)).toEqual({ 401: 10, 429: 5 });
    expect(statuses(tokens)).toEqual({ 401: 30, 429: 10 });
    expect(honest.status).toBe(200);
  });

  it('bounds password hashing: a flood beyond the queue gets 503 with Retry-After, payments go on', async () => {
    for (let r = 0; r < 2; r++) {
      const flood = Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          post('/v1/sessions', client(), {
            username: `flood-${String(r)}-${String(i)}`,
            password: 'wrong-pass',
          }),
        ),
      );
      const payment = post(
        '/v1/transfers',
        client(),
        { to: 'rl-payee', amount: '1', paymentPassword: 'pay-123456' },
        { authorization: `Bearer ${payer}`, 'idempotency-key': `rl-pay-${randomBytes(8).toString('hex')}` },
      );
      const answers = await flood;
      const paid = await payment;

      const counts = statuses(answers);
      expect(Object.keys(counts).sort()).toEqual(['401', '503']);
      expect(counts[503]).toBeGreaterThanOrEqual(10);
      for (const busy of answers.filter((answer) => answer.status === 503)) {
        expect(busy.retryAfter).toBe('2');
        expect(busy.body.detail).toBe('too many password checks are waiting; try again shortly');
      }
      expect(paid.status, JSON.stringify(paid.body)).toBe(201);
    }
    expect(await api.balance(payee)).toBe('2');
  });
});
