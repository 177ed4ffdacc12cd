import { readFileSync } from 'node:fs';

/** How the chaincode server runs, parsed once from the environment and frozen. */
export interface ServerConfig {
  /** host:port the gRPC server binds (peers connect to it). */
  readonly address: string;
  /** The package id the peer knows this chaincode by: `<label>:<sha256 hex>`. */
  readonly chaincodeId: string;
  readonly tls?: {
    readonly key: Buffer;
    readonly cert: Buffer;
    /** When set, peers must present a client certificate signed by this CA. */
    readonly clientCa?: Buffer;
  };
  /** Also serve the benchmark-only account-model contract (WALLET_BENCH_CONTRACTS=account-model). */
  readonly benchContracts: boolean;
}

/** Every problem with the environment, reported together. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`invalid chaincode server configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

/**
 * Reads CHAINCODE_SERVER_ADDRESS (host:port), CHAINCODE_ID (label:hash) and, for TLS,
 * CHAINCODE_TLS_KEY_FILE + CHAINCODE_TLS_CERT_FILE (+ CHAINCODE_TLS_CLIENT_CA_FILE for mutual TLS).
 */
export function configFromEnv(env: NodeJS.ProcessEnv): ServerConfig {
  const problems: string[] = [];
  const address = env.CHAINCODE_SERVER_ADDRESS ?? '';
  if (!/^[A-Za-z0-9.:[\]-]+:\d{1,5}$/.test(address)) {
    problems.push(
      `CHAINCODE_SERVER_ADDRESS must be host:port, got ${address === '' ? 'nothing' : JSON.stringify(address)}`,
    );
  }
  const chaincodeId = env.CHAINCODE_ID ?? '';
  if (!/^[A-Za-z0-9_.+-]+:[0-9a-f]{64}$/.test(chaincodeId)) {
    problems.push(
      `CHAINCODE_ID must be <label>:<64 hex digits> (the package id), got ${chaincodeId === '' ? 'nothing' : JSON.stringify(chaincodeId)}`,
    );
  }
  const read = (name: string): Buffer | undefined => {
    const path = env[name];
    if (path === undefined || path === '') return undefined;
    try {
      return readFileSync(path);
    } catch (error) {
      problems.push(`${name}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
      return undefined;
    }
  };
  const key = read('CHAINCODE_TLS_KEY_FILE');
  const cert = read('CHAINCODE_TLS_CERT_FILE');
  const clientCa = read('CHAINCODE_TLS_CLIENT_CA_FILE');
  const tlsAsked = ['CHAINCODE_TLS_KEY_FILE', 'CHAINCODE_TLS_CERT_FILE', 'CHAINCODE_TLS_CLIENT_CA_FILE'].some(
    (name) => env[name],
  );
  if (tlsAsked && (env.CHAINCODE_TLS_KEY_FILE === undefined || env.CHAINCODE_TLS_CERT_FILE === undefined)) {
    problems.push('TLS needs both CHAINCODE_TLS_KEY_FILE and CHAINCODE_TLS_CERT_FILE');
  }
  const bench = env.WALLET_BENCH_CONTRACTS ?? '';
  if (bench !== '' && bench !== 'account-model')
    problems.push(`WALLET_BENCH_CONTRACTS must be empty or account-model, got ${JSON.stringify(bench)}`);
  if (problems.length > 0) throw new ConfigError(problems);
  const tls = key && cert ? { key, cert, ...(clientCa ? { clientCa } : {}) } : undefined;
  return Object.freeze({
    address,
    chaincodeId,
    ...(tls ? { tls } : {}),
    benchContracts: bench === 'account-model',
  });
}
