import { KubeError, type KubeClient, type KubeObject } from './client.js';
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

interface Lease extends KubeObject {
  spec: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
}

/** RFC 3339 with microseconds, as the API server's MicroTime fields require. */
export function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/**
 * Leader election on a coordination.k8s.io/v1 Lease, as client-go does it: take the lease
 * when it is free or its holder stopped renewing for leaseDurationSeconds; renew it every
 * retry period with optimistic concurrency (resourceVersion), so two candidates never both
 * win; give it up on stop so a successor takes over at once.
 */
export class LeaderElector {
  private readonly abort = new AbortController();

  /** A method, not a property read, so the compiler does not narrow it across awaits. */
  private isStopped(): boolean {
    return this.abort.signal.aborted;
  }
  private leading = false;
  private lease: Lease | undefined;

  constructor(
    private readonly client: KubeClient,
    private readonly options: LeaderElectionOptions,
  ) {}

  get isLeader(): boolean {
    return this.leading;
  }

  private get path(): string {
    return `/apis/coordination.k8s.io/v1/namespaces/${this.options.namespace}/leases/${this.options.name}`;
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

  private async tryAcquireOrRenew(timeoutMs: number): Promise<boolean> {
    const now = new Date();
    const { identity, leaseDurationSeconds, namespace, name } = this.options;
    const current = await this.client.get<Lease>(this.path, timeoutMs);
    if (!current) {
      const lease: Lease = {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name, namespace },
        spec: {
          holderIdentity: identity,
          leaseDurationSeconds,
          acquireTime: microTime(now),
          renewTime: microTime(now),
          leaseTransitions: 0,
        },
      };
      try {
        this.lease = await this.client.request<Lease>(
          'POST',
          this.path.replace(/\/[^/]+$/, ''),
          lease,
          undefined,
          timeoutMs,
        );
        return true;
      } catch (error) {
        if (error instanceof KubeError && error.status === 409) return false;
        throw error;
      }
    }
    const holder = current.spec.holderIdentity ?? '';
    const renewed = Date.parse(current.spec.renewTime ?? '') || 0;
    const duration = (current.spec.leaseDurationSeconds ?? leaseDurationSeconds) * 1000;
    if (holder !== '' && holder !== identity && renewed + duration > now.getTime()) return false;
    const transition = holder !== identity;
    const next: Lease = {
      ...current,
      spec: {
        ...current.spec,
        holderIdentity: identity,
        leaseDurationSeconds,
        renewTime: microTime(now),
        ...(transition
          ? { acquireTime: microTime(now), leaseTransitions: (current.spec.leaseTransitions ?? 0) + 1 }
          : {}),
      },
    };
    try {
      // PUT carries metadata.resourceVersion: a concurrent writer makes this fail with 409.
      this.lease = await this.client.request<Lease>('PUT', this.path, next, undefined, timeoutMs);
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
      const current = await this.client.get<Lease>(this.path);
      if (current?.spec.holderIdentity !== this.options.identity) return;
      await this.client.request('PUT', this.path, {
        ...current,
        spec: {
          ...current.spec,
          holderIdentity: '',
          leaseDurationSeconds: 1,
          renewTime: microTime(new Date()),
        },
      });
    } catch (error) {
      this.options.log(
        `leader election: release failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
}
