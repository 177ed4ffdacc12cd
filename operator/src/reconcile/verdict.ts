import { degradedConditions, progressingConditions, readyConditions } from '../api/v1alpha1/conditions.js';
import type { Condition } from '../api/v1alpha1/types.js';

/** What one reconcile of a resource concluded: written to its status and conditions by the runtime. */
export interface Verdict {
  readonly state: 'Ready' | 'Progressing' | 'Degraded';
  readonly reason: string;
  readonly message: string;
  /** Kind-specific status fields (replicas, peers, height, packageId...). */
  readonly fields: Readonly<Record<string, unknown>>;
  /** Look again after this long even without a change (e.g. to keep a height current). */
  readonly after?: number;
}

/** An event worth telling a user about (`kubectl describe` on Kubernetes, a log line locally). */
export interface Notice {
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
}

/**
 * A planner's answer: the actions that bring the observed state to the desired one, and the
 * status the resource has once they succeed. `actions` empty and state Ready = converged.
 */
export interface Plan<Action> {
  readonly actions: readonly Action[];
  readonly verdict: Verdict;
}

type Fields = Readonly<Record<string, unknown>>;

export const ready = (reason: string, message: string, fields: Fields = {}, after?: number): Verdict => ({
  state: 'Ready',
  reason,
  message,
  fields,
  ...(after === undefined ? {} : { after }),
});

export const progressing = (
  reason: string,
  message: string,
  fields: Fields = {},
  after?: number,
): Verdict => ({
  state: 'Progressing',
  reason,
  message,
  fields,
  ...(after === undefined ? {} : { after }),
});

/**
 * Whether an error only says that something is not reachable yet (a Service whose endpoints
 * are not programmed yet, a peer still opening its port): worth a steady retry, not an
 * exponential error backoff that can grow to a minute while the network comes up.
 */
export function isUnreachable(error: unknown): boolean {
  for (let cause = error, depth = 0; cause instanceof Error && depth < 5; depth++) {
    if (/ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENOTFOUND|EAI_AGAIN|\b14 UNAVAILABLE\b/.test(cause.message))
      return true;
    cause = cause.cause;
  }
  return false;
}

export const degraded = (reason: string, message: string, fields: Fields = {}): Verdict => ({
  state: 'Degraded',
  reason,
  message,
  fields,
});

/** A plan that changes nothing and only reports. */
export const report = <Action>(verdict: Verdict): Plan<Action> => ({ actions: [], verdict });

/** The conditions after a verdict: Ready, Progressing and Degraded set as Kubernetes controllers do. */
export function verdictConditions(
  current: readonly Condition[],
  generation: number,
  verdict: Verdict,
): readonly Condition[] {
  const change =
    verdict.state === 'Ready'
      ? readyConditions
      : verdict.state === 'Progressing'
        ? progressingConditions
        : degradedConditions;
  return change(current, generation, verdict.reason, verdict.message);
}
