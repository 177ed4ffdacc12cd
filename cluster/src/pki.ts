import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { NODE, type Layout } from './layout.js';

const exec = promisify(execFile);

/** The components that call the API server, each with its own bearer token and identity. */
export const CLIENTS = {
  admin: { user: 'cluster-admin', groups: ['system:masters'] },
  kubelet: { user: `system:node:${NODE.name}`, groups: ['system:nodes'] },
  proxy: { user: 'system:kube-proxy', groups: [] },
  scheduler: { user: 'system:kube-scheduler', groups: [] },
  controllerManager: { user: 'system:kube-controller-manager', groups: [] },
} as const;
export type Client = keyof typeof CLIENTS;

/** The cluster's credentials: file paths (keys are 0600) and the clients' tokens. */
export interface Pki {
  readonly caCert: string;
  readonly caKey: string;
  readonly apiServerCert: string;
  readonly apiServerKey: string;
  /** The API server's client certificate towards the kubelet (x509 authentication there). */
  readonly kubeletClientCert: string;
  readonly kubeletClientKey: string;
  readonly kubeletServingCert: string;
  readonly kubeletServingKey: string;
  readonly serviceAccountKey: string;
  readonly serviceAccountPub: string;
  readonly tokenFile: string;
  readonly tokens: Readonly<Record<Client, string>>;
}

function paths(dir: string): Omit<Pki, 'tokens'> {
  return {
    caCert: join(dir, 'ca.crt'),
    caKey: join(dir, 'ca.key'),
    apiServerCert: join(dir, 'apiserver.crt'),
    apiServerKey: join(dir, 'apiserver.key'),
    kubeletClientCert: join(dir, 'apiserver-kubelet-client.crt'),
    kubeletClientKey: join(dir, 'apiserver-kubelet-client.key'),
    kubeletServingCert: join(dir, 'kubelet.crt'),
    kubeletServingKey: join(dir, 'kubelet.key'),
    serviceAccountKey: join(dir, 'sa.key'),
    serviceAccountPub: join(dir, 'sa.pub'),
    tokenFile: join(dir, 'tokens.csv'),
  };
}

async function openssl(args: string[]): Promise<void> {
  try {
    await exec('openssl', args);
  } catch (error) {
    const failure = error as { code?: string; stderr?: string };
    if (failure.code === 'ENOENT')
      throw new Error("prerequisite missing: 'openssl' is not on PATH (Debian package openssl)", {
        cause: error,
      });
    throw new Error(`openssl ${args[0] ?? ''} failed: ${failure.stderr?.trim() ?? String(error)}`, {
      cause: error,
    });
  }
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

/** One leaf certificate signed by the cluster CA (OpenSSL 3 `req -x509 -CA`). */
async function leaf(
  pki: Omit<Pki, 'tokens'>,
  cert: string,
  key: string,
  subject: string,
  usage: 'serverAuth' | 'clientAuth',
  altNames: readonly string[] = [],
): Promise<void> {
  const extensions = [
    '-addext',
    `extendedKeyUsage=${usage}`,
    '-addext',
    'basicConstraints=critical,CA:FALSE',
  ];
  if (altNames.length > 0) extensions.push('-addext', `subjectAltName=${altNames.join(',')}`);
  await openssl([
    'req', '-x509', '-new', '-CA', pki.caCert, '-CAkey', pki.caKey, ...EC,
    '-keyout', key, '-out', cert, '-days', '365', '-subj', subject, ...extensions,
  ]); // prettier-ignore
}

/**
 * Creates the cluster's CA, serving and client certificates, the service-account key pair and
 * the token file once; later calls read them back. Nothing here leaves the data directory.
 */
export async function ensurePki(layout: Layout): Promise<Pki> {
  await mkdir(layout.pki, { recursive: true, mode: 0o700 });
  const files = paths(layout.pki);
  if (!existsSync(files.tokenFile)) {
    await openssl([
      'req', '-x509', '-new', ...EC, '-keyout', files.caKey, '-out', files.caCert,
      '-days', '3650', '-subj', '/CN=fabric-wallet-cluster-ca',
    ]); // prettier-ignore
    const apiNames = [
      `IP:127.0.0.1`,
      `IP:${NODE.ip}`,
      `IP:${NODE.apiServiceIp}`,
      'DNS:localhost',
      'DNS:kubernetes',
      'DNS:kubernetes.default',
      'DNS:kubernetes.default.svc',
      `DNS:kubernetes.default.svc.${NODE.clusterDomain}`,
    ];
    await leaf(files, files.apiServerCert, files.apiServerKey, '/CN=kube-apiserver', 'serverAuth', apiNames);
    await leaf(
      files,
      files.kubeletClientCert,
      files.kubeletClientKey,
      '/O=system:masters/CN=kube-apiserver-kubelet-client',
      'clientAuth',
    );
    await leaf(files, files.kubeletServingCert, files.kubeletServingKey, `/CN=${NODE.name}`, 'serverAuth', [
      `IP:${NODE.ip}`,
      `DNS:${NODE.name}`,
    ]);
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    await writeFile(files.serviceAccountKey, privateKey.export({ type: 'pkcs8', format: 'pem' }), {
      mode: 0o600,
    });
    await writeFile(files.serviceAccountPub, publicKey.export({ type: 'spki', format: 'pem' }));
    const lines = Object.values(CLIENTS).map((client, index) => {
      const token = randomBytes(24).toString('hex');
      const groups = client.groups.length > 0 ? `,"${client.groups.join(',')}"` : '';
      return `${token},${client.user},uid-${String(index)}${groups}`;
    });
    await writeFile(files.tokenFile, `${lines.join('\n')}\n`, { mode: 0o600 });
  }
  const tokenLines = (await readFile(files.tokenFile, 'utf8')).trim().split('\n');
  const names = Object.keys(CLIENTS) as Client[];
  const tokens = Object.fromEntries(
    names.map((name) => {
      const line = tokenLines.find((entry) => entry.split(',')[1] === CLIENTS[name].user);
      if (!line)
        throw new Error(`${files.tokenFile} has no token for ${CLIENTS[name].user}; remove ${layout.pki}`);
      return [name, line.split(',')[0] ?? ''];
    }),
  ) as Record<Client, string>;
  return { ...files, tokens };
}

/** A kubeconfig for one client, trusting the cluster CA. */
export function kubeconfig(pki: Pki, client: Client, server: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'fabric-wallet', cluster: { server, 'certificate-authority': pki.caCert } }],
    users: [{ name: client, user: { token: pki.tokens[client] } }],
    contexts: [{ name: 'fabric-wallet', context: { cluster: 'fabric-wallet', user: client } }],
    'current-context': 'fabric-wallet',
  });
}
