import jsrsasign from 'jsrsasign';

/** Subject alternative names for a TLS certificate. */
export interface Hosts {
  readonly dns: readonly string[];
  readonly ips: readonly string[];
}

/**
 * A PKCS#10 request signed with the given P-256 key, with CN = the enrollment id and, for
 * TLS certificates, the host names and IPs the server is reached by. Fabric CA copies the
 * SANs of the request into the certificate.
 */
export function createCsr(
  commonName: string,
  keys: { publicKeyPem: string; privateKeyPem: string },
  hosts?: Hosts,
): string {
  const san = hosts ? [...hosts.dns.map((dns) => ({ dns })), ...hosts.ips.map((ip) => ({ ip }))] : [];
  return jsrsasign.KJUR.asn1.csr.CSRUtil.newCSRPEM({
    subject: { str: `/CN=${commonName}` },
    sbjpubkey: keys.publicKeyPem,
    sigalg: 'SHA256withECDSA',
    sbjprvkey: keys.privateKeyPem,
    ...(san.length > 0 ? { extreq: [{ extname: 'subjectAltName', array: san }] } : {}),
  });
}
