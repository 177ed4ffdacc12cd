import { Writable } from 'node:stream';
import { pino } from 'pino';
import { createLogger, purgeExpired, rebuildIndex } from '@fabric-wallet/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiHarness } from '../support/api-harness.js';

/**
 * The wallet API through HTTP (in-process), on the real local network and a real FerretDB:
 * accounts, recharge, balance, transfers with idempotency, bills, trace, the indexer, bad input.
 */
describe('the wallet API on the real network and FerretDB', () => {
  let api: ApiHarness;
  /** Every log line the API wrote during the suite, to check that no secret reaches a log. */
  const logLines: string[] = [];

  const call = (...args: Parameters<ApiHarness['call']>) => api.call(...args);
  const signUp = (username: string) => api.signUp(username);
  const recharge = (token: string, amount: string) => api.recharge(token, amount);

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(chunk.toString());
        done();
      },
    });
    api = await ApiHarness.start('wallet-api', pino({ level: 'debug' }, sink));
  });

  afterAll(async () => {
    await api.stop();
  });

  it('registers a customer with a Fabric identity and a first receive address, and logs in', async () => {
    const token = await signUp('alice');

    const me = await call('GET', '/v1/me', { token });

    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ username: 'alice', role: 'customer' });
    expect(String(me.body.receiveAddress)).toMatch(/^W/);
    const user = await api.db.collections.users.findOne({ username: 'alice' });
    expect(user?.fabric.enrollmentId).toMatch(/^u-[0-9a-f]{24}$/);
    expect(user?.fabric.certificate).toContain('BEGIN CERTIFICATE');
    expect(JSON.stringify(user)).not.toContain('PRIVATE KEY');
  });

  it('refuses a taken username and a wrong password with problem documents', async () => {
    await signUp('taken-tom');

    const taken = await call('POST', '/v1/users', {
      body: { username: 'TAKEN-TOM', password: 'another-pass-1', paymentPassword: 'pay-999999' },
    });
    const wrong = await call('POST', '/v1/sessions', {
      body: { username: 'taken-tom', password: 'not-the-password' },
    });

    expect(taken.status).toBe(409);
    expect(taken.type).toBe('application/problem+json');
    expect(taken.body.type).toBe('https://fabric-wallet.io/problems/username-taken');
    expect(wrong.status).toBe(401);
  });

  it('refuses common passwords, trivial PINs, a password holding the username and equal passwords', async () => {
    const register = (password: string, paymentPassword: string) =>
      call('POST', '/v1/users', { body: { username: 'weak-pat', password, paymentPassword } });

    const answers = await Promise.all([
      register('12345678', '739104'),
      register('a strong enough passphrase', '123456'),
      register('weak-pat passphrase here', '739104'),
      register('a strong enough passphrase', 'a strong enough passphrase'),
    ]);

    expect(answers.map((answer) => answer.status)).toEqual([400, 400, 400, 400]);
    const fields = answers.map((answer) =>
      (answer.body.errors as { path: string; message: string }[]).map((e) => e.path),
    );
    expect(fields).toEqual([['password'], ['paymentPassword'], ['password'], ['paymentPassword']]);
    expect(String(answers[0].body.detail)).toMatch(/^password: This is a heavily used password/);
    expect(String(answers[0].body.detail)).not.toContain('12345678');
    expect(await api.db.collections.users.countDocuments({ username: 'weak-pat' })).toBe(0);
    const ok = await register('a strong enough passphrase', '739104');
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    const token = (
      await call('POST', '/v1/sessions', {
        body: { username: 'weak-pat', password: 'a strong enough passphrase' },
      })
    ).body.token as string;
    const changes = await Promise.all([
      call('PUT', '/v1/me/password', {
        token,
        body: { oldPassword: 'a strong enough passphrase', newPassword: 'password1' },
      }),
      call('PUT', '/v1/me/payment-password', {
        token,
        body: { oldPaymentPassword: '739104', newPaymentPassword: '000000' },
      }),
    ]);
    expect(changes.map((answer) => answer.status)).toEqual([400, 400]);
  });

  it('recharges: the order mints once to the receive address and the balance shows it', async () => {
    const token = await signUp('bob');

    await recharge(token, '5000');

    const balance = await call('GET', '/v1/me/balance', { token });
    const bills = await call('GET', '/v1/me/bills', { token });
    expect(balance.body).toEqual({ balance: '5000', tokens: 1 });
    expect(bills.body.bills).toMatchObject([{ kind: 'recharge', direction: 'in', amount: '5000' }]);
  });

  it('confirms a development payment only for the order owner or the admin', async () => {
    const owner = await signUp('dev-owner');
    const other = await signUp('dev-other');
    const order = async () => {
      const created = await call('POST', '/v1/recharges', {
        token: owner,
        body: { amount: '700' },
        headers: { 'idempotency-key': `dev-order-${String(Math.random()).slice(2)}` },
      });
      expect(created.status).toBe(201);
      return `/v1/dev/payments/${String(created.body.orderId)}/confirm`;
    };
    const first = await order();

    const anonymous = await call('POST', first);
    const stranger = await call('POST', first, { token: other });
    const forged = await call('POST', first, { token: 'x'.repeat(40) });
    expect([anonymous.status, stranger.status, forged.status]).toEqual([401, 404, 401]);
    expect(await api.balance(owner)).toBe('0');

    const byOwner = await call('POST', first, { token: owner });
    const byAdmin = await call('POST', await order(), { token: api.config.adminToken });
    expect([byOwner.status, byAdmin.status]).toEqual([200, 200]);
    expect([byOwner.body.status, byAdmin.body.status]).toEqual(['minted', 'minted']);
    expect(await api.balance(owner)).toBe('1400');
    expect(await api.balance(other)).toBe('0');
  });

  it('transfers to a username with change to a fresh address, and both bills agree', async () => {
    const carol = await signUp('carol');
    const dave = await signUp('dave');
    await recharge(carol, '1000');

    const paid = await call('POST', '/v1/transfers', {
      token: carol,
      body: { to: 'dave', amount: '250', memo: 'lunch', paymentPassword: 'pay-123456' },
      headers: { 'idempotency-key': 'carol-pays-dave-1' },
    });

    expect(paid.status, JSON.stringify(paid.body)).toBe(201);
    expect((await call('GET', '/v1/me/balance', { token: carol })).body.balance).toBe('750');
    expect((await call('GET', '/v1/me/balance', { token: dave })).body.balance).toBe('250');
    const carolBills = (await call('GET', '/v1/me/bills?type=transfer', { token: carol })).body.bills as {
      direction: string;
      amount: string;
    }[];
    expect(carolBills).toMatchObject([{ direction: 'out', amount: '250' }]);
    const addresses = (await call('GET', '/v1/me/addresses', { token: carol })).body.addresses as {
      purpose: string;
    }[];
    expect(addresses.map((a) => a.purpose).sort()).toEqual(['change', 'receive']);
  });

  it('pays once for one Idempotency-Key sent twice at the same time, and refuses the key with another body', async () => {
    const erin = await signUp('erin');
    await signUp('frank');
    await recharge(erin, '1000');
    const request = {
      token: erin,
      body: { to: 'frank', amount: '100', paymentPassword: 'pay-123456' },
      headers: { 'idempotency-key': 'erin-once-0001' },
    };

    const [first, second] = await Promise.all([
      call('POST', '/v1/transfers', request),
      call('POST', '/v1/transfers', request),
    ]);
    const reused = await call('POST', '/v1/transfers', {
      ...request,
      body: { ...request.body, amount: '101' },
    });

    expect([first.status, second.status]).toEqual([201, 201]);
    expect(first.body.txId).toBe(second.body.txId);
    expect((await call('GET', '/v1/me/balance', { token: erin })).body.balance).toBe('900');
    expect(reused.status).toBe(409);
    expect(reused.body.type).toBe('https://fabric-wallet.io/problems/idempotency-key-reused');
  });

  it('finishes a payment whose API process died: from the ledger when it was sent, else by running it', async () => {
    const payer = await signUp('orphan-payer');
    await signUp('orphan-payee');
    await recharge(payer, '100');
    const user = await api.db.collections.users.findOne({ username: 'orphan-payer' });
    const pay = (key: string) =>
      call('POST', '/v1/transfers', {
        token: payer,
        body: { to: 'orphan-payee', amount: '10', paymentPassword: 'pay-123456' },
        headers: { 'idempotency-key': key },
      });
    // What a process killed mid-request leaves: the record pending, its lease run out.
    const orphan = async (key: string, sent?: { txId: string; at: Date }[]) => {
      await api.db.collections.idempotency.updateOne(
        { _id: `${String(user?._id)}:${key}` },
        {
          $set: { state: 'pending', leaseUntil: new Date(Date.now() - 1000), ...(sent ? { sent } : {}) },
          $unset: { response: '' },
        },
      );
    };

    const first = await pay('orphan-sent-1');
    await orphan('orphan-sent-1');
    const fromLedger = await pay('orphan-sent-1');
    expect(fromLedger.status).toBe(201);
    expect(fromLedger.headers.get('idempotent-replayed')).toBe('true');
    expect(fromLedger.body.txId).toBe(first.body.txId);
    expect(await api.balance(payer)).toBe('90');

    const second = await pay('orphan-lost-1');
    await orphan('orphan-lost-1', [{ txId: 'f'.repeat(64), at: new Date(Date.now() - 600_000) }]);
    const rerun = await pay('orphan-lost-1');
    expect(rerun.status).toBe(201);
    expect(rerun.headers.get('idempotent-replayed')).toBeNull();
    expect(rerun.body.txId).not.toBe(second.body.txId);
    const record = await api.db.collections.idempotency.findOne({
      _id: `${String(user?._id)}:orphan-lost-1`,
    });
    expect(record?.state).toBe('done');
    expect(record?.sent?.map((s) => s.txId)).toEqual(['f'.repeat(64), rerun.body.txId]);
  });

  it('refuses a payment with the wrong payment password or more than the balance, charging nothing', async () => {
    const gina = await signUp('gina');
    await signUp('gina-payee');
    await recharge(gina, '100');

    const wrongPassword = await call('POST', '/v1/transfers', {
      token: gina,
      body: { to: 'gina-payee', amount: '10', paymentPassword: 'nope-nope' },
      headers: { 'idempotency-key': 'gina-wrong-pass' },
    });
    const tooMuch = await call('POST', '/v1/transfers', {
      token: gina,
      body: { to: 'gina-payee', amount: '101', paymentPassword: 'pay-123456' },
      headers: { 'idempotency-key': 'gina-too-much' },
    });

    expect(wrongPassword.status).toBe(403);
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.body.type).toBe('https://fabric-wallet.io/problems/insufficient-funds');
    expect((await call('GET', '/v1/me/balance', { token: gina })).body.balance).toBe('100');
  });

  it('locks payments after repeated wrong payment passwords, even with the right one', async () => {
    const wes = await signUp('wes');
    await signUp('wes-payee');
    await recharge(wes, '10');
    const attempt = (paymentPassword: string, i: number) =>
      call('POST', '/v1/transfers', {
        token: wes,
        body: { to: 'wes-payee', amount: '1', paymentPassword },
        headers: { 'idempotency-key': `wes-guess-${i}-xxxx` },
      });

    for (let i = 0; i < 5; i++) expect((await attempt(`guess-${i}-xx`, i)).status).toBe(403);
    const locked = await attempt('pay-123456', 99);

    expect(locked.status).toBe(429);
    expect(await api.balance(wes)).toBe('10');
  });

  it('changes the payment password: the old one stops working, the new one pays', async () => {
    const hank = await signUp('hank');
    await signUp('hank-payee');
    await recharge(hank, '50');

    const changed = await call('PUT', '/v1/me/payment-password', {
      token: hank,
      body: { oldPaymentPassword: 'pay-123456', newPaymentPassword: 'new-pay-654321' },
    });
    const withOld = await call('POST', '/v1/transfers', {
      token: hank,
      body: { to: 'hank-payee', amount: '5', paymentPassword: 'pay-123456' },
      headers: { 'idempotency-key': 'hank-old-pass' },
    });
    const withNew = await call('POST', '/v1/transfers', {
      token: hank,
      body: { to: 'hank-payee', amount: '5', paymentPassword: 'new-pay-654321' },
      headers: { 'idempotency-key': 'hank-new-pass' },
    });

    expect(changed.status).toBe(204);
    expect(withOld.status).toBe(403);
    expect(withNew.status, JSON.stringify(withNew.body)).toBe(201);
  });

  it('of concurrent password changes exactly one wins, and only its new password works', async () => {
    for (let round = 0; round < 2; round++) {
      const name = `racer-${String(round)}`;
      const token = await signUp(name);
      const pins = Array.from({ length: 20 }, (_, i) => `race pin ${String(round)}-${String(i)}`);
      const logins = Array.from({ length: 10 }, (_, i) => `race phrase ${String(round)}-${String(i)}`);

      const pinChanges = await Promise.all(
        pins.map((pin) =>
          call('PUT', '/v1/me/payment-password', {
            token,
            body: { oldPaymentPassword: 'pay-123456', newPaymentPassword: pin },
          }),
        ),
      );
      const loginChanges = await Promise.all(
        logins.map((password) =>
          call('PUT', '/v1/me/password', {
            token,
            body: { oldPassword: 'login-password-1', newPassword: password },
          }),
        ),
      );

      const pinWinners = pins.filter((_, i) => pinChanges[i]?.status === 204);
      expect(pinWinners).toHaveLength(1);
      // The others lost the compare-and-set (409), or - authenticated after the winner had
      // committed, on a busy machine - met the new PIN: wrong password (403), then the lock (429).
      expect(pinChanges.every((answer) => [204, 409, 403, 429].includes(answer.status))).toBe(true);
      expect(pinChanges.filter((answer) => answer.status === 409).length).toBeGreaterThan(0);
      const loginWinners = logins.filter((_, i) => loginChanges[i]?.status === 204);
      expect(loginWinners).toHaveLength(1);
      // As for the PIN: 409 lost the race, 403/429 came after the winner (the attempt limit counts).
      expect(loginChanges.every((answer) => [204, 409, 403, 429].includes(answer.status))).toBe(true);
      const sessions = [];
      for (const password of [
        loginWinners[0] ?? '',
        'login-password-1',
        logins.find((phrase) => phrase !== loginWinners[0]) ?? '',
      ])
        sessions.push((await call('POST', '/v1/sessions', { body: { username: name, password } })).status);
      expect(sessions).toEqual([201, 401, 401]);
      const rotations = await Promise.all(
        [pinWinners[0] ?? '', pins.find((pin) => pin !== pinWinners[0]) ?? ''].map((paymentPassword) =>
          call('POST', '/v1/me/addresses', { token, body: { paymentPassword } }),
        ),
      );
      expect(rotations.map((answer) => answer.status)).toEqual([201, 403]);
    }
  });

  it.each([
    ['malformed JSON', { raw: '{"username":' }, 400],
    [
      'a wrong type',
      { body: { username: 42, password: 'x'.repeat(10), paymentPassword: 'y'.repeat(8) } },
      400,
    ],
    [
      'an unknown field',
      { body: { username: 'zed', password: 'x'.repeat(10), paymentPassword: 'y'.repeat(8), admin: true } },
      400,
    ],
    [
      'an overlong username',
      { body: { username: 'z'.repeat(500), password: 'x'.repeat(10), paymentPassword: 'y'.repeat(8) } },
      400,
    ],
    ['a huge body', { raw: JSON.stringify({ username: 'z', pad: 'x'.repeat(200_000) }) }, 413],
  ])('answers %s at registration with a 4xx problem, never a 500', async (_name, options, status) => {
    const response = await call('POST', '/v1/users', options);

    expect(response.status).toBe(status);
    expect(response.type).toBe('application/problem+json');
    expect(typeof response.body.detail).toBe('string');
  });

  describe('a transfer with a bad amount', () => {
    let payer: string;

    beforeAll(async () => {
      payer = await signUp('amount-payer');
      await signUp('amount-payee');
      await recharge(payer, '100');
    });

    it.each([
      ['a negative amount', '-5'],
      ['a fractional amount', '1.5'],
      ['a huge amount', '9'.repeat(30)],
      ['a zero amount', '0'],
    ])('refuses %s with 400, charging nothing', async (_name, amount) => {
      const response = await call('POST', '/v1/transfers', {
        token: payer,
        body: { to: 'amount-payee', amount, paymentPassword: 'pay-123456' },
        headers: { 'idempotency-key': `bad-amount-${amount.length}-${amount.charAt(0)}` },
      });

      expect(response.status).toBe(400);
      expect(String(response.body.detail)).toContain('amount');
      expect(await api.balance(payer)).toBe('100');
    });
  });

  it('answers unknown routes with 404 and missing or bad credentials with 401 problems', async () => {
    const unknown = await call('GET', '/v1/nothing-here');
    const anonymous = await call('GET', '/v1/me/balance');
    const forged = await call('GET', '/v1/me/balance', { token: 'x'.repeat(43) });

    expect(unknown.status).toBe(404);
    expect(anonymous.status).toBe(401);
    expect(forged.status).toBe(401);
    expect(forged.type).toBe('application/problem+json');
  });

  it('locks an account after repeated failed logins', async () => {
    await signUp('ivan');

    for (let i = 0; i < 5; i++)
      await call('POST', '/v1/sessions', { body: { username: 'ivan', password: `wrong-${i}-xxxx` } });
    const locked = await call('POST', '/v1/sessions', {
      body: { username: 'ivan', password: 'login-password-1' },
    });

    expect(locked.status).toBe(429);
    expect(locked.body.type).toBe('https://fabric-wallet.io/problems/too-many-requests');
  });

  it('traces a token back to its mint from the outer DB and the ledger agrees', async () => {
    const kim = await signUp('kim');
    const lee = await signUp('lee');
    await recharge(kim, '300');
    await recharge(kim, '200');
    await call('POST', '/v1/transfers', {
      token: kim,
      body: { to: 'lee', amount: '450', paymentPassword: 'pay-123456' },
      headers: { 'idempotency-key': 'kim-pays-lee-1' },
    });
    const [token] = (await call('GET', '/v1/me/tokens', { token: lee })).body.tokens as {
      txId: string;
      index: number;
    }[];
    if (!token) throw new Error('lee has no token');

    const trace = await call('GET', `/v1/me/tokens/${token.txId}/${token.index}/trace?verify=ledger`, {
      token: lee,
    });
    const foreign = await call('GET', `/v1/me/tokens/${token.txId}/${token.index}/trace`, { token: kim });

    expect(trace.status, JSON.stringify(trace.body)).toBe(200);
    expect(trace.body).toMatchObject({ complete: true, verified: true });
    expect(trace.body.mints).toHaveLength(2);
    expect(trace.body.txs).toHaveLength(3);
    expect(foreign.status).toBe(403);
    const fromLedger = await call('GET', `/v1/me/tokens/${token.txId}/${token.index}/trace?source=ledger`, {
      token: lee,
    });
    const ids = (body: Record<string, unknown>) =>
      (body.txs as { txId: string }[]).map((tx) => tx.txId).sort();
    expect(ids(fromLedger.body)).toEqual(ids(trace.body));
  });

  it('lists the same tokens from the outer DB and from the ledger', async () => {
    const token = await signUp('mia');
    await recharge(token, '70');
    await recharge(token, '30');

    const index = await call('GET', '/v1/me/tokens', { token });
    const ledger = await call('GET', '/v1/me/tokens?source=ledger', { token });

    const strip = (list: unknown) =>
      (list as { txId: string; index: number; amount: string }[]).map(({ txId, index: i, amount }) => ({
        txId,
        i,
        amount,
      }));
    expect(strip(ledger.body.tokens)).toEqual(strip(index.body.tokens));
    expect(strip(index.body.tokens)).toHaveLength(2);
  });

  it('exports bills as CSV with the filters of the list', async () => {
    const token = await signUp('ned');
    await recharge(token, '40');
    await recharge(token, '60');

    const response = await api.app.request('/v1/me/bills.csv?type=recharge', {
      headers: { authorization: `Bearer ${token}` },
    });
    const lines = (await response.text()).trim().split('\n');

    expect(response.headers.get('content-type')).toContain('text/csv');
    expect(lines[0]).toBe('time,type,direction,amount (0.01 CNY),counterparties,txId');
    expect(
      lines
        .slice(1)
        .map((line) => line.split(',')[3])
        .sort(),
    ).toEqual(['40', '60']);
  });

  it('takes date-times with a numeric offset, refuses other text, and answers a wrong media type with 415', async () => {
    const token = await signUp('offset-olga');

    const withOffset = await call(
      'GET',
      `/v1/me/bills?from=${encodeURIComponent('2026-01-01T00:00:00+01:00')}`,
      {
        token,
      },
    );
    const notADate = await call('GET', '/v1/me/bills?from=yesterday', { token });
    const plain = await call('POST', '/v1/users', {
      raw: 'username=x',
      headers: { 'content-type': 'text/plain' },
    });

    expect([withOffset.status, notADate.status, plain.status]).toEqual([200, 400, 415]);
    expect(plain.type).toBe('application/problem+json');
  });

  it('paginates bills with a cursor, newest first, without repeats', async () => {
    const token = await signUp('ola');
    for (const amount of ['1', '2', '3']) await recharge(token, amount);

    const first = await call('GET', '/v1/me/bills?limit=2', { token });
    const second = await call('GET', `/v1/me/bills?limit=2&cursor=${String(first.body.nextCursor)}`, {
      token,
    });
    const bad = await call('GET', '/v1/me/bills?cursor=not-a-cursor', { token });

    const amounts = [
      ...(first.body.bills as { amount: string }[]),
      ...(second.body.bills as { amount: string }[]),
    ].map((b) => b.amount);
    expect(amounts).toEqual(['3', '2', '1']);
    expect(second.body.nextCursor).toBeNull();
    expect(bad.status).toBe(400);
  });

  it('rotates the receive address; payments to the old one still arrive', async () => {
    const pia = await signUp('pia');
    const payer = await signUp('quinn');
    await recharge(payer, '100');
    const old = (await call('GET', '/v1/me', { token: pia })).body.receiveAddress as string;

    const rotated = await call('POST', '/v1/me/addresses', {
      token: pia,
      body: { paymentPassword: 'pay-123456' },
    });
    const paid = await call('POST', '/v1/transfers', {
      token: payer,
      body: { to: old, amount: '25', paymentPassword: 'pay-123456' },
      headers: { 'idempotency-key': 'quinn-pays-old-1' },
    });

    expect(rotated.status).toBe(201);
    expect(rotated.body.address).not.toBe(old);
    expect((await call('GET', '/v1/me', { token: pia })).body.receiveAddress).toBe(rotated.body.address);
    expect(paid.status).toBe(201);
    expect(await api.balance(pia)).toBe('25');
  });

  it('sweeps every token to the new address when rotating with sweep', async () => {
    const tia = await signUp('tia');
    await recharge(tia, '30');
    await recharge(tia, '12');

    const rotated = await call('POST', '/v1/me/addresses', {
      token: tia,
      body: { paymentPassword: 'pay-123456', sweep: true },
    });

    expect(rotated.status, JSON.stringify(rotated.body)).toBe(201);
    expect(rotated.body.sweptTxId).toMatch(/^[0-9a-f]{64}$/);
    const tokens = (await call('GET', '/v1/me/tokens', { token: tia })).body.tokens as {
      address: string;
      amount: string;
    }[];
    expect(tokens).toEqual([expect.objectContaining({ address: rotated.body.address, amount: '42' })]);
  });

  it('shows and spends only the caller’s own tokens', async () => {
    const uma = await signUp('uma');
    const vic = await signUp('vic');
    await recharge(uma, '80');

    const vicTokens = await call('GET', '/v1/me/tokens', { token: vic });
    const vicPays = await call('POST', '/v1/transfers', {
      token: vic,
      body: { to: 'vic', amount: '1', paymentPassword: 'pay-123456' },
      headers: { 'idempotency-key': 'vic-tries-uma-1' },
    });
    const umaToken = (
      (await call('GET', '/v1/me/tokens', { token: uma })).body.tokens as { txId: string; index: number }[]
    )[0];
    const vicTraces = await call(
      'GET',
      `/v1/me/tokens/${umaToken?.txId ?? ''}/${umaToken?.index ?? 0}/trace`,
      { token: vic },
    );

    expect(vicTokens.body.tokens).toEqual([]);
    expect(vicPays.status).toBe(422);
    expect(vicTraces.status).toBe(403);
    expect(await api.balance(uma)).toBe('80');
  });

  it('takes the bearer scheme in any case, and marks API answers no-store and nosniff', async () => {
    const token = await signUp('casey');
    const lower = await api.app.request('/v1/me/balance', { headers: { authorization: `bearer ${token}` } });
    const refused = await api.app.request('/v1/me/balance', { headers: { authorization: 'BEARER nope' } });
    const health = await api.app.request('/healthz');

    expect(lower.status).toBe(200);
    expect(refused.status).toBe(401);
    for (const answer of [lower, refused]) {
      expect(answer.headers.get('cache-control')).toBe('no-store');
      expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
    }
    expect(health.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('logs out, and a login password change ends the other sessions', async () => {
    const first = await signUp('rae');
    const second = (
      await call('POST', '/v1/sessions', { body: { username: 'rae', password: 'login-password-1' } })
    ).body.token as string;

    const changed = await call('PUT', '/v1/me/password', {
      token: first,
      body: { oldPassword: 'login-password-1', newPassword: 'login-password-2' },
    });
    const otherAfter = await call('GET', '/v1/me', { token: second });
    const loggedOut = await call('DELETE', '/v1/sessions/current', { token: first });
    const firstAfter = await call('GET', '/v1/me', { token: first });
    const newLogin = await call('POST', '/v1/sessions', {
      body: { username: 'rae', password: 'login-password-2' },
    });

    expect(changed.status).toBe(204);
    expect(otherAfter.status).toBe(401);
    expect(loggedOut.status).toBe(204);
    expect(firstAfter.status).toBe(401);
    expect(newLogin.status).toBe(201);
  });

  it('purges expired sessions and idempotency records past their retention, keeping the rest', async () => {
    const now = new Date();
    await api.db.collections.sessions.insertMany([
      { _id: 'expired-session', userId: 'u', createdAt: now, expiresAt: new Date(now.getTime() - 1000) },
      { _id: 'live-session', userId: 'u', createdAt: now, expiresAt: new Date(now.getTime() + 60_000) },
    ]);
    await api.db.collections.idempotency.insertMany([
      {
        _id: 'u:old-key',
        requestHash: 'h',
        state: 'done',
        createdAt: new Date(now.getTime() - 25 * 3600_000),
      },
      { _id: 'u:new-key', requestHash: 'h', state: 'done', createdAt: now },
    ]);

    await api.db.collections.coinLocks.insertMany([
      { _id: 'expired:0', lockId: 'l', until: new Date(now.getTime() - 1000) },
      { _id: 'held:0', lockId: 'l', until: new Date(now.getTime() + 60_000) },
    ]);

    await api.db.collections.attempts.insertMany([
      { _id: 'login:idle-name', count: 3, pending: 0, at: new Date(now.getTime() - 2 * 86_400_000) },
      { _id: 'login:recent-name', count: 3, pending: 0, at: now },
      {
        _id: 'login:locked-name',
        count: 5,
        pending: 0,
        at: new Date(now.getTime() - 2 * 86_400_000),
        lockedUntil: new Date(now.getTime() + 60_000),
      },
    ]);

    const purged = await purgeExpired(api.db.collections, now);

    expect(purged).toMatchObject({ sessions: 1, idempotency: 1 });
    expect(purged.coinLocks).toBeGreaterThanOrEqual(1);
    expect(await api.db.collections.coinLocks.countDocuments({ _id: { $in: ['expired:0', 'held:0'] } })).toBe(
      1,
    );
    expect(await api.db.collections.attempts.countDocuments({ _id: 'login:idle-name' })).toBe(0);
    expect(
      await api.db.collections.attempts.countDocuments({
        _id: { $in: ['login:recent-name', 'login:locked-name'] },
      }),
    ).toBe(2);
    expect(
      await api.db.collections.sessions.countDocuments({ _id: { $in: ['expired-session', 'live-session'] } }),
    ).toBe(1);
    expect(
      await api.db.collections.idempotency.countDocuments({ _id: { $in: ['u:old-key', 'u:new-key'] } }),
    ).toBe(1);
  });

  it('reports ready (DB, ledger, indexer) and serves Prometheus metrics', async () => {
    await signUp('metrics-mo');

    const ready = await call('GET', '/readyz');
    const metrics = await api.app.request('/metrics');
    const text = await metrics.text();

    expect(ready.status, JSON.stringify(ready.body)).toBe(200);
    expect(ready.body.checks).toEqual({ db: 'ok', ledger: 'ok', indexer: 'ok', reconciler: 'ok' });
    expect(text).toContain('wallet_http_requests_total{method="POST",route="/v1/users",status="201"}');
    expect(text).toContain('wallet_http_requests_total{method="POST",route="/v1/sessions",status="201"}');
    expect(text).toContain('wallet_http_request_duration_seconds_bucket');
  });

  it('never writes a password, payment password, session token or private key to its logs', async () => {
    const token = await signUp('sam');
    await call('PUT', '/v1/me/payment-password', {
      token,
      body: { oldPaymentPassword: 'pay-123456', newPaymentPassword: 'pay-secret-777' },
    });

    const logs = logLines.join('');

    expect(logs).toContain('"path":"/v1/me/payment-password"');
    for (const secret of ['login-password-1', 'pay-123456', 'pay-secret-777', token, 'PRIVATE KEY']) {
      expect(logs).not.toContain(secret);
    }
  });

  /** A recharge and a payment between two new users; the payer's token and the payment's txId. */
  async function paidOnce(prefix: string): Promise<{ payer: string; txId: string }> {
    const payer = await signUp(`${prefix}-payer`);
    await signUp(`${prefix}-payee`);
    await recharge(payer, '20');
    const paid = await call('POST', '/v1/transfers', {
      token: payer,
      body: { to: `${prefix}-payee`, amount: '5', paymentPassword: 'pay-123456' },
      headers: { 'idempotency-key': `${prefix}-pays-once` },
    });
    expect(paid.status, JSON.stringify(paid.body)).toBe(201);
    return { payer, txId: String(paid.body.txId) };
  }

  it('indexes every committed transaction with its block number', async () => {
    const { txId } = await paidOnce('indexed');

    await expect
      .poll(() => api.db.collections.txs.countDocuments({ blockNumber: null }), { timeout: 30_000 })
      .toBe(0);

    expect((await api.db.collections.txs.findOne({ _id: txId }))?.blockNumber).toBeGreaterThan(0);
    expect(api.indexer.snapshot().lastError).toBeNull();
  });

  it('rebuilds the ledger index from block 0 with identical balances, bills and tokens', async () => {
    const { payer } = await paidOnce('rebuilt');
    const payerId = (await call('GET', '/v1/me', { token: payer })).body.userId;
    const users = await api.db.collections.users.find({}, { projection: { _id: 1 } }).toArray();
    const snapshot = async () =>
      Promise.all(
        users.map(async ({ _id }) => ({
          utxos: await api.db.collections.utxos.find({ userId: _id }).sort({ _id: 1 }).toArray(),
          movements: await api.db.collections.movements.find({ userId: _id }).sort({ _id: 1 }).toArray(),
        })),
      );
    await expect
      .poll(() => api.db.collections.txs.countDocuments({ blockNumber: null }), { timeout: 30_000 })
      .toBe(0);
    const before = await snapshot();
    const txCount = await api.db.collections.txs.countDocuments();
    await api.indexer.stop();

    const rebuilt = await rebuildIndex(
      api.db.collections,
      api.ledger,
      api.config.fabric.registrar,
      createLogger('silent'),
    );

    expect(rebuilt.txs).toBe(txCount);
    expect(await snapshot()).toEqual(before);
    api.indexer.start();
    expect(before[users.findIndex((user) => user._id === payerId)]?.movements).toHaveLength(2);
  });

  it('serves its OpenAPI document', async () => {
    const doc = await call('GET', '/openapi.json');

    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths as object)).toEqual(
      expect.arrayContaining(['/v1/users', '/v1/transfers', '/v1/me/bills', '/v1/recharges']),
    );
  });
});
