import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { answerKind, httpCall, type HttpAnswer } from '../support/http.js';

/**
 * Paying clients as real ones behave: each pays, waits for the answer and pays again (closed
 * loop); a payment whose answer did not come (reset, refused, timeout), or came as a 5xx, a
 * 429 or a 409 saying the first request with that key is still running or must be sent
 * again, is sent again with the SAME Idempotency-Key and body, after a backoff, a bounded
 * number of times. Every attempt is recorded, so the suite can check afterwards that no key
 * paid twice and every 201 is on the ledger.
 */

export const LOGIN_PASSWORD = 'login-password-1';
export const PAYMENT_PASSWORD = 'pay-123456';

export interface Funded {
  readonly name: string;
  readonly token: string;
}

/** One HTTP attempt of a payment; times in ms since the clients started. */
export interface Attempt {
  readonly startedMs: number;
  readonly endedMs: number;
  readonly status: number;
  readonly kind: string;
  readonly replayed: boolean;
  /** The transaction of a 201. */
  readonly txId?: string;
}

/** One payment: one Idempotency-Key, sent once or more. */
export interface Payment {
  readonly client: number;
  readonly key: string;
  /** The memo, whose hash the ledger's transaction record carries: how the ledger names this payment. */
  readonly memo: string;
  readonly payer: string;
  readonly payee: string;
  readonly amount: string;
  readonly attempts: Attempt[];
  /** committed: a 201; refused: a final 4xx; abandoned: retries ran out without a final answer. */
  outcome: 'pending' | 'committed' | 'refused' | 'abandoned';
}

export interface RetryPolicy {
  /** One attempt's timeout (the client gives up waiting and sends again). */
  readonly attemptTimeoutMs: number;
  readonly attemptsMax: number;
  /** No new attempt of a payment after this long since its first. */
  readonly giveUpAfterMs: number;
}

/** What the clients did, counted. */
export interface Counts {
  /** Payments tried (keys). */
  readonly tried: number;
  /** Payments answered 201. */
  readonly committed: number;
  /** Payments sent more than once; retryAttempts: the extra attempts. */
  readonly retried: number;
  readonly retryAttempts: number;
  /** 201s that were replays of an earlier answer (Idempotent-Replayed: true). */
  readonly replayed201: number;
  /** Payments whose last answer was a final refusal, by status and problem type. */
  readonly refused: Readonly<Record<string, number>>;
  /** Payments abandoned after their retries, by their last answer. */
  readonly abandoned: Readonly<Record<string, number>>;
  /** Every attempt's answer, by status and problem type (0: no answer). */
  readonly answers: Readonly<Record<string, number>>;
}

/** Whether a client sends the payment again with the same key after this answer. */
export function worthRetrying(answer: Pick<HttpAnswer, 'status' | 'body'>): boolean {
  if (answer.status === 0 || answer.status >= 500 || answer.status === 429) return true;
  const kind = answerKind(answer);
  return kind === '409 idempotency-in-progress' || kind === '409 idempotency-retry';
}

function tally(kinds: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of kinds) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

/** The answer, or a failure naming the request and what came back. */
async function expectStatus(
  status: number,
  what: string,
  answer: Promise<HttpAnswer>,
): Promise<Record<string, unknown>> {
  const got = await answer;
  if (got.status !== status)
    throw new Error(
      `${what}: expected ${String(status)}, got ${String(got.status)} ${JSON.stringify(got.body)}`,
    );
  return got.body;
}

/**
 * `count` users registered, logged in and funded with one recharge of `funds` each (an order
 * confirmed through the development payment provider by its owner), 8 at a time.
 */
export async function fundUsers(
  base: string,
  count: number,
  prefix: string,
  funds: bigint,
): Promise<Funded[]> {
  const runId = randomBytes(3).toString('hex');
  const users: Funded[] = [];
  const one = async (i: number): Promise<Funded> => {
    const name = `${prefix}-${runId}-${String(i)}`;
    const body = { username: name, password: LOGIN_PASSWORD, paymentPassword: PAYMENT_PASSWORD };
    await expectStatus(201, `register ${name}`, httpCall(base, 'POST', '/v1/users', { body }));
    const session = await expectStatus(
      201,
      `log in ${name}`,
      httpCall(base, 'POST', '/v1/sessions', { body: { username: name, password: LOGIN_PASSWORD } }),
    );
    const token = String(session.token);
    const order = await expectStatus(
      201,
      `recharge order of ${name}`,
      httpCall(base, 'POST', '/v1/recharges', {
        token,
        key: `fund-${name}`,
        body: { amount: funds.toString() },
      }),
    );
    const path = `/v1/dev/payments/${String(order.orderId)}/confirm`;
    await expectStatus(200, `confirm the order of ${name}`, httpCall(base, 'POST', path, { token }));
    return { name, token };
  };
  for (let i = 0; i < count; i += 8)
    users.push(...(await Promise.all(Array.from({ length: Math.min(8, count - i) }, (_, k) => one(i + k)))));
  return users;
}

