import { randomBytes, X509Certificate } from 'node:crypto';
import FabricCAServices from 'fabric-ca-client';
import { User } from 'fabric-common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toolBin, toolVersion } from '@fabric-wallet/operator/tools';
import { freePort } from '../support/ports.js';
import { run, startProcess, type Started } from '../support/processes.js';
import { tempDir, type TempDir } from '../support/temp.js';

// Fabric CA puts requested attributes into this certificate extension as JSON.
const attributesExtensionOid = '1.2.3.4.5.6.7.8.1';

describe('Fabric CA server and client', () => {
  let server: Started;
  let ca: FabricCAServices;
  let dir: TempDir;
  const adminSecret = randomBytes(12).toString('hex');

  beforeAll(async () => {
    dir = await tempDir('fabric-ca');
    const [port, operationsPort] = [await freePort(), await freePort()];
    server = startProcess(
      'fabric-ca-server',
      toolBin('fabric-ca', 'fabric-ca-server'),
      [
        'start',
        '-b',
        `admin:${adminSecret}`,
        '--home',
        dir.path,
        '--address',
        '127.0.0.1',
        '--port',
        String(port),
      ],
      {
        cwd: dir.path,
        logDir: dir.path,
        env: { FABRIC_CA_SERVER_OPERATIONS_LISTENADDRESS: `127.0.0.1:${operationsPort}` },
      },
    );
    await server.listening(port, 60_000);
    ca = new FabricCAServices(`http://127.0.0.1:${port}`);
  });

  afterAll(async () => {
    await server.stop();
    await dir.remove();
  });

  it('enrolls the bootstrap admin through the fabric-ca-client npm package', async () => {
    const enrollment = await ca.enroll({ enrollmentID: 'admin', enrollmentSecret: adminSecret });

    const certificate = new X509Certificate(enrollment.certificate);
    expect(certificate.subject).toContain('CN=admin');
    expect(certificate.verify(new X509Certificate(enrollment.rootCertificate).publicKey)).toBe(true);
  });

  it('registers an identity with a wallet.role attribute that lands in its enrollment certificate', async () => {
    const admin = await ca.enroll({ enrollmentID: 'admin', enrollmentSecret: adminSecret });
    const registrar = User.createUser('admin', '', 'SmokeMSP', admin.certificate, admin.key.toBytes());
    const id = `u-${randomBytes(6).toString('hex')}`;

    const secret = await ca.register(
      { enrollmentID: id, affiliation: '', attrs: [{ name: 'wallet.role', value: 'customer', ecert: true }] },
      registrar,
    );
    const enrollment = await ca.enroll({ enrollmentID: id, enrollmentSecret: secret });

    const pem = new X509Certificate(enrollment.certificate).toString();
    expect(pem).toContain('BEGIN CERTIFICATE');
    const attrs = readAttributes(enrollment.certificate);
    expect(attrs['wallet.role']).toBe('customer');
  });

  it('reports its version from the binaries', async () => {
    const serverVersion = await run(toolBin('fabric-ca', 'fabric-ca-server'), ['version']);
    const clientVersion = await run(toolBin('fabric-ca', 'fabric-ca-client'), ['version']);

    const expected = toolVersion('FABRIC_CA_VERSION').replace(/^v/, '');
    expect(serverVersion.output).toContain(`Version: ${expected}`);
    expect(clientVersion.output).toContain(`Version: ${expected}`);
  });
});

/** The `attrs` object of Fabric CA's attribute extension, found by its JSON in the DER. */
function readAttributes(pem: string): Record<string, string> {
  const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  const text = der.toString('latin1');
  const start = text.indexOf('{"attrs":');
  expect(start, `certificate has no ${attributesExtensionOid} attribute extension`).toBeGreaterThanOrEqual(0);
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    if (text[i] === '{') depth++;
    if (text[i] === '}' && --depth === 0) {
      const parsed = JSON.parse(text.slice(start, i + 1)) as { attrs: Record<string, string> };
      return parsed.attrs;
    }
  }
  throw new Error('unterminated attribute extension');
}
