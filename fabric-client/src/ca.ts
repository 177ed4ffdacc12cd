import { randomBytes } from 'node:crypto';
import FabricCAServices from 'fabric-ca-client';
import { User } from 'fabric-common';
import { createCsr, type Hosts } from './csr.js';
import { newKeyPair } from './keys.js';

/** A certificate issued by a CA for a key generated here. */
export interface Enrolled {
  readonly certificate: string;
  readonly privateKeyPem: string;
  /** The issuing CA's certificate chain (root first). */
  readonly caCert: string;
}

export interface RegisterRequest {
  readonly id: string;
  readonly type: 'admin' | 'client' | 'peer' | 'orderer';
  /** Attributes written into enrollment certificates (`ecert: true`). */
  readonly attrs?: Readonly<Record<string, string>>;
  /** Lets the identity register client identities with wallet.role. */
  readonly registrar?: boolean;
}

/** Failure talking to a Fabric CA, with what was attempted. */
export class CaError extends Error {
  override readonly name = 'CaError';
}

/**
 * Register and enroll against one Fabric CA over TLS. Registration is idempotent: an
 * identity that is already registered gets a fresh secret instead (the old one is unknown
 * here), so a lost MSP directory can be re-enrolled.
 */
export class CaClient {
  private readonly ca: FabricCAServices;

  constructor(
    readonly url: string,
    tlsRootCert: string,
    readonly caName?: string,
  ) {
    this.ca = new FabricCAServices(url, { trustedRoots: [tlsRootCert], verify: true }, caName);
  }

  /** Enrolls `id`: a new P-256 key, a CSR (with SANs for TLS), the CA's certificate for it. */
  async enroll(
    id: string,
    secret: string,
    options: { profile?: 'tls'; hosts?: Hosts } = {},
  ): Promise<Enrolled> {
    const keys = newKeyPair();
    const csr = createCsr(id, keys, options.hosts);
    try {
      const response = await this.ca.enroll({
        enrollmentID: id,
        enrollmentSecret: secret,
        csr,
        ...(options.profile ? { profile: options.profile } : {}),
      });
      return {
        certificate: response.certificate,
        privateKeyPem: keys.privateKeyPem,
        caCert: response.rootCertificate,
      };
    } catch (error) {
      throw new CaError(
        `enroll ${id} at ${this.url}${this.caName ? ` (${this.caName})` : ''} failed: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }

  /** Registers `request.id` (or resets its secret if registered) and returns a secret that enrolls it. */
  async register(registrar: Enrolled & { mspId: string }, request: RegisterRequest): Promise<string> {
    const user = User.createUser(
      'registrar',
      '',
      registrar.mspId,
      registrar.certificate,
      registrar.privateKeyPem,
    );
    const secret = randomBytes(18).toString('base64url');
    const attrs = [
      ...Object.entries(request.attrs ?? {}).map(([name, value]) => ({ name, value, ecert: true })),
      ...(request.registrar
        ? [
            { name: 'hf.Registrar.Roles', value: 'client' },
            { name: 'hf.Registrar.Attributes', value: 'wallet.role' },
            { name: 'hf.Revoker', value: 'true' },
          ]
        : []),
    ];
    const body = {
      enrollmentID: request.id,
      enrollmentSecret: secret,
      affiliation: '',
      maxEnrollments: -1,
      attrs,
    };
    try {
      // The npm client calls the identity type `role` when registering and `type` when updating.
      await this.ca.register({ ...body, role: request.type }, user);
      return secret;
    } catch (error) {
      if (!/already registered/i.test((error as Error).message)) {
        throw new CaError(`register ${request.id} at ${this.url} failed: ${(error as Error).message}`, {
          cause: error,
        });
      }
    }
    try {
      await this.ca.newIdentityService().update(request.id, { ...body, type: request.type }, user);
      return secret;
    } catch (error) {
      throw new CaError(
        `reset the secret of ${request.id} at ${this.url} failed: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }
}
