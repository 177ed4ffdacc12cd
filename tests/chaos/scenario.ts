import { setTimeout as sleep } from 'node:timers/promises';
import { sha256Hex } from '@fabric-wallet/ccaas/protocol';
import { connectGateway } from '@fabric-wallet/operator/fabric';
import { MongoClient, type Db } from 'mongodb';
import { httpCall } from '../support/http.js';
import {
  ledgerHistory,
  ledgerTotals,
  outerDbDifferences,
  unspentMissingFromState,
  type OuterDbDifferences,
} from '../support/ledger-audit.js';
import type { SupervisedSystem } from '../support/supervised-system.js';
import { until } from '../support/until.js';
import { tokensTotal, userView, type UserCall } from '../support/user-agreement.js';
import {
  fundUsers,
  PAYMENT_PASSWORD,
  PayingClients,
  type Counts,
  type Funded,
  type Payment,
  type RetryPolicy,
} from './clients.js';

/**
 * The fault scenario both the short suite (`npm test`) and `npm run chaos` run: clients pay
 * while processes of the system are killed with SIGKILL one after another; then an audit
 * against the ledger.
 */

/** A process to kill: its supervisor name, and what it is. */
export interface Fault {
  readonly process: string;
  readonly what: string;
}

export interface ScenarioOptions {
  readonly clients: number;
  /** Users each client pays from in turn (more users: fewer change addresses each). */
  readonly usersPerClient: number;
  readonly funds: bigint;
  readonly warmupSeconds: number;
  /** Load after a fault's recovery before the next fault. */
  readonly dwellSeconds: number;
  readonly faults: readonly Fault[];
  readonly policy: RetryPolicy;
  /** How long a killed process may take to run again and accept connections. */
  readonly backTimeoutMs: number;
  /** How long after a kill a payment sent after it may take to succeed. */
  readonly recoveryTimeoutMs: number;
  readonly progress: (line: string) => void;
}

/** One fault as it happened; times in ms since the clients started. */
export interface FaultFigures {
  readonly process: string;
  readonly what: string;
  readonly killedPid: number;
  readonly newPid: number;
  readonly killedAtMs: number;
  /** From the kill until the supervisor's new process accepted connections. */
  readonly backAfterMs: number;
  /** From the kill until the first 201 to a payment attempt sent after the kill. */
  readonly recoveredAfterMs: number;
  /** Every answer the clients got from the kill to the recovery, by kind. */
  readonly answersMeanwhile: Readonly<Record<string, number>>;
}

/** What the ledger and the outer DB say afterwards. */
export interface Audit {
  /** Transactions on the ledger (mints and payments), through the marker payment. */
  readonly ledgerTxs: number;
  readonly minted: bigint;
  readonly supply: bigint;
  /** Payments answered 201 whose transaction is not on the ledger, or is not that payment's. */
  readonly committedNotOnLedger: readonly string[];
  /** Keys answered 201 more than once with different transactions. */
  readonly answeredTwoTxs: readonly string[];
  /** Keys with more than one transaction on the ledger: paid twice. */
  readonly paidTwice: readonly string[];
  /** Keys finally refused (a 4xx: "nothing was charged") that the ledger shows paid. */
  readonly refusedButPaid: readonly string[];
  /** Keys abandoned by their client that the ledger shows paid (the answer was lost). */
  readonly abandonedButPaid: number;
  /** Outpoints spent twice in the history (never, if the chaincode holds). */
  readonly doubleSpends: readonly string[];
  /** Unspent coins of the history that the ledger's state lacks. */
  readonly unspentMissingFromState: readonly string[];
  readonly outerDb: OuterDbDifferences;
  /** Users whose tokens (outer DB vs ledger), balance or bills disagree through the API. */
  readonly usersDiffering: readonly string[];
  /** Users with more addresses than GET /v1/me/tokens?source=ledger reads (200): not compared by tokens. */
  readonly usersTooManyAddresses: number;
  /** Idempotency records still pending: requests a killed API never finished. */
  readonly keysLeftPending: number;
  /** ms the outer DB took to agree with the ledger after the marker payment. */
  readonly outerDbAgreedAfterMs: number;
}

export interface ScenarioResult {
  readonly users: number;
  /** Every payment with its attempts. */
  readonly payments: readonly Payment[];
  readonly loadSeconds: number;
  readonly counts: Counts;
  readonly faults: readonly FaultFigures[];
  readonly audit: Audit;
  /** Processes that were killed and are not running at the end, and supervisor give-ups. */
  readonly notBack: readonly string[];
}