/**
 * `clients` closed-loop payers over `users`: client c pays in turn from users c, c+clients,
 * c+2*clients... (so one user never has two payments in flight), 1 to 9 units to a random
 * other user, until stop().
 */
export class PayingClients {
  readonly payments: Payment[] = [];
  readonly t0 = Date.now();
  private stopping = false;
  private readonly loops: Promise<void>[];
  private readonly runId = randomBytes(3).toString('hex');

  constructor(
    private readonly base: string,
    private readonly users: readonly Funded[],
    private readonly clients: number,
    private readonly policy: RetryPolicy,
  ) {
    if (users.length < 2 * clients) throw new Error('at least two users per client');
    this.loops = Array.from({ length: clients }, (_, c) => this.loop(c));
  }

  /** Ms since the clients started. */
  now(): number {
    return Date.now() - this.t0;
  }

  /** Lets each client finish the payment it is on (retries included), then resolves. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.loops);
  }

  /** When (ms since start) the first 201 came to an attempt sent at or after `sinceMs`. */
  firstCommitSince(sinceMs: number): number | undefined {
    let first: number | undefined;
    for (const payment of this.payments)
      for (const attempt of payment.attempts)
        if (
          attempt.status === 201 &&
          attempt.startedMs >= sinceMs &&
          (first === undefined || attempt.endedMs < first)
        )
          first = attempt.endedMs;
    return first;
  }

  /** Every attempt's answer between two moments (ms since start), by kind. */
  answersBetween(fromMs: number, toMs: number): Record<string, number> {
    return tally(
      this.payments.flatMap((p) =>
        p.attempts.filter((a) => a.endedMs >= fromMs && a.endedMs <= toMs).map((a) => a.kind),
      ),
    );
  }

  counts(): Counts {
    const done = this.payments;
    const last = (p: Payment) => p.attempts.at(-1)?.kind ?? 'none';
    return {
      tried: done.length,
      committed: done.filter((p) => p.outcome === 'committed').length,
      retried: done.filter((p) => p.attempts.length > 1).length,
      retryAttempts: done.reduce((sum, p) => sum + Math.max(0, p.attempts.length - 1), 0),
      replayed201: done.filter((p) => p.attempts.some((a) => a.status === 201 && a.replayed)).length,
      refused: tally(done.filter((p) => p.outcome === 'refused').map(last)),
      abandoned: tally(done.filter((p) => p.outcome === 'abandoned').map(last)),
      answers: tally(done.flatMap((p) => p.attempts.map((a) => a.kind))),
    };
  }

  private async loop(client: number): Promise<void> {
    const own = this.users.filter((_, i) => i % this.clients === client);
    for (let seq = 0; !this.stopping; seq++) {
      const payer = own[seq % own.length] as Funded;
      let payee = payer;
      while (payee === payer) payee = this.users[Math.floor(Math.random() * this.users.length)] as Funded;
      const key = `chaos-${this.runId}-${String(client)}-${String(seq)}`;
      const payment: Payment = {
        client,
        key,
        memo: `chaos payment ${key}`,
        payer: payer.name,
        payee: payee.name,
        amount: String(1 + (seq % 9)),
        attempts: [],
        outcome: 'pending',
      };
      this.payments.push(payment);
      await this.pay(payment, payer.token);
    }
  }

  private async pay(payment: Payment, token: string): Promise<void> {
    const body = {
      to: payment.payee,
      amount: payment.amount,
      memo: payment.memo,
      paymentPassword: PAYMENT_PASSWORD,
    };
    const first = Date.now();
    for (let attempt = 1; ; attempt++) {
      const startedMs = this.now();
      const answer = await httpCall(this.base, 'POST', '/v1/transfers', {
        token,
        key: payment.key,
        body,
        timeoutMs: this.policy.attemptTimeoutMs,
      });
      payment.attempts.push({
        startedMs,
        endedMs: this.now(),
        status: answer.status,
        kind: answerKind(answer),
        replayed: answer.replayed,
        ...(answer.status === 201 ? { txId: String(answer.body.txId) } : {}),
      });
      if (answer.status === 201) {
        payment.outcome = 'committed';
        return;
      }
      if (!worthRetrying(answer)) {
        payment.outcome = 'refused';
        return;
      }
      if (attempt >= this.policy.attemptsMax || Date.now() - first >= this.policy.giveUpAfterMs) {
        payment.outcome = 'abandoned';
        return;
      }
      // 250 ms, doubling to 4 s, with jitter so the clients do not come back in step.
      await sleep(Math.min(4000, 250 * 2 ** (attempt - 1)) * (0.5 + Math.random()));
    }
  }
}
