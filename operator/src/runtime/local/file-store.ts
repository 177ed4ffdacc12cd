import { access, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeMsp, writeTls } from '../../fabric/identity.js';
import type { IdentityMaterial, MaterialStore } from '../../fabric/org-pki.js';
import type { Layout } from './layout.js';

/** Identity material as MSP and TLS directories under the data dir, readable by the binaries. */
export class FileMaterialStore implements MaterialStore {
  constructor(private readonly layout: Layout) {}

  private dir(org: string, key: string): string {
    const [kind, name] = key.split('/');
    if (!name || (kind !== 'users' && kind !== 'nodes'))
      throw new Error(`material key must be users/<id> or nodes/<name>, got ${key}`);
    return kind === 'nodes' ? this.layout.node(name) : this.layout.user(org, name);
  }

  async read(org: string, key: string): Promise<IdentityMaterial | undefined> {
    const dir = this.dir(org, key);
    const file = (...parts: string[]) => readFile(join(dir, ...parts), 'utf8');
    try {
      await access(join(dir, 'msp', 'signcerts', 'cert.pem'));
    } catch {
      return undefined;
    }
    const [mspId, caCert, tlsCaCert, certificate, privateKeyPem] = await Promise.all([
      file('mspid'),
      file('msp', 'cacerts', 'ca.pem'),
      file('msp', 'tlscacerts', 'tlsca.pem'),
      file('msp', 'signcerts', 'cert.pem'),
      file('msp', 'keystore', 'key.pem'),
    ]);
    let tls: IdentityMaterial['tls'];
    try {
      tls = {
        certificate: await file('tls', 'server.crt'),
        privateKeyPem: await file('tls', 'server.key'),
        caCert: await file('tls', 'ca.crt'),
      };
    } catch {
      tls = undefined;
    }
    return {
      mspId: mspId.trim(),
      caCert,
      tlsCaCert,
      signer: { certificate, privateKeyPem, caCert },
      ...(tls ? { tls } : {}),
    };
  }

  async write(org: string, key: string, material: IdentityMaterial): Promise<void> {
    const dir = this.dir(org, key);
    await writeMsp(join(dir, 'msp'), {
      caCert: material.caCert,
      tlsCaCert: material.tlsCaCert,
      signer: { certificate: material.signer.certificate, privateKeyPem: material.signer.privateKeyPem },
    });
    if (material.tls) await writeTls(join(dir, 'tls'), { ...material.tls, caCert: material.tlsCaCert });
    await writeFile(join(dir, 'mspid'), material.mspId);
  }
}
