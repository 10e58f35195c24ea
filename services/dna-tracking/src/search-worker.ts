// One scanning thread of the kinship search (search-pool.ts starts it): it holds no index of its
// own, only the scan it is sent (views of the index's SharedArrayBuffers and one child's tables)
// and the range of slots that is its share, and answers with the slots found.
import { parentPort } from 'node:worker_threads';
import {
  type ParentScanPlan,
  type RelativeScanPlan,
  scanParents,
  scanRelatives,
} from './domain/search-kernel.ts';

/** A share of one search: a scan of slots [from, to). */
export type ScanCall =
  | { id: number; kind: 'parents'; plan: ParentScanPlan; from: number; to: number }
  | { id: number; kind: 'relatives'; plan: RelativeScanPlan; from: number; to: number };

const port = parentPort!;

port.on('message', (call: ScanCall) => {
  try {
    const result =
      call.kind === 'parents'
        ? scanParents(call.plan, call.from, call.to)
        : scanRelatives(call.plan, call.from, call.to);
    port.postMessage({ id: call.id, result });
  } catch (err) {
    const e = err as Error;
    port.postMessage({ id: call.id, error: { name: e.name, message: e.message } });
  }
});
port.postMessage({ ready: true });
