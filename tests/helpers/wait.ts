// Polling waits with a deadline, so tests never sleep longer than they need to.

type Pending<T> = T | undefined | null | false;

/** `check` may be async: its promise is awaited, not taken as the value. */
export async function waitFor<T>(
  check: () => Pending<T> | Promise<Pending<T>>,
  what: string,
  timeoutMs = 5000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
