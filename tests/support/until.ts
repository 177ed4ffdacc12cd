/**
 * Polls `probe` every 250 ms until it returns a value (not undefined) and returns it; a
 * probe that throws counts as "not yet". After `timeoutMs` it fails saying what did not
 * happen and the probe's last error.
 */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      const why = last instanceof Error ? last.message : last === undefined ? 'none' : JSON.stringify(last);
      throw new Error(`${what} did not happen within ${String(timeoutMs)} ms (last error: ${why})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
