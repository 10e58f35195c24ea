// One scanning thread of the kinship search (search-pool.ts starts it): it holds no index of its
// own, only the scan it is sent (views of the index's SharedArrayBuffers and one child's tables),
// and takes chunks of the search's slots from a counter it shares with the other threads until
// none is left. It answers in shared memory, not by message: each chunk's finds go into this
// thread's own result words, and the chunk is then marked done on the search's board, so the
// calling thread reads them the moment they are there and never waits for a reply that a thread
// the scheduler left waiting would hold back (it scans a chunk not yet marked itself).
import { parentPort } from 'node:worker_threads';
import {
  type ParentScanPlan,
  type ParentScanResult,
  type RelativeScanPlan,
  scanParents,
  scanRelatives,
} from './domain/search-kernel.ts';

/**
 * One search as sent to every thread: slots [0, count) in chunks of `chunk` slots.
 *
 * `board` (on a SharedArrayBuffer) holds the next chunk to take in word 0 (taken with
 * Atomics.add), then three words per chunk c: at `1 + 3c` the thread that finished it (0 while
 * nobody has; a worker's `thread`, from 1), at `2 + 3c` and `3 + 3c` where its finds start in
 * that thread's `out` and how many words they take ({@link chunkWords}). The two are written
 * before the mark, with Atomics.store, so a thread that reads the mark with Atomics.load reads
 * them as written.
 */
export type ScanCall = {
  board: Int32Array;
  /** This thread's result words (on a SharedArrayBuffer): chunks that do not fit stay unmarked. */
  out: Int32Array;
  /** This thread's mark, from 1. */
  thread: number;
  chunk: number;
  count: number;
} & ScanJob;

/** What a search scans: a parents' or a relatives' plan. */
export type ScanJob =
  | { kind: 'parents'; plan: ParentScanPlan }
  | { kind: 'relatives'; plan: RelativeScanPlan };

/** A search's chunks as one thread takes them: the job, the board, the chunk size and the slots. */
export type ChunkedScan = ScanJob & Pick<ScanCall, 'board' | 'chunk' | 'count'>;

/** A chunk's finds as words: a relatives scan's slots; a parents scan's singles' count, singles, pairs. */
export function chunkWords(call: ScanJob, from: number, to: number): number[] {
  if (call.kind === 'relatives') return scanRelatives(call.plan, from, to);
  const { singles, pairs } = scanParents(call.plan, from, to);
  return [singles.length, ...singles, ...pairs];
}

/** The parents' finds of a chunk from its {@link chunkWords}. */
export function parentFinds(words: ArrayLike<number>): ParentScanResult {
  const all = Array.from(words);
  const singles = all[0]!;
  return { singles: all.slice(1, 1 + singles), pairs: all.slice(1 + singles) };
}

/** Takes chunks of `call` until none is left, handing each one's finds to `found`. */
export function takeChunks(call: ChunkedScan, found: (chunk: number, words: number[]) => void): void {
  for (;;) {
    const c = Atomics.add(call.board, 0, 1);
    const from = c * call.chunk;
    if (from >= call.count) return;
    found(c, chunkWords(call, from, Math.min(call.count, from + call.chunk)));
  }
}

/** A worker's part of a search: its chunks' finds into `out`, each chunk then marked done. */
export function scanChunks(call: ScanCall): void {
  let used = 0;
  takeChunks(call, (c, words) => {
    if (used + words.length > call.out.length) return;
    call.out.set(words, used);
    Atomics.store(call.board, 2 + 3 * c, used);
    Atomics.store(call.board, 3 + 3 * c, words.length);
    Atomics.store(call.board, 1 + 3 * c, call.thread);
    used += words.length;
  });
}

/**
 * The calling thread's part of a search whose workers were sent `call` with result words `outs`
 * (worker t's at t - 1): takes chunks until none is left, then the finds of every chunk, read
 * from the worker that marked it done or, for a chunk still unmarked (its worker not running, or
 * out of result words), scanned here (search-pool.ts says why). `takenOver` counts those.
 */
export function gatherChunks(
  call: ChunkedScan,
  outs: readonly Int32Array[],
): { parts: number[][]; takenOver: number } {
  const { board, chunk, count } = call;
  const chunks = Math.ceil(count / chunk);
  const parts: (number[] | undefined)[] = new Array(chunks);
  takeChunks(call, (c, words) => {
    parts[c] = words;
  });
  let takenOver = 0;
  for (let c = 0; c < chunks; c++) {
    if (parts[c]) continue;
    const thread = Atomics.load(board, 1 + 3 * c);
    if (thread > 0) {
      const at = Atomics.load(board, 2 + 3 * c);
      parts[c] = Array.from(outs[thread - 1]!.subarray(at, at + Atomics.load(board, 3 + 3 * c)));
    } else {
      parts[c] = chunkWords(call, c * chunk, Math.min(count, (c + 1) * chunk));
      takenOver++;
    }
  }
  return { parts: parts as number[][], takenOver };
}

const port = parentPort;
if (port) {
  port.on('message', (call: ScanCall) => {
    try {
      scanChunks(call);
    } catch (err) {
      // The chunk stays unmarked and the calling thread scans it (and meets the error itself).
      const e = err as Error;
      port.postMessage({ error: { name: e.name, message: e.message } });
    }
  });
  port.postMessage({ ready: true });
}
