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

/** Ready=True with Progressing=False and Degraded=False. */
export function readyConditions(
  conditions: readonly Condition[],
  generation: number,
  reason: string,
  message: string,
  now?: Date,
): readonly Condition[] {
  let result = setCondition(
    conditions,
    { type: 'Ready', status: 'True', reason, message, observedGeneration: generation },
    now,
  );
  result = setCondition(
    result,
    { type: 'Progressing', status: 'False', reason, message: '', observedGeneration: generation },
    now,
  );
  return setCondition(
    result,
    { type: 'Degraded', status: 'False', reason, message: '', observedGeneration: generation },
    now,
  );
}

/** Ready=False with Progressing=True: work is under way. */
export function progressingConditions(
  conditions: readonly Condition[],
  generation: number,
  reason: string,
  message: string,
  now?: Date,
): readonly Condition[] {
  const result = setCondition(
    conditions,
    { type: 'Ready', status: 'False', reason, message, observedGeneration: generation },
    now,
  );
  return setCondition(
    result,
    { type: 'Progressing', status: 'True', reason, message, observedGeneration: generation },
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
  let result = setCondition(
    conditions,
    { type: 'Ready', status: 'False', reason, message, observedGeneration: generation },
    now,
  );
  result = setCondition(
    result,
    { type: 'Progressing', status: 'False', reason, message: '', observedGeneration: generation },
    now,
  );
  return setCondition(
    result,
    { type: 'Degraded', status: 'True', reason, message, observedGeneration: generation },
    now,
  );
}
