import { sign } from 'node:crypto';
import jsrsasign from 'jsrsasign';

/** Subject alternative names for a TLS certificate. */
export interface Hosts {
  readonly dns: readonly string[];
  readonly ips: readonly string[];
}

/**
 * A PKCS#10 request signed with the given P-256 key, with CN = the enrollment id and, for
 * TLS certificates, the host names and IPs the server is reached by. Fabric CA copies the
 * SANs of the request into the certificate. jsrsasign builds the ASN.1; the signature is
 * Node's (OpenSSL): jsrsasign's own ECDSA in JavaScript cost about 48 ms of CPU per
 * registration (docs/performance.md).
 */
export function createCsr(
  commonName: string,
  keys: { publicKeyPem: string; privateKeyPem: string },
  hosts?: Hosts,
): string {
  const san = hosts ? [...hosts.dns.map((dns) => ({ dns })), ...hosts.ips.map((ip) => ({ ip }))] : [];
  const params = {
    subject: { str: `/CN=${commonName}` },
    sbjpubkey: keys.publicKeyPem,
    ...(san.length > 0 ? { extreq: [{ extname: 'subjectAltName', array: san }] } : {}),
  };
  const info = new jsrsasign.KJUR.asn1.csr.CertificationRequestInfo(params);
  const signature = sign('sha256', Buffer.from(info.getEncodedHex(), 'hex'), keys.privateKeyPem);
  return new jsrsasign.KJUR.asn1.csr.CertificationRequest({
    ...params,
    sigalg: 'SHA256withECDSA',
    sighex: signature.toString('hex'),
  }).getPEM();
}
