import type { Condition } from './types.js';

/**
 * Sets a condition, keeping lastTransitionTime unless the status flips (Kubernetes
 * convention). Returns the same array when nothing changed, so callers can skip a write.
 */
export function setCondition(
  conditions: readonly Condition[],
  next: Omit<Condition, 'lastTransitionTime'>,
  now: Date = new Date(),
): readonly Condition[] {
  const current = conditions.find((condition) => condition.type === next.type);
  if (
    current?.status === next.status &&
    current.reason === next.reason &&
    current.message === next.message &&
    current.observedGeneration === next.observedGeneration
  ) {
    return conditions;
  }
  const lastTransitionTime = current?.status === next.status ? current.lastTransitionTime : now.toISOString();
  return [...conditions.filter((condition) => condition.type !== next.type), { ...next, lastTransitionTime }];
}

type Status = Condition['status'];

/** Sets Ready, Progressing and Degraded together; a condition that is False carries no message. */
function setAll(
  conditions: readonly Condition[],
  statuses: Readonly<Record<'Ready' | 'Progressing' | 'Degraded', Status | undefined>>,
  generation: number,
  reason: string,
  message: string,
  now?: Date,
): readonly Condition[] {
  let result = conditions;
  for (const [type, status] of Object.entries(statuses) as [
    'Ready' | 'Progressing' | 'Degraded',
    Status | undefined,
  ][]) {
    if (status === undefined) continue;
    const text = type === 'Ready' || status === 'True' ? message : '';
    result = setCondition(
      result,
      { type, status, reason, message: text, observedGeneration: generation },
      now,
    );
  }
  return result;
}

/** Ready=True with Progressing=False and Degraded=False. */
export function readyConditions(
  conditions: readonly Condition[],
  generation: number,
  reason: string,
  message: string,
  now?: Date,
): readonly Condition[] {
  return setAll(
    conditions,
    { Ready: 'True', Progressing: 'False', Degraded: 'False' },
    generation,
    reason,
    message,
    now,
  );
}

/** Ready=False with Progressing=True: work is under way (Degraded is left as it was). */
export function progressingConditions(
  conditions: readonly Condition[],
  generation: number,
  reason: string,
  message: string,
  now?: Date,
): readonly Condition[] {
  return setAll(
    conditions,
    { Ready: 'False', Progressing: 'True', Degraded: undefined },
    generation,
    reason,
    message,
    now,
  );
}

/** Ready=False with Degraded=True and the failure's message. */
export function degradedConditions(
  conditions: readonly Condition[],
  generation: number,
  reason: string,
  message: string,
  now?: Date,
): readonly Condition[] {
  return setAll(
    conditions,
    { Ready: 'False', Progressing: 'False', Degraded: 'True' },
    generation,
    reason,
    message,
    now,
  );
}
