import type { Fault, ScenarioOptions } from './scenario.js';

/**
 * The two sizes of the fault scenario: SHORT in `npm test` (about two and a half minutes on
 * two cores), LONG in `npm run chaos` (CHAOS_PROFILE=long: more clients and users, longer
 * load, more processes, every fault twice; figures written to bench-results/).
 */

/** The processes killed, by their supervisor names (manifests/local/network.yaml, npm start). */
export const VICTIMS = {
  gatewayPeer: { process: 'wallet-0', what: "the API's gateway peer (WalletOrg)" },
  cinemaPeer: {
    process: 'cinema-0',
    what: "CinemaOrg's only peer (every payment needs its endorsement)",
  },
  orderer: { process: 'orderer-0', what: 'the orderer (single-node Raft)' },
  chaincode: { process: 'token_1.0-ccaas', what: "the chaincode server (both orgs' peers use it)" },
  ferretdb: { process: 'ferretdb', what: 'the outer DB server (FerretDB)' },
  postgres: { process: 'postgres', what: "the outer DB's storage (PostgreSQL postmaster)" },
  api: { process: 'api', what: 'the API process (serve.js)' },
} as const satisfies Record<string, Fault>;

export interface Profile extends Omit<ScenarioOptions, 'progress'> {
  readonly name: 'short' | 'long';
  /** Where the figures go: bench-results/<figures>.json (and its payments and logs); none for short. */
  readonly figures?: string;
  /** Added to the API's environment. */
  readonly apiEnv?: Readonly<Record<string, string>>;
}

export const SHORT: Profile = {
  name: 'short',
  clients: 10,
  usersPerClient: 2,
  funds: 1_000_000n,
  warmupSeconds: 5,
  dwellSeconds: 5,
  faults: [VICTIMS.gatewayPeer, VICTIMS.orderer, VICTIMS.chaincode, VICTIMS.ferretdb, VICTIMS.api],
  policy: { attemptTimeoutMs: 30_000, attemptsMax: 12, giveUpAfterMs: 60_000 },
  backTimeoutMs: 60_000,
  recoveryTimeoutMs: 150_000,
  // A request the killed API was running holds its key this long: 5 s instead of the default 30
  // keeps `npm test` short; the long profile measures the default.
  apiEnv: { API_IDEMPOTENCY_LEASE_SECONDS: '5' },
};

const everyProcess = [
  VICTIMS.gatewayPeer,
  VICTIMS.cinemaPeer,
  VICTIMS.orderer,
  VICTIMS.chaincode,
  VICTIMS.ferretdb,
  VICTIMS.postgres,
  VICTIMS.api,
];

export const LONG: Profile = {
  name: 'long',
  figures: 'chaos',
  clients: 24,
  usersPerClient: 4,
  funds: 1_000_000n,
  warmupSeconds: 10,
  dwellSeconds: 20,
  faults: [...everyProcess, ...everyProcess],
  policy: { attemptTimeoutMs: 30_000, attemptsMax: 12, giveUpAfterMs: 60_000 },
  backTimeoutMs: 120_000,
  recoveryTimeoutMs: 180_000,
};

/** The profile CHAOS_PROFILE names (short by default). */
export function chosenProfile(env: NodeJS.ProcessEnv = process.env): Profile {
  const name = env.CHAOS_PROFILE ?? 'short';
  if (name === 'short') return SHORT;
  if (name === 'long') return LONG;
  throw new Error(`CHAOS_PROFILE must be short or long, got ${JSON.stringify(name)}`);
}
