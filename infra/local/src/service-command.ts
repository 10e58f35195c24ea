import { join } from 'node:path';
import { repoRoot } from './paths.ts';

/**
 * The V8 flags a service runs with beyond node's defaults, by service: the launcher, the chaos
 * stack and the benchmarks start services with them, and docker-compose.yml and the Helm chart's
 * values set the same as NODE_OPTIONS (a test holds the three together).
 *
 * intake, `--max-semi-space-size=64` (MiB; node 20's default is 16): a report lives for tens of
 * milliseconds while it waits on the store's rounds, so with the default young generation the
 * reports in flight outlive a scavenge and are promoted, and the old generation's collections
 * pause the event loop. Measured with `npm run bench -- intake-throughput` paced at 277 reports/s
 * (2026-12-03, one run each, the default alternated with 64): HTTP → `case.opened` p99 45.8 /
 * 45.2 ms against 34.1 / 34.8 ms, GC 222-234 against 134-144 ms in 10 s; 32 gave 40.5 ms, 128
 * gave 41.4 ms. Not for the dashboard: interleaved in one run of its SSE benchmark, 64 took its
 * p99 from 50 / 39 ms to 64 / 64 ms (its objects die young; a larger young generation only
 * lengthens each scavenge).
 */
export const SERVICE_NODE_OPTIONS: Readonly<Record<string, string>> = {
  intake: '--max-semi-space-size=64',
};

/**
 * How a service's process is started: node with tsx's loader (no tsx wrapper, which would relay
 * signals a second time) and the service's V8 flags; `nodeFlags` adds flags of the caller's (a
 * CPU profile, say) before the loader.
 */
export function serviceCommand(name: string, nodeFlags: string[] = []): { command: string; args: string[] } {
  const own = SERVICE_NODE_OPTIONS[name]?.split(' ') ?? [];
  return {
    command: process.execPath,
    args: [...own, ...nodeFlags, '--import', 'tsx', join(repoRoot, 'services', name, 'src', 'main.ts')],
  };
}
