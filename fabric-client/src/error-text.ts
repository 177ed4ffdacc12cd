/**
 * The message of a Fabric Gateway or gRPC error with the peers' details appended, for
 * matching known conditions ("namespace ... is not defined", "no such transaction") and for
 * reports: the gateway's own message alone often says only "failed to endorse".
 */
export function errorText(error: unknown): string {
  const details = (error as { details?: { message?: string }[] } | undefined)?.details ?? [];
  return [
    (error as Error | undefined)?.message ?? String(error),
    ...details.map((detail) => detail.message ?? ''),
  ].join(' | ');
}
