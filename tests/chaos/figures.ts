import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { repoRoot } from '@fabric-wallet/operator/tools';
import { machine, writeFigures } from '../bench/system.js';
import type { Profile } from './profiles.js';
import type { ScenarioResult } from './scenario.js';

/** Where `npm run chaos` writes: bench-results/ (not tracked), like the benchmarks. */
export const RESULTS_DIR = join(repoRoot, 'bench-results');

const json = (value: unknown) =>
  JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2);

/**
 * Writes `<name>.json` (settings, counts, each fault's recovery, the audit's findings) and
 * `<name>-payments.json` (every payment with every attempt) to bench-results/.
 */
export async function writeChaosFigures(
  name: string,
  profile: Profile,
  result: ScenarioResult,
): Promise<void> {
  const { audit, counts } = result;
  const recoveryMs: Record<string, number[]> = {};
  for (const fault of result.faults) (recoveryMs[fault.process] ??= []).push(fault.recoveredAfterMs);
  await writeFigures(name, {
    measuredAt: new Date().toISOString(),
    machine: machine(),
    settings: {
      clients: profile.clients,
      users: result.users,
      funds: profile.funds.toString(),
      warmupSeconds: profile.warmupSeconds,
      dwellSeconds: profile.dwellSeconds,
      retry: profile.policy,
      faults: profile.faults.map((f) => f.process),
    },
    loadSeconds: Number(result.loadSeconds.toFixed(1)),
    counts,
    committedPerSecond: Number((counts.committed / result.loadSeconds).toFixed(2)),
    recoveryMs,
    faults: result.faults,
    audit: {
      ledgerTxs: audit.ledgerTxs,
      minted: audit.minted.toString(),
      supply: audit.supply.toString(),
      committedNotOnLedger: audit.committedNotOnLedger.length,
      answeredTwoTxs: audit.answeredTwoTxs.length,
      paidTwice: audit.paidTwice.length,
      refusedButPaid: audit.refusedButPaid.length,
      abandonedButPaid: audit.abandonedButPaid,
      doubleSpends: audit.doubleSpends.length,
      unspentMissingFromState: audit.unspentMissingFromState.length,
      outerDbDifferences: Object.fromEntries(
        Object.entries(audit.outerDb).map(([k, v]: [string, readonly string[]]) => [k, v.length]),
      ),
      usersDiffering: audit.usersDiffering.length,
      keysLeftPending: audit.keysLeftPending,
      outerDbAgreedAfterMs: audit.outerDbAgreedAfterMs,
    },
    notBack: result.notBack,
  });
  await mkdir(RESULTS_DIR, { recursive: true });
  await writeFile(join(RESULTS_DIR, `${name}-payments.json`), `${json(result.payments)}\n`);
}
