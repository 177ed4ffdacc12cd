import { createPrivateKey, type KeyObject } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** An X.509 identity of an MSP with its private key: what signs proposals and transactions. */
export interface SigningIdentity {
  readonly mspId: string;
  /** PEM certificate. */
  readonly certificate: string;
  readonly privateKey: KeyObject;
}

/**
 * Files of an MSP directory as Fabric reads it (peer/orderer local MSP, or an org MSP for
 * configtxgen when `signer` is absent). NodeOUs classify identities by the OU that Fabric CA
 * writes from the identity type (client, peer, orderer, admin).
 */
export interface MspFiles {
  readonly caCert: string;
  readonly tlsCaCert: string;
  readonly signer?: { readonly certificate: string; readonly privateKeyPem: string };
}

export const nodeOus = `NodeOUs:
  Enable: true
  ClientOUIdentifier:
    Certificate: cacerts/ca.pem
    OrganizationalUnitIdentifier: client
  PeerOUIdentifier:
    Certificate: cacerts/ca.pem
    OrganizationalUnitIdentifier: peer
  AdminOUIdentifier:
    Certificate: cacerts/ca.pem
    OrganizationalUnitIdentifier: admin
  OrdererOUIdentifier:
    Certificate: cacerts/ca.pem
    OrganizationalUnitIdentifier: orderer
`;

/** Writes an MSP directory; private keys are written owner-readable only. */
export async function writeMsp(dir: string, files: MspFiles): Promise<void> {
  await mkdir(join(dir, 'cacerts'), { recursive: true });
  await mkdir(join(dir, 'tlscacerts'), { recursive: true });
  await writeFile(join(dir, 'cacerts', 'ca.pem'), files.caCert);
  await writeFile(join(dir, 'tlscacerts', 'tlsca.pem'), files.tlsCaCert);
  await writeFile(join(dir, 'config.yaml'), nodeOus);
  if (files.signer) {
    await mkdir(join(dir, 'signcerts'), { recursive: true });
    await mkdir(join(dir, 'keystore'), { recursive: true, mode: 0o700 });
    await writeFile(join(dir, 'signcerts', 'cert.pem'), files.signer.certificate);
    await writeFile(join(dir, 'keystore', 'key.pem'), files.signer.privateKeyPem, { mode: 0o600 });
  }
}

/** Loads the signing identity kept in an MSP directory written by writeMsp. */
export async function readSigningIdentity(dir: string, mspId: string): Promise<SigningIdentity> {
  const [certificate, keyPem] = await Promise.all([
    readFile(join(dir, 'signcerts', 'cert.pem'), 'utf8'),
    readFile(join(dir, 'keystore', 'key.pem'), 'utf8'),
  ]);
  return { mspId, certificate, privateKey: createPrivateKey(keyPem) };
}

/** A TLS key pair and certificate with its CA, as PEM. */
export interface TlsMaterial {
  readonly certificate: string;
  readonly privateKeyPem: string;
  readonly caCert: string;
}

/** Writes tls/{server.crt,server.key,ca.crt}. */
export async function writeTls(dir: string, tls: TlsMaterial): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(join(dir, 'server.crt'), tls.certificate);
  await writeFile(join(dir, 'server.key'), tls.privateKeyPem, { mode: 0o600 });
  await writeFile(join(dir, 'ca.crt'), tls.caCert);
}

export async function readTls(dir: string): Promise<TlsMaterial> {
  const [certificate, privateKeyPem, caCert] = await Promise.all(
    ['server.crt', 'server.key', 'ca.crt'].map((file) => readFile(join(dir, file), 'utf8')),
  );
  return { certificate: certificate ?? '', privateKeyPem: privateKeyPem ?? '', caCert: caCert ?? '' };
}
