// The dna benches' extra search pools: more pools over the same index, each timed in the same
// loop as the default one (BENCH_MORE_POOLS=4,8), to see how the number of threads changes the
// latency when other processes want the cores too.
import type { ProfileIndex } from '../../services/dna-tracking/src/domain/matcher.ts';
import { SearchPool } from '../../services/dna-tracking/src/search-pool.ts';

/** A pool of BENCH_MORE_POOLS and the times of its searches. */
export interface TimedPool {
  pool: SearchPool;
  times: number[];
}

/** One started pool per worker count in BENCH_MORE_POOLS (none without it). */
export function startMorePools(index: ProfileIndex): Promise<TimedPool[]> {
  return Promise.all(
    (process.env.BENCH_MORE_POOLS ?? '')
      .split(',')
      .filter((n) => n.trim() !== '')
      .map(async (n) => ({
        pool: await SearchPool.start(index, { parallelFrom: 0, workers: Number(n) }),
        times: [] as number[],
      })),
  );
}
