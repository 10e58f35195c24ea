import { setTimeout as sleep } from 'node:timers/promises';

/** Waits until every service answers `/health/ready` 200 (a demo starts them a moment before). */
export async function waitUntilReady(
  urls: Record<string, string>,
  say: (line: string) => void,
  timeoutMs = 180_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let told = false;
  for (;;) {
    const waiting: string[] = [];
    await Promise.all(
      Object.entries(urls).map(async ([name, url]) => {
        try {
          const res = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(2_000) });
          await res.arrayBuffer();
          if (res.status !== 200) waiting.push(name);
        } catch {
          waiting.push(name);
        }
      }),
    );
    if (waiting.length === 0) return;
    if (Date.now() > deadline)
      throw new Error(`not ready after ${timeoutMs / 1000} s: ${waiting.join(', ')}`);
    if (!told) say(`waiting for ${waiting.join(', ')} to be ready`);
    told = true;
    await sleep(1_000);
  }
}