const ADDRESSES_READ_FROM_LEDGER = 200;

export async function runScenario(
  system: SupervisedSystem,
  options: ScenarioOptions,
): Promise<ScenarioResult> {
  const { progress } = options;
  const userCount = options.clients * options.usersPerClient;
  const users = await fundUsers(system.base, userCount, 'chaos', options.funds);
  progress(`${String(userCount)} users funded with ${options.funds.toString()} each`);
  const clients = new PayingClients(system.base, users, options.clients, options.policy);
  const ticker = setInterval(() => {
    const counts = clients.counts();
    progress(
      `${(clients.now() / 1000).toFixed(0)} s: ${String(counts.tried)} payments tried, ${String(counts.committed)} committed, ${String(counts.retried)} retried`,
    );
  }, 15_000);
  const faults: FaultFigures[] = [];
  let loadSeconds: number;
  try {
    await sleep(options.warmupSeconds * 1000);
    for (const fault of options.faults) {
      faults.push(await inflict(system, clients, fault, options));
      await sleep(options.dwellSeconds * 1000);
    }
  } finally {
    loadSeconds = clients.now() / 1000;
    await clients.stop();
    clearInterval(ticker);
  }
  const counts = clients.counts();
  progress(`clients stopped: ${JSON.stringify(counts)}`);

  const outer = new MongoClient(system.mongodbUri);
  try {
    const db = outer.db(system.dbName);
    const audit = await auditAgainstLedger(system, db, users, clients, progress);
    const killed = [...new Set(options.faults.map((f) => f.process))];
    const notBack = [
      ...killed.filter((name) => !system.supervisor.isRunning(name)),
      ...system.events.filter((e) => e.event.type === 'gave-up').map((e) => `gave up: ${e.event.name}`),
    ];
    return { users: userCount, payments: clients.payments, loadSeconds, counts, faults, audit, notBack };
  } finally {
    await outer.close();
  }
}

/** Kills one process and waits for it to be back and for payments to succeed again. */
async function inflict(
  system: SupervisedSystem,
  clients: PayingClients,
  fault: Fault,
  options: ScenarioOptions,
): Promise<FaultFigures> {
  const killed = system.kill(fault.process);
  const killedAtMs = killed.atMs - clients.t0;
  options.progress(`SIGKILL ${fault.process} (${fault.what}, pid ${String(killed.pid)})`);
  const newPid = await system.back(fault.process, killed.pid, options.backTimeoutMs);
  const backAfterMs = clients.now() - killedAtMs;
  const recoveredAt = await until(
    `a payment sent after the SIGKILL of ${fault.process} succeeded`,
    () => Promise.resolve(clients.firstCommitSince(killedAtMs)),
    options.recoveryTimeoutMs,
  ).catch((error: unknown) => {
    const answers = JSON.stringify(clients.answersBetween(killedAtMs, clients.now()));
    throw new Error(`${(error as Error).message}; answers since the kill: ${answers}`, { cause: error });
  });
  const figures: FaultFigures = {
    ...fault,
    killedPid: killed.pid,
    newPid,
    killedAtMs,
    backAfterMs,
    recoveredAfterMs: recoveredAt - killedAtMs,
    answersMeanwhile: clients.answersBetween(killedAtMs, recoveredAt),
  };
  options.progress(
    `${fault.process} back as pid ${String(newPid)} after ${String(backAfterMs)} ms; payments succeed again ` +
      `${String(figures.recoveredAfterMs)} ms after the kill; answers meanwhile ${JSON.stringify(figures.answersMeanwhile)}`,
  );
  return figures;
}

/** One payment sent until it gets a 201 (a few attempts): the marker that ends the audited history. */
async function markerPayment(base: string, from: Funded, to: Funded): Promise<string> {
  return until(
    'the marker payment committed',
    async () => {
      const answer = await httpCall(base, 'POST', '/v1/transfers', {
        token: from.token,
        key: `chaos-marker-${from.name}`,
        body: { to: to.name, amount: '1', paymentPassword: PAYMENT_PASSWORD },
      });
      if (answer.status !== 201) throw new Error(`${String(answer.status)} ${JSON.stringify(answer.body)}`);
      return String(answer.body.txId);
    },
    60_000,
  );
}

