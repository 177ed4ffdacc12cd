import { CaClient, type Enrolled, type Hosts, type RegisterRequest } from '@fabric-wallet/fabric-client';

/** How to reach one CA and act as its bootstrap admin. */
export interface CaAccess {
  readonly url: string;
  readonly caName: string;
  readonly caCert: string;
  readonly admin: { readonly id: string; readonly secret: string };
}

/** An org's two CAs as their clients reach them. */
export interface OrgCas {
  readonly org: string;
  readonly mspId: string;
  readonly ca: CaAccess;
  readonly tlsca: CaAccess;
}

/** Everything an identity needs: its MSP signer and, for nodes and admins, a TLS certificate. */
export interface IdentityMaterial {
  readonly mspId: string;
  readonly caCert: string;
  readonly tlsCaCert: string;
  readonly signer: Enrolled;
  readonly tls?: Enrolled;
}

/**
 * Where identity material is kept: files under the data dir (local runtime) or Secrets
 * (Kubernetes runtime). `key` is "<kind>/<name>", e.g. "users/admin" or "nodes/wallet-0".
 */
export interface MaterialStore {
  read(org: string, key: string): Promise<IdentityMaterial | undefined>;
  write(org: string, key: string, material: IdentityMaterial): Promise<void>;
}

export interface IdentityRequest extends RegisterRequest {
  /** Issue a TLS certificate too: server SANs for a node, or a client certificate (no SANs). */
  readonly tls?: Hosts | 'client';
}

/**
 * Issues an org's identities from its CAs, once: an identity already in the store is
 * returned as is, so reconciling again creates nothing twice.
 */
export class OrgPki {
  private readonly caClient: CaClient;
  private readonly tlsClient: CaClient;
  private registrars: Promise<{ ca: Enrolled; tls: Enrolled }> | undefined;

  constructor(
    readonly cas: OrgCas,
    private readonly store: MaterialStore,
  ) {
    this.caClient = new CaClient(cas.ca.url, cas.ca.caCert, cas.ca.caName);
    this.tlsClient = new CaClient(cas.tlsca.url, cas.tlsca.caCert, cas.tlsca.caName);
  }

  /** Returns the stored identity, or registers and enrolls it and stores the result. */
  async ensure(
    key: string,
    request: IdentityRequest,
  ): Promise<{ material: IdentityMaterial; created: boolean }> {
    const existing = await this.store.read(this.cas.org, key);
    if (existing && (request.tls === undefined || existing.tls))
      return { material: existing, created: false };
    const registrars = await this.ensureRegistrars();
    const mspId = this.cas.mspId;
    const secret = await this.caClient.register({ ...registrars.ca, mspId }, request);
    const signer = await this.caClient.enroll(request.id, secret);
    let tls: Enrolled | undefined;
    if (request.tls !== undefined) {
      const tlsSecret = await this.tlsClient.register(
        { ...registrars.tls, mspId },
        { id: request.id, type: request.type },
      );
      tls = await this.tlsClient.enroll(request.id, tlsSecret, {
        profile: 'tls',
        ...(request.tls === 'client' ? {} : { hosts: request.tls }),
      });
    }
    const material: IdentityMaterial = {
      mspId,
      caCert: this.cas.ca.caCert,
      tlsCaCert: this.cas.tlsca.caCert,
      signer,
      ...(tls ? { tls } : {}),
    };
    await this.store.write(this.cas.org, key, material);
    return { material, created: true };
  }

  /**
   * The CA admins (bootstrap identities), enrolled once per process. A failed enrollment is
   * forgotten, so the next reconcile tries again: kept, it failed every later call with the
   * first error (a CA pod not listening yet kept its org from ever enrolling, seen on the
   * single-node cluster).
   */
  private ensureRegistrars(): Promise<{ ca: Enrolled; tls: Enrolled }> {
    this.registrars ??= (async () => ({
      ca: await this.caClient.enroll(this.cas.ca.admin.id, this.cas.ca.admin.secret),
      tls: await this.tlsClient.enroll(this.cas.tlsca.admin.id, this.cas.tlsca.admin.secret),
    }))().catch((error: unknown) => {
      this.registrars = undefined;
      throw error;
    });
    return this.registrars;
  }
}
