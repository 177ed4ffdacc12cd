import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { toolBin } from '../../tools/paths.js';
import type { Layout } from './layout.js';
import type { PortBook } from './ports.js';
import type { Supervisor } from './supervisor.js';
import { waitForHttps } from './wait.js';

/** A running Fabric CA server: where it is and what its clients trust. */
export interface CaEndpoint {
  readonly url: string;
  /** The CA's name (`--ca.name`); requests name it. */
  readonly caName: string;
  /** The CA's own certificate: signs its identities and its TLS endpoint. */
  readonly caCert: string;
  /** Bootstrap admin credentials (kept in the CA home, mode 0600). */
  readonly admin: { readonly id: string; readonly secret: string };
}

/**
 * Starts (or keeps running) one fabric-ca-server: an org's enrollment CA or its TLS CA, with
 * TLS on its own endpoint, bound to 127.0.0.1. The bootstrap secret is generated once and
 * passed through the environment (FABRIC_CA_SERVER_BOOT), never on the command line.
 */
export async function ensureCaServer(
  layout: Layout,
  ports: PortBook,
  supervisor: Supervisor,
  org: string,
  which: 'ca' | 'tlsca',
): Promise<CaEndpoint> {
  const home = layout.caHome(org, which);
  await mkdir(home, { recursive: true, mode: 0o700 });
  const secretFile = join(home, 'bootstrap-admin.secret');
  let secret: string;
  try {
    secret = (await readFile(secretFile, 'utf8')).trim();
  } catch {
    secret = randomBytes(18).toString('base64url');
    await writeFile(secretFile, secret, { mode: 0o600 });
  }
  const name = `${org.toLowerCase()}-${which}`;
  const port = await ports.port(name);
  const operationsPort = await ports.port(`${name}-operations`);
  supervisor.ensure({
    name,
    command: toolBin('fabric-ca', 'fabric-ca-server'),
    args: [
      'start',
      '--home',
      home,
      '--address',
      '127.0.0.1',
      '--port',
      String(port),
      '--tls.enabled',
      '--ca.name',
      name,
      '--csr.cn',
      name,
      '--csr.hosts',
      '127.0.0.1,localhost',
    ],
    env: {
      PATH: process.env.PATH ?? '',
      FABRIC_CA_SERVER_BOOT: `admin:${secret}`,
      FABRIC_CA_SERVER_OPERATIONS_LISTENADDRESS: `127.0.0.1:${operationsPort}`,
      FABRIC_CA_SERVER_CSR_NAMES_0_O: org,
    },
    cwd: home,
    logFile: layout.log(name),
  });
  const url = `https://127.0.0.1:${port}`;
  const caCertFile = join(home, 'ca-cert.pem');
  const caCert = await waitForHttps(`${url}/cainfo`, caCertFile, 60_000, () => supervisor.isRunning(name));
  return { url, caName: name, caCert, admin: { id: 'admin', secret } };
}
