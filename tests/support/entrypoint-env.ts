import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { repoRoot } from '@fabric-wallet/operator/tools';

/** The API's container entrypoint: configured by environment and mounted files (api/src/env-config.ts). */
export const entrypointScript = join(repoRoot, 'api', 'dist', 'cli', 'serve.js');

export interface EntrypointOptions {
  /** The local network's data dir (ports.json, orgs/). */
  readonly dataDir: string;
  /** Where the identities are laid out as the operator's Secrets are mounted in the API pod. */
  readonly mountDir: string;
  readonly port: number;
  readonly mongodbUri: string;
  readonly dbName: string;
  readonly adminTokenFile: string;
  readonly vaultKeysFile: string;
  /** A development system: development payments on (`DEV_PAYMENTS`, refused in production). */
  readonly development?: boolean;
}

/**
 * The environment that runs `serve.js` against a local network: the wallet org's first peer,
 * its CA, the API registrar and issuer identities. Values only: secrets stay in the files
 * named.
 */
export async function entrypointEnv(options: EntrypointOptions): Promise<Record<string, string>> {
  const { dataDir } = options;
  const ports = JSON.parse(await readFile(join(dataDir, 'ports.json'), 'utf8')) as Record<string, number>;
  const mount = async (org: string, id: string, mspId: string) => {
    const target = join(options.mountDir, id);
    const msp = join(dataDir, 'orgs', org, 'users', id, 'msp');
    await mkdir(target, { recursive: true });
    await writeFile(join(target, 'mspid'), mspId);
    await copyFile(join(msp, 'signcerts', 'cert.pem'), join(target, 'cert.pem'));
    await copyFile(join(msp, 'keystore', 'key.pem'), join(target, 'key.pem'));
    return target;
  };
  return {
    LOG_LEVEL: 'warn',
    API_PORT: String(options.port),
    MONGODB_URI: options.mongodbUri,
    API_DB_NAME: options.dbName,
    API_ADMIN_TOKEN_FILE: options.adminTokenFile,
    API_VAULT_KEYS_FILE: options.vaultKeysFile,
    ...(options.development ? { API_ENVIRONMENT: 'development', DEV_PAYMENTS: 'true' } : {}),
    FABRIC_PEER_ADDRESS: `127.0.0.1:${String(ports['wallet-0'])}`,
    FABRIC_PEER_TLS_CA_FILE: join(dataDir, 'orgs', 'WalletOrg', 'tlsca', 'ca-cert.pem'),
    FABRIC_REGISTRAR_DIR: await mount('WalletOrg', 'api-registrar', 'WalletOrgMSP'),
    FABRIC_ISSUER_DIR: await mount('WalletOrg', 'issuer', 'WalletOrgMSP'),
    FABRIC_CA_URL: `https://127.0.0.1:${String(ports['walletorg-ca'])}`,
    FABRIC_CA_NAME: 'walletorg-ca',
    FABRIC_CA_TLS_FILE: join(dataDir, 'orgs', 'WalletOrg', 'ca', 'ca-cert.pem'),
  };
}
