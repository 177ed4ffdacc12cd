import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_MONEY, type ApiConfig, type FabricConfig, type PemIdentity } from './config.js';
import { DEFAULT_HASHING_LIMITS } from './security/passwords.js';
import { VaultKeyring } from './security/vault.js';

/** Reads an identity that the local runtime enrolled into its data dir. */
async function identity(dataDir: string, org: string, id: string, mspId: string): Promise<PemIdentity> {
  const dir = join(dataDir, 'orgs', org, 'users', id, 'msp');
  return {
    mspId,
    certificate: await readFile(join(dir, 'signcerts', 'cert.pem'), 'utf8'),
    privateKeyPem: await readFile(join(dir, 'keystore', 'key.pem'), 'utf8'),
  };
}

/**
 * The API's Fabric settings for the network `npm start` runs: endpoints from the data dir's
 * ports.json, identities enrolled by the local runtime (api-registrar and issuer of
 * WalletOrg, cinema-registrar of CinemaOrg).
 */
export async function localFabricConfig(dataDir: string): Promise<FabricConfig> {
  const ports = JSON.parse(await readFile(join(dataDir, 'ports.json'), 'utf8')) as Record<string, number>;
  const port = (name: string) => {
    const value = ports[name];
    if (value === undefined) throw new Error(`${dataDir}/ports.json has no ${name}: is the network up?`);
    return value;
  };
  const caTls = (org: string) => readFile(join(dataDir, 'orgs', org, 'ca', 'ca-cert.pem'), 'utf8');
  return {
    channel: 'payments',
    chaincode: 'token',
    peer: {
      address: `127.0.0.1:${port('wallet-0')}`,
      tlsRootCert: await readFile(join(dataDir, 'orgs', 'WalletOrg', 'tlsca', 'ca-cert.pem'), 'utf8'),
      hostOverride: 'localhost',
    },
    registrar: await identity(dataDir, 'WalletOrg', 'api-registrar', 'WalletOrgMSP'),
    issuer: await identity(dataDir, 'WalletOrg', 'issuer', 'WalletOrgMSP'),
    ca: {
      url: `https://127.0.0.1:${port('walletorg-ca')}`,
      caName: 'walletorg-ca',
      tlsRootCert: await caTls('WalletOrg'),
    },
    merchantCa: {
      url: `https://127.0.0.1:${port('cinemaorg-ca')}`,
      caName: 'cinemaorg-ca',
      tlsRootCert: await caTls('CinemaOrg'),
      registrar: await identity(dataDir, 'CinemaOrg', 'cinema-registrar', 'CinemaOrgMSP'),
    },
  };
}

/** The outer DB's database name for local runs (npm start, the tests). */
export const LOCAL_DB_NAME = 'fabric-wallet';

/** Defaults for local runs; every value can be overridden by the caller. */
export function localApiConfig(fabric: FabricConfig, overrides: Partial<ApiConfig> = {}): ApiConfig {
  return Object.freeze({
    host: '127.0.0.1',
    port: 8080,
    mongodbUri: 'mongodb://127.0.0.1:27017/',
    dbName: LOCAL_DB_NAME,
    adminToken: '',
    // A fresh random key: fine for a test's throwaway outer DB. `npm start` passes its file's.
    vaultKeyring: VaultKeyring.parse(VaultKeyring.generate()),
    sessionTtlMs: 12 * 3600_000,
    bodyLimitBytes: 64 * 1024,
    environment: 'development',
    devPayments: true,
    idempotencyLeaseSeconds: 30,
    rateLimits: { enabled: true, trustedProxyHops: 0 },
    passwordHashing: DEFAULT_HASHING_LIMITS,
    money: DEFAULT_MONEY,
    fabric,
    ...overrides,
  });
}
