import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The order of test files in a mutation run: a file that failed last first (it most likely kills
 * the next mutant of the same code too), then the quickest first. Vitest's own order is the
 * opposite (largest and slowest first, so that parallel workers finish together), which in a
 * mutation run, one worker and a stop at the first failure, makes every killed mutant wait for
 * the slowest covering test. Which mutants are killed does not change, only how soon.
 */
export class QuickFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const cache = this.ctx.cache;
    const key = (f: TestSpecification) => `${f.project.name}:${relative(this.ctx.config.root, f.moduleId)}`;
    const rank = (f: TestSpecification) => {
      const results = cache.getFileTestResults(key(f));
      const size = cache.getFileStats(key(f))?.size ?? 0;
      return {
        failed: results?.failed ? 0 : 1,
        duration: results?.duration ?? Number.POSITIVE_INFINITY,
        size,
      };
    };
    return [...files]
      .map((f) => ({ f, r: rank(f) }))
      .sort((a, b) => a.r.failed - b.r.failed || a.r.duration - b.r.duration || a.r.size - b.r.size)
      .map(({ f }) => f);
  }
}
