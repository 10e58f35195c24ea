// One scanning thread of the kinship search (search-pool.ts starts it): it holds no index of its
// own, only the scan it is sent (views of the index's SharedArrayBuffers and one child's tables),
// and takes chunks of the search's slots from a counter it shares with the other threads until
// none is left; it answers with the slots found in each chunk it scanned.
import { parentPort } from 'node:worker_threads';
import {
  type ParentScanPlan,
  type RelativeScanPlan,
  scanParents,
  scanRelatives,
} from './domain/search-kernel.ts';

/**
 * One search, as sent to every thread: slots [0, count) in chunks of `chunk` slots, the next
 * chunk to take in `next[0]` (on a SharedArrayBuffer, taken with Atomics.add).
 */
export type ScanCall = { id: number; next: Int32Array; chunk: number; count: number } & (
  | { kind: 'parents'; plan: ParentScanPlan }
  | { kind: 'relatives'; plan: RelativeScanPlan }
);

/** Scans chunks of `call` until none is left; the finds of each chunk this thread took. */
export function scanChunks(call: ScanCall): unknown[] {
  const parts: unknown[] = [];
  for (;;) {
    const from = Atomics.add(call.next, 0, 1) * call.chunk;
    if (from >= call.count) return parts;
    const to = Math.min(call.count, from + call.chunk);
    parts.push(
      call.kind === 'parents' ? scanParents(call.plan, from, to) : scanRelatives(call.plan, from, to),
    );
  }
}

const port = parentPort;
if (port) {
  port.on('message', (call: ScanCall) => {
    try {
      port.postMessage({ id: call.id, result: scanChunks(call) });
    } catch (err) {
      const e = err as Error;
      port.postMessage({ id: call.id, error: { name: e.name, message: e.message } });
    }
  });
  port.postMessage({ ready: true });
}
