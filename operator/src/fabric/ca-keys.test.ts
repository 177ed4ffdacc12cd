import { createPrivateKey, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createCaRoot, createServerCertificate } from './ca-keys.js';

describe('CA roots made by the operator', () => {
  it('creates a self-signed CA certificate whose key matches', () => {
    const root = createCaRoot('wallet-ca', 'WalletOrg');
    const cert = new X509Certificate(root.certificate);

    expect(cert.ca).toBe(true);
    expect(cert.subject).toContain('O=WalletOrg');
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.checkPrivateKey(createPrivateKey(root.privateKeyPem))).toBe(true);
  });

  it('signs a TLS server certificate for the service names, valid under the root', () => {
    const root = createCaRoot('wallet-tlsca', 'WalletOrg');
    const server = createServerCertificate(root, 'wallet-ca', {
      dns: ['wallet-ca', 'wallet-ca.ns.svc'],
      ips: ['127.0.0.1'],
    });
    const cert = new X509Certificate(server.certificate);

    expect(cert.ca).toBe(false);
    expect(cert.verify(new X509Certificate(root.certificate).publicKey)).toBe(true);
    expect(cert.checkHost('wallet-ca.ns.svc')).toBe('wallet-ca.ns.svc');
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(cert.checkHost('other.ns.svc')).toBeUndefined();
    expect(cert.checkIssued(new X509Certificate(root.certificate))).toBe(true);
  });
});