async function auditAgainstLedger(
  system: SupervisedSystem,
  db: Db,
  users: readonly Funded[],
  clients: PayingClients,
  progress: (line: string) => void,
): Promise<Audit> {
  // Requests the API still runs (their clients gave up) finish first; records a killed API
  // left pending never will.
  const apiStarts = system.events.filter((e) => e.event.type === 'started' && e.event.name === 'api');
  const lastApiStart = new Date(apiStarts.at(-1)?.atMs ?? 0);
  const idempotency = db.collection<{ state: string; createdAt: Date }>('idempotency');
  await until(
    'the API finished every request it runs',
    async () =>
      (await idempotency.countDocuments({ state: 'pending', createdAt: { $gt: lastApiStart } })) === 0
        ? true
        : undefined,
    180_000,
  );
  const keysLeftPending = await idempotency.countDocuments({ state: 'pending' });

  const [first, second] = users as [Funded, Funded];
  const marker = await markerPayment(system.base, first, second);
  const peer = system.network.peers().find((p) => p.name === 'wallet-1') ?? system.network.peers()[0];
  if (!peer) throw new Error('no peer');
  const connection = connectGateway(peer.endpoint, await system.network.user('WalletOrg', 'api-registrar'));
  try {
    const history = await ledgerHistory(connection, marker, { timeoutMs: 120_000 });
    const totals = ledgerTotals(history);
    progress(`ledger: ${String(history.length)} transactions through the marker ${marker}`);

    const committedNotOnLedger: string[] = [];
    const answeredTwoTxs: string[] = [];
    const paidTwice: string[] = [];
    const refusedButPaid: string[] = [];
    let abandonedButPaid = 0;
    for (const payment of clients.payments) {
      const onLedger = totals.paymentsByMemo.get(sha256Hex(payment.memo)) ?? [];
      if (onLedger.length > 1) paidTwice.push(payment.key);
      const answered = [...new Set(payment.attempts.flatMap((a) => (a.txId ? [a.txId] : [])))];
      if (answered.length > 1) answeredTwoTxs.push(payment.key);
      for (const txId of answered) if (!onLedger.includes(txId)) committedNotOnLedger.push(payment.key);
      if (payment.outcome === 'refused' && onLedger.length > 0) refusedButPaid.push(payment.key);
      if (payment.outcome === 'abandoned' && onLedger.length > 0) abandonedButPaid++;
    }

    const started = Date.now();
    let outerDb = await outerDbDifferences(db, totals);
    const agrees = (d: OuterDbDifferences) =>
      Object.values(d).every((list: readonly string[]) => list.length === 0);
    // The indexer catches up with the last blocks; the reconciler repairs what it finds.
    while (!agrees(outerDb) && Date.now() - started < 90_000) {
      await sleep(1000);
      outerDb = await outerDbDifferences(db, totals);
    }
    const outerDbAgreedAfterMs = Date.now() - started;

    const call: UserCall = (method, path, o) => httpCall(system.base, method, path, o);
    const addressCounts = new Map(
      (
        await db
          .collection<{ _id: string; userId: string }>('addresses')
          .aggregate<{ _id: string; n: number }>([{ $group: { _id: '$userId', n: { $sum: 1 } } }])
          .toArray()
      ).map((row) => [row._id, row.n]),
    );
    const usersDiffering: string[] = [];
    let usersTooManyAddresses = 0;
    for (const user of users) {
      const view = await userView(call, user.token);
      const me = await httpCall(system.base, 'GET', '/v1/me', { token: user.token });
      const fewAddresses = (addressCounts.get(String(me.body.userId)) ?? 0) <= ADDRESSES_READ_FROM_LEDGER;
      if (!fewAddresses) usersTooManyAddresses++;
      const tokensAgree = !fewAddresses || view.index.join() === view.ledger.join();
      // The balance is the outer DB's coins; the bills must add up to it.
      const billsAgree = view.balance === tokensTotal(view.index) && view.billsNet === view.balance;
      if (!tokensAgree || !billsAgree) usersDiffering.push(user.name);
    }
    return {
      ledgerTxs: history.length,
      minted: totals.minted,
      supply: totals.supply,
      committedNotOnLedger,
      answeredTwoTxs,
      paidTwice,
      refusedButPaid,
      abandonedButPaid,
      doubleSpends: totals.doubleSpends,
      unspentMissingFromState: await unspentMissingFromState(connection, totals),
      outerDb,
      usersDiffering,
      usersTooManyAddresses,
      keysLeftPending,
      outerDbAgreedAfterMs,
    };
  } finally {
    connection.close();
  }
}
