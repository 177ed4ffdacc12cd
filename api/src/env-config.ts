import { join } from 'node:path';
import {
  ConfigError,
  CURRENCY_EXPONENT_MAX,
  DEFAULT_MONEY,
  fileFrom,
  integerFrom,
  type ApiConfig,
  type MoneyConfig,
  type PemIdentity,
} from './config.js';
import { DEFAULT_HASHING_LIMITS } from './security/passwords.js';
import { KeyringError, VaultKeyring } from './security/vault.js';

/** The vault keyring from the file API_VAULT_KEYS_FILE names (a mounted Secret). */
function keyringFrom(env: NodeJS.ProcessEnv, problems: string[]): VaultKeyring {
  const known = problems.length;
  const text = fileFrom(env, 'API_VAULT_KEYS_FILE', problems);
  try {
    return VaultKeyring.parse(text);
  } catch (error) {
    if (problems.length === known && error instanceof KeyringError)
      problems.push(`API_VAULT_KEYS_FILE: ${error.message}`);
    // A placeholder so the other problems are still listed; nothing starts with it.
    return VaultKeyring.parse(VaultKeyring.generate());
  }
}

/** An identity mounted from a Secret the operator wrote: <dir>/mspid, cert.pem, key.pem. */
function identityFrom(env: NodeJS.ProcessEnv, name: string, problems: string[]): PemIdentity {
  const dir = env[name];
  if (!dir) {
    problems.push(`${name} is required (a directory with mspid, cert.pem and key.pem)`);
    return { mspId: '', certificate: '', privateKeyPem: '' };
  }
  const read = (file: string) => fileFrom({ [name]: join(dir, file) }, name, problems).trim();
  return { mspId: read('mspid'), certificate: read('cert.pem'), privateKeyPem: read('key.pem') };
}

/** WALLET_CURRENCY (an ISO 4217 code) and WALLET_CURRENCY_EXPONENT (its minor-unit digits). */
export function moneyFrom(env: NodeJS.ProcessEnv, problems: string[]): MoneyConfig {
  const currency = env.WALLET_CURRENCY ?? DEFAULT_MONEY.currency;
  if (!/^[A-Z]{3}$/.test(currency))
    problems.push(`WALLET_CURRENCY must be an ISO 4217 code such as CNY, got ${JSON.stringify(currency)}`);
  return {
    currency,
    exponent: integerFrom(
      env,
      'WALLET_CURRENCY_EXPONENT',
      DEFAULT_MONEY.exponent,
      0,
      CURRENCY_EXPONENT_MAX,
      problems,
    ),
  };
}

/**
 * The API's configuration in a container (Kubernetes): every setting from the environment,
 * secrets and certificates from files (mounted Secrets), never from variables' values.
 * Every problem is reported at once; nothing starts with a partial configuration.
 */
export function apiConfigFromEnv(env: NodeJS.ProcessEnv): ApiConfig {
  const problems: string[] = [];
  const required = (name: string) => {
    const value = env[name];
    if (!value) problems.push(`${name} is required`);
    return value ?? '';
  };
  const merchant = env.MERCHANT_CA_URL
    ? {
        merchantCa: {
          url: env.MERCHANT_CA_URL,
          caName: required('MERCHANT_CA_NAME'),
          tlsRootCert: fileFrom(env, 'MERCHANT_CA_TLS_FILE', problems),
          registrar: identityFrom(env, 'MERCHANT_REGISTRAR_DIR', problems),
        },
      }
    : {};
  const environment = env.API_ENVIRONMENT ?? 'production';
  if (environment !== 'production' && environment !== 'development')
    problems.push(`API_ENVIRONMENT must be production or development, got ${JSON.stringify(environment)}`);
  const devPayments = env.DEV_PAYMENTS ?? 'false';
  if (devPayments !== 'true' && devPayments !== 'false')
    problems.push(`DEV_PAYMENTS must be true or false, got ${JSON.stringify(devPayments)}`);
  else if (devPayments === 'true' && environment !== 'development')
    problems.push(
      'DEV_PAYMENTS=true is refused in a production configuration: development payments mint tokens ' +
        'without a payment provider (set API_ENVIRONMENT=development on a development system only)',
    );
  const rateLimits = env.API_RATE_LIMITS ?? 'on';
  if (rateLimits !== 'on' && rateLimits !== 'off')
    problems.push(`API_RATE_LIMITS must be on or off, got ${JSON.stringify(rateLimits)}`);
  const config: ApiConfig = {
    host: env.API_HOST ?? '127.0.0.1',
    port: integerFrom(env, 'API_PORT', 8080, 1, 65535, problems),
    mongodbUri: required('MONGODB_URI'),
    dbName: env.API_DB_NAME ?? 'fabric-wallet',
    adminToken: fileFrom(env, 'API_ADMIN_TOKEN_FILE', problems).trim(),
    vaultKeyring: keyringFrom(env, problems),
    sessionTtlMs: integerFrom(env, 'SESSION_TTL_SECONDS', 12 * 3600, 60, 30 * 86_400, problems) * 1000,
    bodyLimitBytes: integerFrom(env, 'BODY_LIMIT_BYTES', 64 * 1024, 1024, 16 * 1024 * 1024, problems),
    environment: environment === 'development' ? 'development' : 'production',
    devPayments: devPayments === 'true',
    idempotencyLeaseSeconds: integerFrom(env, 'API_IDEMPOTENCY_LEASE_SECONDS', 30, 5, 600, problems),
    rateLimits: {
      enabled: rateLimits !== 'off',
      trustedProxyHops: integerFrom(env, 'API_TRUSTED_PROXY_HOPS', 0, 0, 10, problems),
    },
    passwordHashing: {
      concurrency: integerFrom(
        env,
        'API_HASH_CONCURRENCY',
        DEFAULT_HASHING_LIMITS.concurrency,
        1,
        64,
        problems,
      ),
      queue: integerFrom(env, 'API_HASH_QUEUE', DEFAULT_HASHING_LIMITS.queue, 0, 10_000, problems),
    },
    money: moneyFrom(env, problems),
    fabric: {
      channel: env.FABRIC_CHANNEL ?? 'payments',
      chaincode: env.FABRIC_CHAINCODE ?? 'token',
      peer: {
        address: required('FABRIC_PEER_ADDRESS'),
        tlsRootCert: fileFrom(env, 'FABRIC_PEER_TLS_CA_FILE', problems),
      },
      registrar: identityFrom(env, 'FABRIC_REGISTRAR_DIR', problems),
      issuer: identityFrom(env, 'FABRIC_ISSUER_DIR', problems),
      ca: {
        url: required('FABRIC_CA_URL'),
        caName: required('FABRIC_CA_NAME'),
        tlsRootCert: fileFrom(env, 'FABRIC_CA_TLS_FILE', problems),
      },
      ...merchant,
    },
  };
  if (config.adminToken.length > 0 && config.adminToken.length < 24)
    problems.push('API_ADMIN_TOKEN_FILE must hold at least 24 characters');
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config);
}

/** The money settings alone (the `npm start` launcher reads these from its environment too). */
export function moneyConfigFromEnv(env: NodeJS.ProcessEnv): MoneyConfig {
  const problems: string[] = [];
  const money = moneyFrom(env, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return money;
}
