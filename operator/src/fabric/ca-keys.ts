import { createHash, randomBytes, X509Certificate } from 'node:crypto';
import jsrsasign from 'jsrsasign';
import { newKeyPair, type Hosts } from '@fabric-wallet/fabric-client';

/** A certificate and its private key, PEM. */
export interface KeyedCertificate {
  readonly certificate: string;
  readonly privateKeyPem: string;
}

const utc = (date: Date) => `${date.toISOString().slice(2, 19).replace(/[-:T]/g, '')}Z`;

function ski(publicKeyPem: string): string {
  const der = Buffer.from(publicKeyPem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  return createHash('sha256').update(der).digest('hex').slice(0, 40);
}

/**
 * A self-signed P-256 root for an organization's CA (or TLS CA), created by the operator
 * so it knows the root before the CA server runs: Kubernetes starts fabric-ca-server with
 * this certificate and key (from a Secret) instead of letting it generate its own.
 */
export function createCaRoot(commonName: string, org: string, years = 10): KeyedCertificate {
  const keys = newKeyPair();
  const now = new Date();
  const subject = `/C=US/O=${org}/CN=${commonName}`;
  const certificate = new jsrsasign.KJUR.asn1.x509.Certificate({
    version: 3,
    serial: { hex: `01${randomBytes(15).toString('hex')}` },
    issuer: { str: subject },
    subject: { str: subject },
    notbefore: utc(new Date(now.getTime() - 60_000)),
    notafter: utc(new Date(now.getTime() + years * 365 * 86_400_000)),
    sbjpubkey: keys.publicKeyPem,
    ext: [
      { extname: 'basicConstraints', critical: true, cA: true, paths: 1 },
      { extname: 'keyUsage', critical: true, names: ['digitalSignature', 'keyCertSign', 'cRLSign'] },
      { extname: 'subjectKeyIdentifier', kid: { hex: ski(keys.publicKeyPem) } },
    ],
    sigalg: 'SHA256withECDSA',
    cakey: keys.privateKeyPem,
  }).getPEM();
  return { certificate, privateKeyPem: keys.privateKeyPem };
}

/** A TLS server certificate for `hosts`, signed by `issuer` (a root from createCaRoot). */
export function createServerCertificate(
  issuer: KeyedCertificate,
  commonName: string,
  hosts: Hosts,
  years = 2,
): KeyedCertificate {
  const keys = newKeyPair();
  const now = new Date();
  const issuerCert = new X509Certificate(issuer.certificate);
  const certificate = new jsrsasign.KJUR.asn1.x509.Certificate({
    version: 3,
    serial: { hex: `01${randomBytes(15).toString('hex')}` },
    issuer: { str: `/${issuerCert.subject.split('\n').join('/')}` },
    subject: { str: `/CN=${commonName}` },
    notbefore: utc(new Date(now.getTime() - 60_000)),
    notafter: utc(
      new Date(Math.min(now.getTime() + years * 365 * 86_400_000, Date.parse(issuerCert.validTo))),
    ),
    sbjpubkey: keys.publicKeyPem,
    ext: [
      { extname: 'basicConstraints', critical: true, cA: false },
      { extname: 'keyUsage', critical: true, names: ['digitalSignature', 'keyEncipherment'] },
      { extname: 'extKeyUsage', array: [{ name: 'serverAuth' }, { name: 'clientAuth' }] },
      { extname: 'subjectKeyIdentifier', kid: { hex: ski(keys.publicKeyPem) } },
      {
        extname: 'authorityKeyIdentifier',
        kid: { hex: ski(issuerCert.publicKey.export({ type: 'spki', format: 'pem' }).toString()) },
      },
      ...(hosts.dns.length + hosts.ips.length === 0
        ? []
        : [
            {
              extname: 'subjectAltName',
              array: [...hosts.dns.map((dns) => ({ dns })), ...hosts.ips.map((ip) => ({ ip }))],
            },
          ]),
    ],
    sigalg: 'SHA256withECDSA',
    cakey: issuer.privateKeyPem,
  }).getPEM();
  return { certificate, privateKeyPem: keys.privateKeyPem };
}

/** TLS for one chaincode server: its own root, the server's certificate, and the peers' client certificate. */
export interface ChaincodeTls {
  readonly root: KeyedCertificate;
  readonly server: KeyedCertificate;
  readonly client: KeyedCertificate;
}

/**
 * Mutual TLS between peers and a chaincode server (CCaaS): a root made for this server
 * alone signs the server certificate (for `hosts`) and the client certificate every peer
 * presents; the root and the client pair travel in the package's connection.json.
 */
export function createChaincodeTls(label: string, hosts: Hosts): ChaincodeTls {
  const root = createCaRoot(`${label} chaincode TLS CA`, 'fabric-wallet');
  return {
    root,
    server: createServerCertificate(root, label, hosts),
    client: createServerCertificate(root, `${label} peer client`, { dns: [], ips: [] }),
  };
}
