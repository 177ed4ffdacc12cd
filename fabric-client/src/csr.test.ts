import { verify } from 'node:crypto';
import jsrsasign from 'jsrsasign';
import { describe, expect, it } from 'vitest';
import { createCsr } from './csr.js';
import { newKeyPair } from './keys.js';

describe('certificate signing requests', () => {
  it('carries the CN and the SANs, and its signature verifies under the subject key', () => {
    const keys = newKeyPair();

    const pem = createCsr('peer0', keys, { dns: ['wallet-0.ns.svc'], ips: ['127.0.0.1'] });

    const param = jsrsasign.KJUR.asn1.csr.CSRUtil.getParam(pem) as unknown as {
      subject: { str: string };
      extreq: { extname: string; array: Record<string, string>[] }[];
      sigalg: string;
      sighex: string;
    };
    expect(param.subject.str).toBe('/CN=peer0');
    expect(param.sigalg).toBe('SHA256withECDSA');
    expect(param.extreq[0]?.array).toEqual([{ dns: 'wallet-0.ns.svc' }, { ip: '127.0.0.1' }]);
    const der = jsrsasign.pemtohex(pem);
    const info = jsrsasign.ASN1HEX.getTLVbyList(der, 0, [0]) as string;
    const signed = Buffer.from(info, 'hex');
    const signature = Buffer.from(param.sighex, 'hex');
    expect(verify('sha256', signed, keys.publicKeyPem, signature)).toBe(true);
    expect(verify('sha256', Buffer.concat([signed, Buffer.from([0])]), keys.publicKeyPem, signature)).toBe(
      false,
    );
  });
});
