import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RelativeRelations } from '../../src/domain/kinship-relatives.ts';
import { ProfileIndex, type SampleMeta } from '../../src/domain/matcher.ts';
import type { StrProfile } from '../../src/domain/profile.ts';
import { scanParents, scanRelatives } from '../../src/domain/search-kernel.ts';
import { SyntheticPopulation } from '../../src/domain/synthetic-population.ts';
import { chunkSize, SearchPool } from '../../src/search-pool.ts';
import {
  type ChunkedScan,
  chunkWords,
  gatherChunks,
  parentFinds,
  type ScanCall,
  scanChunks,
} from '../../src/search-worker.ts';
import { fbiTable } from '../domain/fixtures.ts';

const table = fbiTable('Caucasian');
// The pool's index (on SharedArrayBuffers) and a reference index holding the same profiles,
// searched by one scan on this thread.
const shared = new ProfileIndex(table, { shared: true });
const reference = new ProfileIndex(table);
const population = new SyntheticPopulation(table, 99);
const children: StrProfile[] = [];
let pool: SearchPool;

const add = (id: string, p: StrProfile, role: 'child' | 'parent' | 'relative', meta: SampleMeta = {}) => {
  shared.add(id, p, role, meta);
  reference.add(id, p, role, meta);
};

beforeAll(async () => {
  // A simulated population: 1,500 cases with a mother, most with a father, some with siblings,
  // grandparents, aunts and uncles; a child of every tenth case among the queries.
  for (let i = 0; i < 1_500; i++) {
    const mother = population.person();
    const father = population.person();
    add(`m${i}`, mother, 'parent', { caseId: `c${i}`, relation: 'mother' });
    if (i % 4 !== 0) add(`f${i}`, father, 'parent', { caseId: `c${i}`, relation: 'father' });
    if (i % 3 === 0)
      add(`s${i}`, population.childOf(mother, father), 'relative', {
        caseId: `c${i}`,
        relation: 'full-sibling',
      });
    add(
      `r${i}`,
      i % 5 === 0 ? population.childOf(mother, population.person()) : population.person(),
      'relative',
      {
        caseId: `c${i}`,
        relation: RelativeRelations[1 + (i % 3)]!,
      },
    );
    if (i % 10 === 0) children.push(population.childOf(mother, father));
  }
  // Three workers and the calling thread taking chunks: a pair's two parents often in two chunks.
  pool = await SearchPool.start(shared, { workers: 3, parallelFrom: 0 });
});

afterAll(async () => {
  await pool?.close();
});

