import { V1MicroTime, type V1Lease, type V1LeaseSpec } from '@kubernetes/client-node';
import { KubeError, type KubeClient } from './client.js';
import { sleep } from './informer.js';

export interface LeaderElectionOptions {
  readonly namespace: string;
  readonly name: string;
  /** This process, e.g. the pod name plus a random suffix. */
  readonly identity: string;
  readonly leaseDurationSeconds: number;
  /** How often the leader renews and others retry. */
  readonly retryPeriodMs: number;
  readonly log: (line: string) => void;
}

/** RFC 3339 with microseconds, as the API server's MicroTime fields require. */
export function microTime(date: Date): string {
  return new V1MicroTime(date).toISOString();
}

/** A MicroTime field in ms: a string as the server sent it (client-node types it as a Date). */
function millis(time: Date | string | undefined): number {
  return (time instanceof Date ? time.getTime() : Date.parse(time ?? '')) || 0;
}

/**
 * Leader election on a coordination.k8s.io/v1 Lease, as client-go does it (client-node has
 * none; the Lease goes through its CoordinationV1Api): take the lease when it is free or
 * its holder stopped renewing for leaseDurationSeconds; renew it every retry period with
 * optimistic concurrency (resourceVersion), so two candidates never both win; give it up
 * on stop so a successor takes over at once.
 */
export class LeaderElector {
  private readonly abort = new AbortController();

  /** A method, not a property read, so the compiler does not narrow it across awaits. */
  private isStopped(): boolean {
    return this.abort.signal.aborted;
  }
  private leading = false;
  private lease: V1Lease | undefined;

  constructor(
    private readonly client: KubeClient,
    private readonly options: LeaderElectionOptions,
  ) {}

  get isLeader(): boolean {
    return this.leading;
  }

  /**
   * Runs until stopped: waits to lead, calls onStartedLeading, renews, and calls
   * onStoppedLeading if the lease is lost (the caller should exit: another leader is acting).
   */
  async run(onStartedLeading: () => void, onStoppedLeading: () => void): Promise<void> {
    const { retryPeriodMs, leaseDurationSeconds } = this.options;
    const deadlineMs = leaseDurationSeconds * 1000 * 0.66;
    let lastRenew = 0;
    while (!this.isStopped()) {
      let ok = false;
      // A leader's attempt may not outlast its renew deadline (a half-open connection would
      // otherwise keep it acting while another replica takes the lease).
      const attemptStart = Date.now();
      const budget = this.leading ? Math.max(200, lastRenew + deadlineMs - attemptStart) : deadlineMs;
      try {
        ok = await this.tryAcquireOrRenew(Math.min(budget, 30_000));
      } catch (error) {
        this.options.log(`leader election: ${error instanceof Error ? error.message : String(error)}`);
      }
      if (this.isStopped()) break;
      if (ok) {
        // Counted from when the attempt began: the renewTime written is no later than that.
        lastRenew = attemptStart;
        if (!this.leading) {
          this.leading = true;
          this.options.log(`leader election: ${this.options.identity} is the leader`);
          onStartedLeading();
        }
      } else if (this.leading && Date.now() - lastRenew > deadlineMs) {
        this.leading = false;
        this.options.log('leader election: lost the lease');
        onStoppedLeading();
        return;
      }
      await sleep(retryPeriodMs, this.abort.signal);
    }
  }

  /** One attempt: the read and the write share `timeoutMs`. */
  private async tryAcquireOrRenew(timeoutMs: number): Promise<boolean> {
    const now = new Date();
    const { identity, leaseDurationSeconds, namespace, name } = this.options;
    const left = () => Math.max(1, now.getTime() + timeoutMs - Date.now());
    const current = await this.read(left());
    if (!current) {
      return this.write(
        'create',
        () =>
          this.client.coordination.createNamespacedLease({
            namespace,
            body: {
              apiVersion: 'coordination.k8s.io/v1',
              kind: 'Lease',
              metadata: { name, namespace },
              spec: {
                holderIdentity: identity,
                leaseDurationSeconds,
                acquireTime: new V1MicroTime(now),
                renewTime: new V1MicroTime(now),
                leaseTransitions: 0,
              },
            },
          }),
        left(),
      );
    }
    const spec = current.spec ?? {};
    const holder = spec.holderIdentity ?? '';
    const duration = (spec.leaseDurationSeconds ?? leaseDurationSeconds) * 1000;
    if (holder !== '' && holder !== identity && millis(spec.renewTime) + duration > now.getTime())
      return false;
    const transition = holder !== identity;
    const next = withSpec(current, {
      ...leaseSpec(spec),
      holderIdentity: identity,
      leaseDurationSeconds,
      renewTime: new V1MicroTime(now),
      ...(transition
        ? { acquireTime: new V1MicroTime(now), leaseTransitions: (spec.leaseTransitions ?? 0) + 1 }
        : {}),
    });
    // The replaced Lease carries metadata.resourceVersion: a concurrent writer makes this fail with 409.
    return this.write(
      'renew',
      () => this.client.coordination.replaceNamespacedLease({ name, namespace, body: next }),
      left(),
    );
  }

  private async read(timeoutMs?: number): Promise<V1Lease | undefined> {
    const { namespace, name } = this.options;
    try {
      return await this.client.call(
        `read Lease ${namespace}/${name}`,
        () => this.client.coordination.readNamespacedLease({ name, namespace }),
        timeoutMs,
      );
    } catch (error) {
      if (error instanceof KubeError && error.status === 404) return undefined;
      throw error;
    }
  }

  /** Writes the lease; false when another candidate wrote it first (409). */
  private async write(what: string, write: () => Promise<V1Lease>, timeoutMs?: number): Promise<boolean> {
    const { namespace, name } = this.options;
    try {
      this.lease = await this.client.call(`${what} Lease ${namespace}/${name}`, write, timeoutMs);
      return true;
    } catch (error) {
      if (error instanceof KubeError && error.status === 409) return false;
      throw error;
    }
  }

  /** Stops competing; a leader releases the lease so a successor need not wait for it to expire. */
  async stop(): Promise<void> {
    this.abort.abort();
    if (!this.leading || !this.lease) return;
    this.leading = false;
    try {
      const current = await this.read();
      if (current?.spec?.holderIdentity !== this.options.identity) return;
      const released = withSpec(current, {
        ...leaseSpec(current.spec),
        holderIdentity: '',
        leaseDurationSeconds: 1,
        renewTime: new V1MicroTime(),
      });
      await this.write('release', () =>
        this.client.coordination.replaceNamespacedLease({
          name: this.options.name,
          namespace: this.options.namespace,
          body: released,
        }),
      );
    } catch (error) {
      this.options.log(
        `leader election: release failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
}

/** The fields of a Lease's spec as a plain object (client-node reads it into a class). */
function leaseSpec(spec: V1LeaseSpec | undefined): Partial<V1LeaseSpec> {
  return Object.fromEntries(Object.entries(spec ?? {}).filter(([, value]) => value !== undefined));
}

/** `lease` with another spec; its metadata (resourceVersion) is kept for optimistic concurrency. */
function withSpec(lease: V1Lease, spec: V1LeaseSpec): V1Lease {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    ...(lease.metadata ? { metadata: lease.metadata } : {}),
    spec,
  };
}
