import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SupervisedSystem } from '../support/supervised-system.js';
import { RESULTS_DIR, writeChaosFigures } from './figures.js';
import { chosenProfile } from './profiles.js';
import { runScenario, type ScenarioResult } from './scenario.js';

/**
 * Faults a payment platform must survive. While clients pay each other, SIGKILL in turn the
 * API's gateway peer, the orderer, the wallet org's chaincode server, the outer DB server
 * (FerretDB) and the API process itself (`npm run chaos`, CHAOS_PROFILE=long: more clients,
 * every process of the system, each twice, figures in bench-results/chaos.json). The
 * supervisor restarts each, as Kubernetes restarts a container; the clients retry with the
 * same Idempotency-Key. Afterwards the ledger is the judge: every 201 is on it once, no key
 * paid twice, the supply is unchanged, and the outer DB agrees with it. docs/faults.md.
 */

const profile = chosenProfile();
const progress = (line: string) => process.stdout.write(`[faults ${profile.name}] ${line}\n`);
const sum = (counted: Readonly<Record<string, number>>) => Object.values(counted).reduce((a, b) => a + b, 0);

describe(`payments under SIGKILL of each process in turn (${profile.name})`, () => {
  let system: SupervisedSystem;
  let result: ScenarioResult;

  beforeAll(async () => {
    // gRPC's own diagnostics, when asked for, reach the API (its log is in the data dir).
    const grpcTrace = Object.fromEntries(
      ['GRPC_TRACE', 'GRPC_VERBOSITY'].flatMap((name) => {
        const value = process.env[name];
        return value ? [[name, value]] : [];
      }),
    );
    system = await SupervisedSystem.start(`faults-${profile.name}`, progress, {
      ...grpcTrace,
      ...profile.apiEnv,
    });
    result = await runScenario(system, { ...profile, progress });
    progress(`counts: ${JSON.stringify(result.counts)}`);
    for (const fault of result.faults)
      progress(
        `${fault.process}: back after ${String(fault.backAfterMs)} ms, payments again after ${String(fault.recoveredAfterMs)} ms`,
      );
    const { audit } = result;
    progress(
      `ledger: ${String(audit.ledgerTxs)} transactions, supply ${audit.supply.toString()}; ` +
        `abandoned but paid: ${String(audit.abandonedButPaid)}; keys a killed API left pending: ${String(audit.keysLeftPending)}; ` +
        `outer DB agreed ${String(audit.outerDbAgreedAfterMs)} ms after the marker payment`,
    );
    if (profile.figures) await writeChaosFigures(profile.figures, profile, result);
  }, 3_600_000);

  afterAll(async () => {
    await system.stop(profile.figures ? join(RESULTS_DIR, `${profile.figures}-logs`) : undefined);
  });

  // The scenario itself waits, after each kill, for a new process that answers and for a
  // payment sent after the kill to commit, and fails the suite when either does not come in
  // time (its figures are printed above). What is left to check is that they stayed.
  it('keeps every killed process running to the end, none given up by its supervisor', () => {
    expect(result.notBack).toEqual([]);
  });

  it('puts every payment answered 201 on the ledger, as that payment, exactly once', () => {
    expect(result.counts.committed).toBeGreaterThan(0);
    expect(result.audit.committedNotOnLedger).toEqual([]);
    expect(result.audit.answeredTwoTxs).toEqual([]);
    expect(result.audit.paidTwice).toEqual([]);
  });

  it('never charges a payment it answered with a refusal', () => {
    expect(result.audit.refusedButPaid).toEqual([]);
  });

  it('keeps the supply: what was minted, every coin spent at most once, the state holding every unspent coin', () => {
    const funded = profile.funds * BigInt(result.users);

    expect(result.audit.minted).toBe(funded);
    expect(result.audit.supply).toBe(funded);
    expect(result.audit.doubleSpends).toEqual([]);
    expect(result.audit.unspentMissingFromState).toEqual([]);
  });

  it('leaves the outer DB equal to the ledger: transactions, coins, bills, and what each user sees', () => {
    expect(result.audit.outerDb).toEqual({
      txsMissingOrUnindexed: [],
      txsNotOnLedger: [],
      coinsDiffering: [],
      coinsNotOnLedger: [],
      billsDiffering: [],
    });
    expect(result.audit.usersDiffering).toEqual([]);
    expect(result.audit.usersTooManyAddresses).toBe(0);
  });

  it('accounts for every payment tried: committed, refused or abandoned, with retries under the same key', () => {
    const { counts } = result;

    expect(counts.tried).toBe(counts.committed + sum(counts.refused) + sum(counts.abandoned));
    expect(counts.retried).toBeGreaterThan(0);
    expect(counts.retryAttempts).toBeGreaterThanOrEqual(counts.retried);
    expect(counts.answers['201'] ?? 0).toBeGreaterThanOrEqual(counts.committed);
  });
});
