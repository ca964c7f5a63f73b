// Test helper (not part of the public API, not exported from runtime/index.ts).

/**
 * Polls `probe` every `intervalMs` until it returns a value other than `undefined` or `false`, and
 * returns that value; fails with "timed out waiting for <what>" after `timeoutMs`.
 */
export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 20_000, intervalMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
