/** Polls `check` until it returns true, or fails with `what` after `timeoutMs`. */
export async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(20);
  }
  throw new Error(`timed out waiting for ${what}`);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

let counter = 0;
/** A name unique in this test run, safe as a subject token and resource name. */
export function unique(prefix: string): string {
  counter++;
  return `${prefix}${counter}x${Math.random().toString(36).slice(2, 8)}`;
}
