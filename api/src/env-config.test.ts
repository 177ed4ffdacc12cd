import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, minorUnitName } from './config.js';
import { apiConfigFromEnv, moneyConfigFromEnv } from './env-config.js';

describe('API configuration from the environment (containers)', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'api-env-'));
    for (const id of ['registrar', 'issuer']) {
      await mkdir(join(dir, id));
      await writeFile(join(dir, id, 'mspid'), 'WalletOrgMSP\n');
      await writeFile(join(dir, id, 'cert.pem'), `cert of ${id}`);
      await writeFile(join(dir, id, 'key.pem'), `key of ${id}`);
    }
    await writeFile(join(dir, 'tls.pem'), 'tls root');
    await writeFile(join(dir, 'token'), 'a'.repeat(32));
    await writeFile(join(dir, 'vault-keys'), `k2 ${'B'.repeat(43)}\nk1 ${'A'.repeat(43)}\n`);
    await writeFile(join(dir, 'short-key'), `k1 ${'C'.repeat(20)}\n`);
    env = {
      MONGODB_URI: 'mongodb://mongo:27017/',
      API_ADMIN_TOKEN_FILE: join(dir, 'token'),
      API_VAULT_KEYS_FILE: join(dir, 'vault-keys'),
      FABRIC_PEER_ADDRESS: 'wallet-0.fabric.svc:7051',
      FABRIC_PEER_TLS_CA_FILE: join(dir, 'tls.pem'),
      FABRIC_REGISTRAR_DIR: join(dir, 'registrar'),
      FABRIC_ISSUER_DIR: join(dir, 'issuer'),
      FABRIC_CA_URL: 'https://wallet-ca.fabric.svc:7054',
      FABRIC_CA_NAME: 'wallet-ca-ca',
      FABRIC_CA_TLS_FILE: join(dir, 'tls.pem'),
    };
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads identities from mounted Secret directories', () => {
    const config = apiConfigFromEnv(env);

    expect(config.fabric.registrar).toEqual({
      mspId: 'WalletOrgMSP',
      certificate: 'cert of registrar',
      privateKeyPem: 'key of registrar',
    });
    expect(config.adminToken).toHaveLength(32);
    expect(config.vaultKeyring.currentId).toBe('k2');
    expect(config.vaultKeyring.key('k1')).toHaveLength(32);
    expect(config.port).toBe(8080);
    expect(config.rateLimits).toEqual({ enabled: true, trustedProxyHops: 0 });
    expect(config.passwordHashing.queue).toBe(64);
  });

  it('lists every missing or bad setting at once, without echoing secret values', () => {
    let problems: readonly string[] = [];
    try {
      apiConfigFromEnv({
        ...env,
        MONGODB_URI: '',
        API_PORT: '70000',
        FABRIC_ISSUER_DIR: join(dir, 'nope'),
        API_VAULT_KEYS_FILE: join(dir, 'short-key'),
        API_RATE_LIMITS: 'maybe',
        API_TRUSTED_PROXY_HOPS: '-1',
      });
    } catch (error) {
      if (error instanceof ConfigError) problems = error.problems;
    }

    expect(problems).toEqual(
      expect.arrayContaining([
        'MONGODB_URI is required',
        'API_PORT must be an integer between 1 and 65535, got "70000"',
        expect.stringMatching(/^FABRIC_ISSUER_DIR: cannot read .*nope\/mspid \(ENOENT\)$/),
        'API_VAULT_KEYS_FILE: vault key k1 is 15 bytes, not 32',
        'API_RATE_LIMITS must be on or off, got "maybe"',
        'API_TRUSTED_PROXY_HOPS must be an integer between 0 and 10, got "-1"',
      ]),
    );
    expect(problems.join('\n')).not.toContain('a'.repeat(32));
    expect(problems.join('\n')).not.toContain('C'.repeat(20));
  });

  it('refuses development payments unless the environment is development', () => {
    const problemsOf = (extra: NodeJS.ProcessEnv) => {
      try {
        apiConfigFromEnv({ ...env, ...extra });
        return [];
      } catch (error) {
        return error instanceof ConfigError ? error.problems : ['not a ConfigError'];
      }
    };

    expect(apiConfigFromEnv(env)).toMatchObject({ environment: 'production', devPayments: false });
    expect(problemsOf({ DEV_PAYMENTS: 'true' })).toEqual([
      expect.stringMatching(/^DEV_PAYMENTS=true is refused in a production configuration/),
    ]);
    expect(problemsOf({ DEV_PAYMENTS: 'true', API_ENVIRONMENT: 'production' })).toHaveLength(1);
    expect(problemsOf({ DEV_PAYMENTS: 'yes', API_ENVIRONMENT: 'development' })).toEqual([
      'DEV_PAYMENTS must be true or false, got "yes"',
    ]);
    expect(problemsOf({ API_ENVIRONMENT: 'staging' })).toEqual([
      'API_ENVIRONMENT must be production or development, got "staging"',
    ]);
    expect(apiConfigFromEnv({ ...env, DEV_PAYMENTS: 'true', API_ENVIRONMENT: 'development' })).toMatchObject({
      environment: 'development',
      devPayments: true,
    });
  });

  it('counts amounts in CNY hundredths unless WALLET_CURRENCY and its exponent say otherwise', () => {
    const yen = apiConfigFromEnv({ ...env, WALLET_CURRENCY: 'JPY', WALLET_CURRENCY_EXPONENT: '0' });

    expect(apiConfigFromEnv(env).money).toEqual({ currency: 'CNY', exponent: 2 });
    expect(yen.money).toEqual({ currency: 'JPY', exponent: 0 });
  });

  it('refuses a currency that is not an ISO 4217 code and an exponent out of 0 to 4', () => {
    let problems: readonly string[] = [];
    try {
      apiConfigFromEnv({ ...env, WALLET_CURRENCY: 'yuan', WALLET_CURRENCY_EXPONENT: '2.5' });
    } catch (error) {
      if (error instanceof ConfigError) problems = error.problems;
    }

    expect(problems).toEqual([
      'WALLET_CURRENCY must be an ISO 4217 code such as CNY, got "yuan"',
      'WALLET_CURRENCY_EXPONENT must be an integer between 0 and 4, got "2.5"',
    ]);
  });

  it('holds an Idempotency-Key 30 s without renewal unless API_IDEMPOTENCY_LEASE_SECONDS says 5 to 600', () => {
    expect(apiConfigFromEnv(env).idempotencyLeaseSeconds).toBe(30);
    expect(apiConfigFromEnv({ ...env, API_IDEMPOTENCY_LEASE_SECONDS: '5' }).idempotencyLeaseSeconds).toBe(5);
    expect(() => apiConfigFromEnv({ ...env, API_IDEMPOTENCY_LEASE_SECONDS: '1' })).toThrow(
      'API_IDEMPOTENCY_LEASE_SECONDS must be an integer between 5 and 600, got "1"',
    );
  });

  it('reads the money settings alone for the npm start launcher, with the same rules', () => {
    expect(moneyConfigFromEnv({})).toEqual({ currency: 'CNY', exponent: 2 });
    expect(moneyConfigFromEnv({ WALLET_CURRENCY: 'KWD', WALLET_CURRENCY_EXPONENT: '3' })).toEqual({
      currency: 'KWD',
      exponent: 3,
    });
    expect(() => moneyConfigFromEnv({ WALLET_CURRENCY_EXPONENT: '9' })).toThrow(
      'WALLET_CURRENCY_EXPONENT must be an integer between 0 and 4, got "9"',
    );
  });
});

describe('the name of a minor unit', () => {
  it.each([
    { currency: 'CNY', exponent: 2, name: '0.01 CNY' },
    { currency: 'KWD', exponent: 3, name: '0.001 KWD' },
    { currency: 'JPY', exponent: 0, name: 'JPY' },
  ])('is $name for $currency at exponent $exponent', ({ currency, exponent, name }) => {
    expect(minorUnitName({ currency, exponent })).toBe(name);
  });
});