describe('SearchPool: the child searches over worker threads', () => {
  it('answers every search exactly as one scan on this thread does', async () => {
    expect(pool.workers).toBe(3);
    expect(pool.running).toBe(3);
    for (const child of [...children, population.person(), population.person()]) {
      for (const floor of [undefined, 1]) {
        const options = floor === undefined ? {} : { floor };
        const parents = await pool.searchParentsForChild(child, options);
        expect(parents).toEqual(reference.searchParentsForChild(child, options));
        expect(await pool.searchRelativesForChild(child, options)).toEqual(
          reference.searchRelativesForChild(child, options),
        );
      }
    }
    // Every search went to the workers' chunks (some of them perhaps scanned here after all).
    expect(pool.chunks.shared).toBeGreaterThan(0);
    expect(pool.chunks.takenOver).toBeLessThanOrEqual(pool.chunks.shared);
    // The true families are there: the pair of (nearly) every true child whose case has a father (half).
    const found = await Promise.all(children.map((c) => pool.searchParentsForChild(c)));
    expect(found.filter((r) => r.pairs.some((p) => p.status === 'match')).length).toBeGreaterThanOrEqual(
      0.9 * (children.length / 2),
    );
  });

  it('scans the relatives in WebAssembly on every thread, finding what the JavaScript loop finds', async () => {
    const errors: Error[] = [];
    const wasm = await SearchPool.start(shared, {
      workers: 2,
      parallelFrom: 0,
      onError: (e) => errors.push(e),
    });
    const js = await SearchPool.start(shared, { workers: 2, parallelFrom: 0, relativesKernel: 'js' });
    try {
      const plan = shared.planRelativeSearch(children[0]!, {});
      shared.abandonSearch(plan);
      expect(plan.scan.wasm).toBeDefined();
      for (const child of [...children, population.person(), population.person()]) {
        for (const floor of [undefined, 1, 1e-3]) {
          const options = floor === undefined ? {} : { floor };
          expect(await wasm.searchRelativesForChild(child, options)).toStrictEqual(
            await js.searchRelativesForChild(child, options),
          );
        }
      }
      expect(wasm.chunks.shared).toBeGreaterThan(0);
      expect(errors).toEqual([]);
    } finally {
      await Promise.all([wasm.close(), js.close()]);
    }
  });

  it('shares a scan out in chunks of whole words, each taken once, their finds those of one scan', () => {
    expect(chunkSize(2_000_000, 2)).toBe(31_264);
    expect(chunkSize(2_000_000, 2) % 32).toBe(0);
    expect(chunkSize(100, 3)).toBe(32);
    expect(chunkSize(0, 2)).toBe(32);
    for (const child of children.slice(0, 5)) {
      const parents = shared.planParentSearch(child, {});
      const relatives = shared.planRelativeSearch(child, {});
      try {
        for (const [kind, plan, whole] of [
          ['parents', parents.scan, scanParents(parents.scan, 0, parents.scan.count)],
          ['relatives', relatives.scan, scanRelatives(relatives.scan, 0, relatives.scan.count)],
        ] as const) {
          const chunk = 96;
          const chunks = Math.ceil(plan.count / chunk);
          expect(chunks).toBeGreaterThan(4);
          const board = new Int32Array(new SharedArrayBuffer(4 * (1 + 3 * chunks)));
          const words = (n: number) => new Int32Array(new SharedArrayBuffer(4 * n));
          const call = { kind, plan, board, chunk, count: plan.count } as ChunkedScan;
          // Worker 1 finishes chunks 0 and 1 and takes chunk 2, which it never scans (a thread
          // the scheduler left waiting): its call ends at chunk 2's first slot.
          const out1 = words(16_384);
          scanChunks({ ...call, out: out1, thread: 1, count: 2 * chunk } as ScanCall);
          expect(board[0]).toBe(3);
          expect([board[1], board[4], board[7]]).toEqual([1, 1, 0]);
          // Worker 2 has room for no finds: the chunk it takes stays unmarked.
          const out2 = words(0);
          board[0] = 3;
          scanChunks({ ...call, out: out2, thread: 2, count: 4 * chunk } as ScanCall);
          expect(board[0]).toBe(5);
          const fourth = chunkWords(call, 3 * chunk, 4 * chunk);
          expect(board[10]).toBe(fourth.length > 0 ? 0 : 2);
          // The calling thread takes the rest, reads chunks 0 and 1 from worker 1's words and
          // scans chunk 2 (and 3, unless it found nothing) itself.
          board[0] = 4;
          const { parts, takenOver } = gatherChunks(call, [out1, out2]);
          expect(takenOver).toBe(fourth.length > 0 ? 2 : 1);
          expect(parts).toHaveLength(chunks);
          const merge = (key: 'singles' | 'pairs') =>
            parts
              .map(parentFinds)
              .flatMap((p) => p[key])
              .sort((a, b) => a - b);
          if (kind === 'parents') {
            const w = whole as { singles: number[]; pairs: number[] };
            expect(merge('singles')).toEqual(w.singles);
            expect(merge('pairs')).toEqual(w.pairs);
            expect(parts[0]).toEqual(chunkWords(call, 0, chunk));
          } else {
            expect(parts.flat().sort((a, b) => a - b)).toEqual(whole);
          }
          // A marked chunk's finds are read from its worker's words, as written there.
          const at = board[2]!;
          const length = board[3]!;
          out1[at + length - 1] = -7;
          board[0] = chunks;
          const { parts: again } = gatherChunks(call, [out1, out2]);
          expect(again[0]!.length).toBe(length);
          if (length > 0) expect(again[0]![length - 1]).toBe(-7);
        }
      } finally {
        shared.abandonSearch(parents);
        shared.abandonSearch(relatives);
      }
    }
  });

  it('runs several searches at once, each with its own answer', async () => {
    const queries = children.slice(0, 12);
    const answers = await Promise.all(queries.map((c) => pool.searchParentsForChild(c, { floor: 1 })));
    answers.forEach((a, i) => {
      expect(a).toEqual(reference.searchParentsForChild(queries[i]!, { floor: 1 }));
    });
  });

  it('finds on the next search what was added or removed after one, while its workers may still scan', async () => {
    const mother = population.person();
    const father = population.person();
    const child = population.childOf(mother, father);
    // A twin: a full sibling far above any floor.
    const sibling = child;
    // A search ends on this thread (it scans whatever chunk a worker has not finished), so nothing
    // is added during one; the workers may still be scanning a chunk of it, over the arrays the
    // plan saw, while the index grows into new arrays and moves slots below.
    const before = pool.searchParentsForChild(child);
    const relativesBefore = pool.searchRelativesForChild(child);
    // Enough parents and relatives to outgrow the packs' arrays.
    for (let i = 0; i < 3_000; i++) {
      add(`late-m${i}`, population.person(), 'parent', { caseId: `late${i}`, relation: 'mother' });
      add(`late-r${i}`, population.person(), 'relative', { caseId: `late${i}`, relation: 'half-sibling' });
    }
    add('new-m', mother, 'parent', { caseId: 'new', relation: 'mother' });
    add('new-f', father, 'parent', { caseId: 'new', relation: 'father' });
    add('new-s', sibling, 'relative', { caseId: 'new', relation: 'full-sibling' });
    // Removal moves slots; no search is in flight on this thread.
    expect(shared.remove('late-m0')).toBe(true);
    reference.remove('late-m0');
    expect((await before).pairs.some((p) => p.caseId === 'new')).toBe(false);
    expect((await relativesBefore).some((r) => r.caseId === 'new')).toBe(false);
    const after = await pool.searchParentsForChild(child);
    expect(after.pairs[0]).toMatchObject({
      caseId: 'new',
      motherId: 'new-m',
      fatherId: 'new-f',
      status: 'match',
    });
    expect(after).toEqual(reference.searchParentsForChild(child));
    const relatives = await pool.searchRelativesForChild(child);
    expect(relatives.some((r) => r.referenceId === 'new-s')).toBe(true);
    expect(relatives).toEqual(reference.searchRelativesForChild(child));
    expect(await pool.searchParentsForChild(child, { floor: 1 })).toEqual(
      reference.searchParentsForChild(child, { floor: 1 }),
    );
  });

  it('scans a small index on this thread, and refuses an index not on SharedArrayBuffers', async () => {
    const small = await SearchPool.start(shared, { workers: 1, parallelFrom: 1_000_000 });
    try {
      expect(await small.searchParentsForChild(children[0]!)).toEqual(
        reference.searchParentsForChild(children[0]!),
      );
    } finally {
      await small.close();
    }
    await expect(SearchPool.start(reference, { workers: 1 })).rejects.toThrow(/shared/);
  });

  it('starts its threads at the first search of an index big enough, scanning on this thread until they are ready', async () => {
    const small = new ProfileIndex(table, { shared: true });
    const lazy = await SearchPool.start(small, { workers: 2, parallelFrom: 50 });
    try {
      expect(lazy.running).toBe(0);
      const people = Array.from({ length: 60 }, () => population.person());
      for (const [i, p] of people.entries()) {
        small.add(`p${i}`, p, 'parent', { caseId: `k${i >> 1}`, relation: i % 2 ? 'father' : 'mother' });
      }
      const child = population.childOf(people[10]!, people[11]!);
      const first = await lazy.searchParentsForChild(child);
      expect(first.pairs[0]).toMatchObject({ motherId: 'p10', fatherId: 'p11' });
      await vi.waitFor(() => expect(lazy.running).toBe(2), { timeout: 20_000 });
      expect(await lazy.searchParentsForChild(child)).toEqual(first);
    } finally {
      await lazy.close();
    }
    expect(lazy.running).toBe(0);
  });

  it('waits for the searches in flight when closed, stops its threads, and refuses later searches', async () => {
    const own = await SearchPool.start(shared, { workers: 2, parallelFrom: 0 });
    expect(own.running).toBe(2);
    const inFlight = own.searchParentsForChild(children[1]!);
    await own.close();
    expect(await inFlight).toEqual(reference.searchParentsForChild(children[1]!));
    expect(own.running).toBe(0);
    await expect(own.searchParentsForChild(children[1]!)).rejects.toThrow(/closed/);
  });
});
