import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RelativeRelations } from '../../src/domain/kinship-relatives.ts';
import { ProfileIndex, type SampleMeta } from '../../src/domain/matcher.ts';
import type { StrProfile } from '../../src/domain/profile.ts';
import { scanParents, scanRelatives } from '../../src/domain/search-kernel.ts';
import { SyntheticPopulation } from '../../src/domain/synthetic-population.ts';
import { chunkSize, SearchPool } from '../../src/search-pool.ts';
import { type ScanCall, scanChunks } from '../../src/search-worker.ts';
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
    // The true families are there: the pair of (nearly) every true child whose case has a father (half).
    const found = await Promise.all(children.map((c) => pool.searchParentsForChild(c)));
    expect(found.filter((r) => r.pairs.some((p) => p.status === 'match')).length).toBeGreaterThanOrEqual(
      0.9 * (children.length / 2),
    );
  });

  it('shares a scan out in chunks of whole words, each taken once, their finds those of one scan', () => {
    expect(chunkSize(2_000_000, 2)).toBe(125_024);
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
          // Two threads on one counter, one after the other: the first takes a chunk, leaves.
          const next = new Int32Array(new SharedArrayBuffer(4));
          const call = { id: 1, kind, plan, next, chunk: 96, count: plan.count } as ScanCall;
          const chunks = Math.ceil(plan.count / 96);
          expect(chunks).toBeGreaterThan(3);
          const first = scanChunks({ ...call, count: 96 } as ScanCall);
          next[0] = 1;
          const rest = scanChunks(call);
          expect(first).toHaveLength(1);
          expect(rest).toHaveLength(chunks - 1);
          expect(next[0]).toBe(chunks + 1);
          const merge = (key: 'singles' | 'pairs') =>
            [...first, ...rest]
              .flatMap((p) => (p as Record<typeof key, number[]>)[key])
              .sort((a, b) => a - b);
          if (kind === 'parents') {
            const w = whole as { singles: number[]; pairs: number[] };
            expect(merge('singles')).toEqual(w.singles);
            expect(merge('pairs')).toEqual(w.pairs);
          } else {
            expect(([...first, ...rest] as number[][]).flat().sort((a, b) => a - b)).toEqual(whole);
          }
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

  it('finds on the next search what was added during a search, through growth of the arrays', async () => {
    const mother = population.person();
    const father = population.person();
    const child = population.childOf(mother, father);
    // A twin: a full sibling far above any floor.
    const sibling = child;
    const inFlight = pool.searchParentsForChild(child);
    const relativesInFlight = pool.searchRelativesForChild(child);
    // Added while the workers scan: enough parents and relatives to outgrow the packs' arrays.
    for (let i = 0; i < 3_000; i++) {
      add(`late-m${i}`, population.person(), 'parent', { caseId: `late${i}`, relation: 'mother' });
      add(`late-r${i}`, population.person(), 'relative', { caseId: `late${i}`, relation: 'half-sibling' });
    }
    add('new-m', mother, 'parent', { caseId: 'new', relation: 'mother' });
    add('new-f', father, 'parent', { caseId: 'new', relation: 'father' });
    add('new-s', sibling, 'relative', { caseId: 'new', relation: 'full-sibling' });
    // Removal moves slots: refused until the searches in flight are over.
    expect(() => shared.remove('late-m0')).toThrow(/in flight/);
    const during = await inFlight;
    await relativesInFlight;
    expect(during.pairs.some((p) => p.caseId === 'new')).toBe(false);
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
    expect(shared.remove('late-m0')).toBe(true);
    reference.remove('late-m0');
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
