import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrgPki } from '../../operator/src/fabric/org-pki.js';
import { ensureCaServer } from '../../operator/src/runtime/local/ca-server.js';
import { FileMaterialStore } from '../../operator/src/runtime/local/file-store.js';
import { Layout } from '../../operator/src/runtime/local/layout.js';
import { PortBook } from '../../operator/src/runtime/local/ports.js';
import { Supervisor } from '../../operator/src/runtime/local/supervisor.js';
import { freePort } from '../support/ports.js';
import { tempDir, type TempDir } from '../support/temp.js';

describe('an org’s PKI from its real Fabric CA and TLS CA', () => {
  let dir: TempDir;
  let supervisor: Supervisor;
  let pki: OrgPki;
  let layout: Layout;

  beforeAll(async () => {
    dir = await tempDir('pki');
    layout = new Layout(dir.path);
    const ports = await PortBook.open(layout.portsFile);
    supervisor = new Supervisor();
    const [ca, tlsca] = await Promise.all([
      ensureCaServer(layout, ports, supervisor, 'WalletOrg', 'ca'),
      ensureCaServer(layout, ports, supervisor, 'WalletOrg', 'tlsca'),
    ]);
    pki = new OrgPki({ org: 'WalletOrg', mspId: 'WalletOrgMSP', ca, tlsca }, new FileMaterialStore(layout));
  });

  afterAll(async () => {
    await supervisor.stopAll();
    await dir.remove();
  });

  it('issues a peer identity with OU=peer and a TLS certificate for 127.0.0.1 from the TLS CA', async () => {
    const { material, created } = await pki.ensure('nodes/wallet-0', {
      id: 'wallet-0',
      type: 'peer',
      tls: { dns: ['localhost', 'wallet-0'], ips: ['127.0.0.1'] },
    });

    expect(created).toBe(true);
    const signer = new X509Certificate(material.signer.certificate);
    expect(signer.subject).toContain('OU=peer');
    expect(signer.verify(new X509Certificate(material.caCert).publicKey)).toBe(true);
    const tls = new X509Certificate(material.tls?.certificate ?? '');
    expect(tls.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(tls.subjectAltName).toContain('DNS:wallet-0');
    expect(tls.verify(new X509Certificate(material.tlsCaCert).publicKey)).toBe(true);
    const keyFile = join(layout.node('wallet-0'), 'msp', 'keystore', 'key.pem');
    const key = createPrivateKey(await readFile(keyFile, 'utf8'));
    expect(key.asymmetricKeyType).toBe('ec');
    expect(key.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect((await stat(keyFile)).mode & 0o077).toBe(0);
  });

  it('creates nothing twice: a second ensure returns the stored identity', async () => {
    const first = await pki.ensure('users/issuer', {
      id: 'issuer',
      type: 'client',
      attrs: { 'wallet.role': 'issuer' },
    });

    const second = await pki.ensure('users/issuer', {
      id: 'issuer',
      type: 'client',
      attrs: { 'wallet.role': 'issuer' },
    });

    expect(second.created).toBe(false);
    expect(second.material.signer.certificate).toBe(first.material.signer.certificate);
  });

  it('re-enrolls an identity whose files were lost, resetting its secret at the CA', async () => {
    const identity = { id: 'forgetful', type: 'client', attrs: { 'wallet.role': 'issuer' } } as const;
    const first = await pki.ensure('users/forgetful', identity);
    const lost = new OrgPki(pki.cas, {
      read: () => Promise.resolve(undefined),
      write: () => Promise.resolve(),
    });

    const again = await lost.ensure('users/forgetful', identity);

    expect(first.created).toBe(true);
    expect(again.created).toBe(true);
    expect(again.material.signer.certificate).not.toBe(first.material.signer.certificate);
    expect(new X509Certificate(again.material.signer.certificate).subject).toContain('CN=forgetful');
  });

  it('enrolls once its CA answers, after a first attempt the CA refused (the refusal is not kept)', async () => {
    // The CA's own port, reached through a port that nothing listens on yet: as a CA pod
    // whose Service exists before its server does.
    const caPort = Number(new URL(pki.cas.ca.url).port);
    const port = await freePort();
    const late = new OrgPki(
      { ...pki.cas, ca: { ...pki.cas.ca, url: `https://127.0.0.1:${String(port)}` } },
      { read: () => Promise.resolve(undefined), write: () => Promise.resolve() },
    );
    const identity = { id: 'late-client', type: 'client' } as const;

    await expect(late.ensure('users/late-client', identity)).rejects.toThrow(/ECONNREFUSED/);
    const proxy = createServer((client) => {
      const upstream = connect(caPort, '127.0.0.1');
      client.pipe(upstream).pipe(client);
      client.once('error', () => upstream.destroy());
      upstream.once('error', () => client.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(port, '127.0.0.1', resolve));
    try {
      const enrolled = await late.ensure('users/late-client', identity);

      expect(enrolled.created).toBe(true);
      expect(new X509Certificate(enrolled.material.signer.certificate).subject).toContain('CN=late-client');
    } finally {
      proxy.close();
    }
  });
});
