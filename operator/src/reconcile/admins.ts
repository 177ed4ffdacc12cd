import { createPrivateKey } from 'node:crypto';
import type { FabricCA } from '../api/v1alpha1/types.js';
import type { SigningIdentity } from '../fabric/identity.js';
import type { IdentityMaterial } from '../fabric/org-pki.js';
import type { PeerEndpoint } from '../fabric/peer-admin.js';
import type { AdminOrderer, AdminPeer } from '../fabric/steps.js';
import type { Runtime } from './runtime.js';

export interface OrgAdmin {
  readonly material: IdentityMaterial;
  readonly identity: SigningIdentity;
}

// Parsing a PEM key costs more than the RPC it signs: keep one per certificate.
const parsed = new Map<string, SigningIdentity>();

/** An org's admin (signing identity and TLS client material), once its CA enrolled it. */
export async function orgAdmin(runtime: Runtime, ca: FabricCA): Promise<OrgAdmin | undefined> {
  const material = await runtime.store(ca).read(ca.spec.org, 'users/admin');
  if (!material) return undefined;
  let identity = parsed.get(material.signer.certificate);
  if (!identity) {
    identity = {
      mspId: material.mspId,
      certificate: material.signer.certificate,
      privateKey: createPrivateKey(material.signer.privateKeyPem),
    };
    parsed.set(material.signer.certificate, identity);
  }
  return { material, identity };
}

export async function peerEndpoint(
  runtime: Runtime,
  name: string,
  tlsRootCert: string,
): Promise<PeerEndpoint> {
  const { host, port } = await runtime.address(name, 'peer');
  return {
    address: `${host}:${String(port)}`,
    tlsRootCert,
    ...(runtime.tlsHostOverride ? { hostOverride: runtime.tlsHostOverride } : {}),
  };
}

export async function adminPeer(runtime: Runtime, name: string, admin: OrgAdmin): Promise<AdminPeer> {
  return {
    name,
    mspId: admin.material.mspId,
    admin: admin.identity,
    endpoint: await peerEndpoint(runtime, name, admin.material.tlsCaCert),
  };
}

export async function adminOrderer(runtime: Runtime, name: string, admin: OrgAdmin): Promise<AdminOrderer> {
  const { host, port } = await runtime.address(name, 'ordererAdmin');
  return {
    name,
    endpoint: {
      address: `${host}:${String(port)}`,
      tlsRootCert: admin.material.tlsCaCert,
      clientCert: admin.material.tls?.certificate ?? '',
      clientKey: admin.material.tls?.privateKeyPem ?? '',
    },
  };
}
