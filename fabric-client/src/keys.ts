import { generateKeyPairSync, type KeyObject } from 'node:crypto';

/** A fresh P-256 key pair for a CSR; the private key never leaves this process or its MSP dir. */
export function newKeyPair(): { privateKey: KeyObject; publicKeyPem: string; privateKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    privateKey,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}
