import { nodeOus } from '../fabric/identity.js';
import type { IdentityMaterial, MaterialStore } from '../fabric/org-pki.js';
import type { KubeClient, KubeObject, OwnerReference } from './client.js';
import { FIELD_MANAGER, identitySecretName, LABEL_OWNER, LABEL_OWNER_KIND } from './objects.js';

interface Secret extends KubeObject {
  data?: Record<string, string>;
}

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const unb64 = (text: string | undefined) =>
  text === undefined ? undefined : Buffer.from(text, 'base64').toString('utf8');

/**
 * Identity material in Secrets (Kubernetes runtime): "nodes/<name>" -> Secret
 * <name>-identity (mounted by the node's pod as msp/ and tls/), "users/<id>" -> Secret
 * <ca>-user-<id>. Each Secret is owned by the resource the identity belongs to, so deleting
 * the network deletes its keys; a scaled-in peer's Secret stays (Retain) for its return.
 */
export class SecretMaterialStore implements MaterialStore {
  constructor(
    private readonly client: KubeClient,
    private readonly namespace: string,
    private readonly caName: string,
    private readonly owner: OwnerReference,
  ) {}

  secretName(key: string): string {
    const [kind, name] = key.split('/');
    if (!name || (kind !== 'users' && kind !== 'nodes'))
      throw new Error(`material key must be users/<id> or nodes/<name>, got ${key}`);
    return kind === 'nodes' ? identitySecretName(name) : `${this.caName}-user-${name}`;
  }

  async read(_org: string, key: string): Promise<IdentityMaterial | undefined> {
    const secret = await this.client.get<Secret>({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: this.secretName(key), namespace: this.namespace },
    });
    const data = secret?.data ?? {};
    const [mspId, caCert, tlsCaCert, certificate, privateKeyPem] = [
      'mspid',
      'ca.pem',
      'tlsca.pem',
      'cert.pem',
      'key.pem',
    ].map((name) => unb64(data[name]));
    if (!mspId || !caCert || !tlsCaCert || !certificate || !privateKeyPem) return undefined;
    const tlsCert = unb64(data['tls.crt']);
    const tlsKey = unb64(data['tls.key']);
    return {
      mspId,
      caCert,
      tlsCaCert,
      signer: { certificate, privateKeyPem, caCert },
      ...(tlsCert && tlsKey
        ? { tls: { certificate: tlsCert, privateKeyPem: tlsKey, caCert: tlsCaCert } }
        : {}),
    };
  }

  async write(_org: string, key: string, material: IdentityMaterial): Promise<void> {
    const data: Record<string, string> = {
      mspid: b64(material.mspId),
      'ca.pem': b64(material.caCert),
      'tlsca.pem': b64(material.tlsCaCert),
      'config.yaml': b64(nodeOus),
      'cert.pem': b64(material.signer.certificate),
      'key.pem': b64(material.signer.privateKeyPem),
      ...(material.tls
        ? { 'tls.crt': b64(material.tls.certificate), 'tls.key': b64(material.tls.privateKeyPem) }
        : {}),
    };
    await this.client.apply(
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: {
          name: this.secretName(key),
          namespace: this.namespace,
          labels: {
            'app.kubernetes.io/part-of': 'fabric-wallet',
            'app.kubernetes.io/managed-by': FIELD_MANAGER,
            [LABEL_OWNER_KIND]: this.owner.kind,
            [LABEL_OWNER]: this.owner.name,
            'fabricwallet.io/identity': key.replace('/', '.'),
          },
          ownerReferences: [this.owner],
        },
        type: 'Opaque',
        data,
      },
      FIELD_MANAGER,
    );
  }
}
