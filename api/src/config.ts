import { readFileSync } from 'node:fs';
import type { HashingLimits } from './security/passwords.js';
import type { VaultKeyring } from './security/vault.js';

/** How the API runs, parsed once from the environment and frozen. */
export interface ApiConfig {
  readonly host: string;
  readonly port: number;
  readonly mongodbUri: string;
  readonly dbName: string;
  /** Bearer credential for the admin routes (merchant and issuer accounts). */
  readonly adminToken: string;
  /** Server keys that wrap the users' data keys (security/vault.ts); never in the outer DB. */
  readonly vaultKeyring: VaultKeyring;
  readonly sessionTtlMs: number;
  readonly bodyLimitBytes: number;
  /**
   * `production` (the container default) refuses development-only features; `development`
   * (npm start, the tests) allows them.
   */
  readonly environment: 'production' | 'development';
  /**
   * The development payment provider (POST /v1/dev/payments/{orderId}/confirm mints an order
   * for its owner or the admin). Only in the development environment.
   */
  readonly devPayments: boolean;
  /**
   * How long a request holds its Idempotency-Key without renewing it (API_IDEMPOTENCY_LEASE_SECONDS,
   * 5-600, default 30): after the API process died mid-request, a retry waits this long.
   */
  readonly idempotencyLeaseSeconds: number;
  /** Per-client rate limits (middleware/limits.ts); off only for a load generator on one address. */
  readonly rateLimits: {
    readonly enabled: boolean;
    /** Reverse proxies in front of the API whose X-Forwarded-For entry is trusted (0: none). */
    readonly trustedProxyHops: number;
  };
  /** The bounded queue of password hashing (security/passwords.ts). */
  readonly passwordHashing: HashingLimits;
  /** The currency amounts are counted in (the web wallet's display, the bills CSV header). */
  readonly money: MoneyConfig;
  readonly fabric: FabricConfig;
}

/**
 * The currency of every amount: amounts are whole minor units, `10^-exponent` of `currency`
 * (exponent 2: 1250 is 12.50). The ledger knows only the integers; this says what they count.
 */
export interface MoneyConfig {
  /** An ISO 4217 code such as CNY. */
  readonly currency: string;
  /** Digits after the decimal point of the currency (0 to 4; 2 for CNY, 0 for JPY). */
  readonly exponent: number;
}

export const DEFAULT_MONEY: MoneyConfig = Object.freeze({ currency: 'CNY', exponent: 2 });
export const CURRENCY_EXPONENT_MAX = 4;

/** What one minor unit is worth, as a CSV header or a label says it: `0.01 CNY` (`JPY` at exponent 0). */
export function minorUnitName(money: MoneyConfig): string {
  return money.exponent === 0 ? money.currency : `0.${'1'.padStart(money.exponent, '0')} ${money.currency}`;
}

export interface PemIdentity {
  readonly mspId: string;
  readonly certificate: string;
  readonly privateKeyPem: string;
}

export interface FabricConfig {
  readonly channel: string;
  readonly chaincode: string;
  /** The gateway peer of the wallet operator's org. */
  readonly peer: { readonly address: string; readonly tlsRootCert: string; readonly hostOverride?: string };
  /** Enrolls customers (random ids, wallet.role=customer). */
  readonly registrar: PemIdentity;
  /** Mints paid recharges. */
  readonly issuer: PemIdentity;
  readonly ca: { readonly url: string; readonly caName: string; readonly tlsRootCert: string };
  /** CAs where merchant accounts are registered (the cinema org's). */
  readonly merchantCa?: {
    readonly url: string;
    readonly caName: string;
    readonly tlsRootCert: string;
    readonly registrar: PemIdentity;
  };
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`invalid API configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

/** Reads a file named by an environment variable, recording a problem when it cannot. */
export function fileFrom(env: NodeJS.ProcessEnv, name: string, problems: string[]): string {
  const path = env[name];
  if (!path) {
    problems.push(`${name} is required (a file path)`);
    return '';
  }
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    problems.push(`${name}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    return '';
  }
}

export function integerFrom(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  min: number,
  max: number,
  problems: string[],
): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    problems.push(`${name} must be an integer between ${min} and ${max}, got ${JSON.stringify(text)}`);
    return fallback;
  }
  return value;
}
