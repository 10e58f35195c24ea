/**
 * The child's searches (its parents, its relatives) over every core: worker threads scan shares
 * of the {@link ProfileIndex}'s own packed arrays, which live on SharedArrayBuffers, so nothing
 * is copied and the index stays the one the service adds to. A search is planned on the calling
 * thread (the child's tables and the packs as they are at that moment: slots added meanwhile wait
 * for the next search), its slots [0, n) cut into chunks that the workers and the calling thread
 * take one at a time from a shared counter, each chunk scanned by search-kernel.ts exactly as one
 * scan of the whole would (the chunks' finds in slot order are that scan's finds). The workers
 * put their finds in shared memory (search-worker.ts); the calling thread, once no chunk is left
 * to take, reads those and scans itself any chunk not yet done, so a search never waits for a
 * worker the scheduler has left without a core. The few candidates are given their full account
 * on the calling thread. With no workers, or a pack too small to be worth a round trip, the scan
 * runs on the calling thread: the same function over one range.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ParentSearchResult, ProfileIndex, RelativeCandidate, SearchOptions } from './domain/matcher.ts';
import type { StrProfile } from './domain/profile.ts';
import { loadRelativesWasm } from './domain/relatives-wasm.ts';
import { scanParents, scanRelatives } from './domain/search-kernel.ts';
import { type ChunkedScan, gatherChunks, parentFinds, type ScanCall } from './search-worker.ts';

/** How a pool is made. */
export interface SearchPoolOptions {
  /** Worker threads; 0 scans on the calling thread. Every core by default. */
  workers?: number;
  /**
   * Fewest profiles in the searched pack for the scan to go to the workers; below it the calling
   * thread scans alone (a round trip to the workers costs more than the scan). 50,000 by default.
   */
  parallelFrom?: number;
  /** Told when a worker fails to start or dies (the scans then run on the calling thread). */
  onError?: (err: Error) => void;
  /**
   * The relatives' pre-scan: in WebAssembly once its assembler has loaded (at start; the default),
   * or always the JavaScript loop (`'js'`, the reference it is measured against). The same finds.
   */
  relativesKernel?: 'wasm' | 'js';
}

