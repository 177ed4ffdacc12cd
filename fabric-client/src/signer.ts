import { sign, type KeyObject } from 'node:crypto';
import { hash, type Hash, type Signer } from '@hyperledger/fabric-gateway';

/** Orders of the curves Fabric identities use (FIPS 186-4 / SEC 2). */
const ORDERS: Readonly<Record<string, bigint>> = {
  prime256v1: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
  secp384r1:
    0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
};

function derInteger(value: bigint): Buffer {
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  let bytes = Buffer.from(hex, 'hex');
  if ((bytes[0] ?? 0) & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return Buffer.concat([Buffer.from([0x02, bytes.length]), bytes]);
}

/**
 * A Fabric Gateway signer on Node's native ECDSA (OpenSSL): with `hash.none` the signer gets
 * the whole message and signs its SHA-256, about 40x less CPU than the gateway's default
 * pure-JavaScript signer (@noble/curves), which was a quarter of the API's CPU per payment
 * (docs/performance.md). Fabric refuses high-S signatures (malleability), so S is normalised
 * to the lower half of the curve order as the default signer does; DER encoded.
 */
export function nativeSigner(privateKey: KeyObject): { signer: Signer; hash: Hash } {
  const curve = privateKey.asymmetricKeyDetails?.namedCurve ?? '';
  const order = ORDERS[curve];
  if (privateKey.asymmetricKeyType !== 'ec' || order === undefined)
    throw new Error(
      `a Fabric signing key must be ECDSA P-256 or P-384, got ${privateKey.asymmetricKeyType ?? '?'} ${curve}`,
    );
  const half = order >> 1n;
  // Fabric hashes with SHA-256 for every curve (the MSP's SHA2 signature hash family).
  const signer: Signer = (message) => {
    const raw = sign('sha256', message, { key: privateKey, dsaEncoding: 'ieee-p1363' });
    const size = raw.length / 2;
    const r = BigInt(`0x${raw.subarray(0, size).toString('hex')}`);
    let s = BigInt(`0x${raw.subarray(size).toString('hex')}`);
    if (s > half) s = order - s;
    const body = Buffer.concat([derInteger(r), derInteger(s)]);
    return Promise.resolve(new Uint8Array(Buffer.concat([Buffer.from([0x30, body.length]), body])));
  };
  return { signer, hash: hash.none };
}