// The worker is TypeScript, as the service is (run by tsx): tsx's loader is registered in the
// thread before the module is imported (resolved from the working directory, as tsx itself is).
const WORKER = new URL('./search-worker.ts', import.meta.url).href;
const BOOT = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(WORKER)}); });`;

/** The index's child searches over worker threads (see the module comment). */
export class SearchPool {
  readonly #index: ProfileIndex;
  readonly #workers: Worker[];
  readonly #parallelFrom: number;
  readonly #size: number;
  readonly #onError: (err: Error) => void;
  readonly #relativesKernel: 'wasm' | 'js';
  /** The workers' start, once begun (at start, or at the first search big enough). */
  #starting: Promise<void> | undefined;
  #ready = false;
  #running = 0;
  #inFlight = 0;
  #chunks = 0;
  #takenOver = 0;
  #idle: Array<() => void> = [];
  #closed = false;
  /** A worker that failed (scans then run on the calling thread, answers unchanged). */
  #broken = false;

  private constructor(
    index: ProfileIndex,
    size: number,
    parallelFrom: number,
    onError: (err: Error) => void,
    relativesKernel: 'wasm' | 'js' = 'wasm',
  ) {
    this.#index = index;
    this.#relativesKernel = relativesKernel;
    this.#workers = [];
    this.#size = size;
    this.#parallelFrom = parallelFrom;
    this.#onError = onError;
  }

  /**
   * A pool over `index` (which must hold its profiles on SharedArrayBuffers when it has workers:
   * see ProfileIndexOptions.shared). Its workers start now, and this waits until each is ready,
   * when the index already holds `parallelFrom` profiles of a kind (or `parallelFrom` is 0);
   * otherwise at the first search that finds that many, which, and those after it until the
   * workers are ready, scans on the calling thread. So a small index never starts threads.
   * The relatives' WebAssembly scan is loaded first (a failure to load is told to `onError`, and
   * the JavaScript loop scans).
   */
  static async start(index: ProfileIndex, options: SearchPoolOptions = {}): Promise<SearchPool> {
    const n = Math.max(0, Math.floor(options.workers ?? availableParallelism()));
    if (n > 0 && !index.shared) {
      throw new RangeError('a search pool with workers needs a ProfileIndex made with { shared: true }');
    }
    const onError = options.onError ?? (() => {});
    const kernel = options.relativesKernel ?? 'wasm';
    if (kernel === 'wasm') {
      await loadRelativesWasm().catch((err: Error) =>
        onError(new Error(`the relatives' WebAssembly scan did not load: ${err.message}`, { cause: err })),
      );
    }
    const pool = new SearchPool(index, n, options.parallelFrom ?? 50_000, onError, kernel);
    if (n > 0 && (pool.#parallelFrom === 0 || index.size >= pool.#parallelFrom)) await pool.#start();
    return pool;
  }

  /** A pool of no workers: every scan on the calling thread (tests, a single-core host). */
  static onThisThread(index: ProfileIndex): SearchPool {
    return new SearchPool(index, 0, Number.POSITIVE_INFINITY, () => {});
  }

  /** Worker threads not yet exited (0 before they start and once closed). */
  get running(): number {
    return this.#running;
  }

  /**
   * Chunks of the searches so far shared out (0 while every scan ran on the calling thread), and
   * of those, how many the calling thread scanned after a worker had taken them (a worker the
   * scheduler left without a core, or out of result words): a measure of the load's effect.
   */
  get chunks(): { shared: number; takenOver: number } {
    return { shared: this.#chunks, takenOver: this.#takenOver };
  }

  /** Number of worker threads (started or to start). */
  get workers(): number {
    return this.#size;
  }

  #start(): Promise<void> {
    this.#starting ??= this.#spawn().then(
      (workers) => {
        // Closed meanwhile: close terminates them.
        this.#workers.push(...workers);
        if (this.#closed) return;
        for (const w of workers) this.#attach(w);
        this.#ready = true;
      },
      (err: Error) => {
        this.#broken = true;
        this.#onError(err);
      },
    );
    return this.#starting;
  }

  async #spawn(): Promise<Worker[]> {
    const started = await Promise.allSettled(
      Array.from({ length: this.#size }, async () => {
        const w = new Worker(BOOT, { eval: true });
        this.#running++;
        w.once('exit', () => this.#running--);
        let onError = (_: Error) => {};
        let onExit = (_: number) => {};
        try {
          await new Promise<void>((resolve, reject) => {
            onError = reject;
            onExit = (code) => reject(new Error(`search worker exited with code ${code}`));
            w.once('error', onError);
            w.once('exit', onExit);
            w.once('message', () => resolve());
          });
        } catch (err) {
          await w.terminate();
          throw err;
        } finally {
          w.off('error', onError);
          w.off('exit', onExit);
        }
        return w;
      }),
    );
    const workers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw failed.reason;
    }
    return workers;
  }

  #attach(w: Worker): void {
    // A worker answers a search in shared memory (search-worker.ts); it writes only to say that
    // a scan threw (the calling thread scans that chunk itself and meets the same error).
    w.on('message', (m: { error?: { name: string; message: string } }) => {
      if (m.error) this.#onError(Object.assign(new Error(m.error.message), { name: m.error.name }));
    });
    const fail = (err: Error) => {
      if (this.#closed) return;
      if (!this.#broken) this.#onError(err);
      this.#broken = true;
    };
    w.on('error', fail);
    w.on('exit', (code) => fail(new Error(`search worker exited with code ${code}`)));
  }

  /** {@link ProfileIndex.searchParentsForChild}, its scan shared among the workers. */
  async searchParentsForChild(child: StrProfile, options: SearchOptions = {}): Promise<ParentSearchResult> {
    this.#open();
    const plan = this.#index.planParentSearch(child, options);
    try {
      const parts = this.#parallel(plan.scan.count)
        ? this.#scatter('parents', plan.scan, plan.scan.count).map(parentFinds)
        : [scanParents(plan.scan, 0, plan.scan.count)];
      return this.#index.parentSearchResult(plan, parts);
    } finally {
      this.#index.abandonSearch(plan);
      this.#done();
    }
  }

  /** {@link ProfileIndex.searchRelativesForChild}, its scan shared among the workers. */
  async searchRelativesForChild(
    child: StrProfile,
    options: SearchOptions = {},
  ): Promise<RelativeCandidate[]> {
    this.#open();
    const plan = this.#index.planRelativeSearch(child, options);
    if (this.#relativesKernel === 'js') delete plan.scan.wasm;
    try {
      const parts = this.#parallel(plan.scan.count)
        ? this.#scatter('relatives', plan.scan, plan.scan.count)
        : [scanRelatives(plan.scan, 0, plan.scan.count)];
      return this.#index.relativeSearchResult(plan, parts);
    } finally {
      this.#index.abandonSearch(plan);
      this.#done();
    }
  }

  /** Waits for the searches in flight, then stops the workers. Later searches are refused. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#inFlight > 0) await new Promise<void>((resolve) => this.#idle.push(resolve));
    await this.#starting;
    await Promise.all(this.#workers.map((w) => w.terminate()));
  }

  #open(): void {
    if (this.#closed) throw new Error('search pool closed');
    this.#inFlight++;
  }

  #done(): void {
    if (--this.#inFlight > 0) return;
    for (const resolve of this.#idle.splice(0)) resolve();
  }

  #parallel(count: number): boolean {
    if (this.#size === 0 || this.#broken || count < this.#parallelFrom) return false;
    if (!this.#ready) void this.#start();
    return this.#ready;
  }

  /**
   * The scan of [0, count) shared out in chunks that the workers and this thread take from one
   * shared counter until none is left; the finds of every chunk, as {@link chunkWords} (the
   * order does not matter: the results sort their slots). This thread then reads the chunks the
   * workers have marked done, and scans itself every chunk still unmarked: one that a worker the
   * scheduler left waiting holds (or was never given, or did not fit its result words), so no
   * search waits for a thread that is not running; at worst a chunk is scanned twice, both times
   * to the same finds (a worker that finishes it later writes only to its own words, read by
   * nobody). A worker that died is the same as one that never runs.
   */
  #scatter(kind: ScanCall['kind'], plan: ScanCall['plan'], count: number): number[][] {
    const chunk = chunkSize(count, this.#workers.length);
    const chunks = Math.ceil(count / chunk);
    const board = new Int32Array(new SharedArrayBuffer(4 * (1 + 3 * chunks)));
    const outs = this.#workers.map((w, i) => {
      const out = new Int32Array(new SharedArrayBuffer(4 * RESULT_WORDS));
      w.postMessage({ kind, plan, board, out, thread: i + 1, chunk, count } as ScanCall);
      return out;
    });
    const { parts, takenOver } = gatherChunks({ kind, plan, board, chunk, count } as ChunkedScan, outs);
    this.#chunks += chunks;
    this.#takenOver += takenOver;
    return parts;
  }
}

/**
 * Result words of a worker a search: room for the finds of its chunks (a relatives chunk finds
 * a few slots in ten thousand, a parents chunk fewer; a search with a floor low enough to find
 * more leaves the chunks that do not fit to this thread).
 */
const RESULT_WORDS = 16_384;

/**
 * Chunks per worker and search. Small, because a chunk that a worker has taken but not finished
 * when no chunk is left is scanned again by the calling thread (about one a search beside the
 * unit tests at load 17, 124 of 2,272 chunks at 8 a worker): a smaller chunk wastes less CPU
 * on it; taking a chunk costs one Atomics.add and its finds a few words.
 */
const CHUNKS_PER_WORKER = 32;

/**
 * Slots in one chunk of a scan of `count` slots over `workers` threads: about
 * {@link CHUNKS_PER_WORKER} chunks per worker, in whole 32-slot words (no word of the parents'
 * carrier bitsets is split between two chunks), at least one word.
 */
export function chunkSize(count: number, workers: number): number {
  return Math.max(32, Math.ceil(count / (workers * CHUNKS_PER_WORKER) / 32) * 32);
}
