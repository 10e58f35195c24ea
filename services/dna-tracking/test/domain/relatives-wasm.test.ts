import { beforeAll, describe, expect, it } from 'vitest';
import { RelativeRelations } from '../../src/domain/kinship-relatives.ts';
import { ProfileIndex, type RelativeSearchPlan } from '../../src/domain/matcher.ts';
import type { StrProfile } from '../../src/domain/profile.ts';
import {
  KEYS_AT,
  loadRelativesWasm,
  relativeScanText,
  scanRelativesWasm,
  sumsFitInt32,
  TABLE_BYTES,
  TABLE_SLOTS,
} from '../../src/domain/relatives-wasm.ts';
import { scanRelatives } from '../../src/domain/search-kernel.ts';
import { mulberry32, SyntheticPopulation } from '../../src/domain/synthetic-population.ts';
import { fbiTable } from './fixtures.ts';
import { withWasm } from './wasm-plan.ts';

// The relatives' pre-scan in WebAssembly against the JavaScript loop it stands in for, through the
// index: the same slots passed on, so the same candidates with the same indices, on random
// populations; and the tables the index lends its open searches.
const table = fbiTable('Caucasian');

beforeAll(() => loadRelativesWasm());

/** The person untyped at each locus with probability `gaps`. */
const withGaps = (p: StrProfile, gaps: number, random: () => number): StrProfile =>
  ({
    loci: Object.fromEntries(Object.entries(p.loci).filter(() => random() >= gaps)),
  }) as unknown as StrProfile;

/** The plan's own scan by the JavaScript loop (its WebAssembly left out). */
const scanJs = (plan: RelativeSearchPlan, from: number, to: number) =>
  scanRelatives({ ...plan.scan, wasm: undefined }, from, to);

describe('relatives-wasm: the pre-scan in WebAssembly', () => {
  it('passes on exactly the slots the JavaScript loop passes on, on random populations, floors and splits', () => {
    for (const seed of [1, 2, 3]) {
      const random = mulberry32(seed);
      const population = new SyntheticPopulation(table, seed);
      const index = new ProfileIndex(table, { shared: seed % 2 === 0 });
      // Past the first growth of the pack (1,024 slots): the keys move to a bigger memory.
      const n = 1_500 + seed * 100;
      const parents = Array.from({ length: 50 }, () => [population.person(), population.person()] as const);
      for (let i = 0; i < n; i++) {
        const [mother, father] = parents[i % parents.length]!;
        const person = i % 3 === 0 ? population.childOf(mother, father) : population.person();
        index.add(`r${i}`, withGaps(person, 0.1, random), 'relative', {
          caseId: `c${i}`,
          relation: RelativeRelations[i % RelativeRelations.length]!,
        });
      }
      for (let q = 0; q < 8; q++) {
        const [mother, father] = parents[q]!;
        const child = withGaps(
          q % 2 ? population.childOf(mother, father) : population.person(),
          0.05,
          random,
        );
        for (const floor of [Number.MIN_VALUE, 1e-6, 0.5, 1, 10, 1_000, 0, -1]) {
          const plan = index.planRelativeSearch(child, { floor });
          try {
            expect(plan.scan.wasm).toBeDefined();
            const js = scanJs(plan, 0, plan.scan.count);
            const whole = scanRelatives(plan.scan, 0, plan.scan.count);
            expect(whole).toEqual(js);
            const cut = Math.floor(random() * n);
            expect([...scanRelatives(plan.scan, 0, cut), ...scanRelatives(plan.scan, cut, n)]).toEqual(js);
            expect(scanRelatives(plan.scan, cut, cut)).toEqual([]);
            // The candidates, with their indices, are those of the JavaScript loop's finds.
            const jsPlan = index.planRelativeSearch(child, { floor });
            expect(index.relativeSearchResult(plan, [whole])).toStrictEqual(
              index.relativeSearchResult(jsPlan, [scanJs(jsPlan, 0, jsPlan.scan.count)]),
            );
          } finally {
            index.abandonSearch(plan);
          }
        }
      }
    }
  });

  it('lends each open search a table of its own, and leaves a search that finds none to the JavaScript loop', () => {
    const population = new SyntheticPopulation(table, 7);
    const index = new ProfileIndex(table);
    for (let i = 0; i < 300; i++) {
      index.add(`r${i}`, population.person(), 'relative', { caseId: `c${i}`, relation: 'full-sibling' });
    }
    const children = Array.from({ length: TABLE_SLOTS + 2 }, () => population.person());
    const plans = children.map((c) => index.planRelativeSearch(c, { floor: 1e-3 }));
    const lent = plans.slice(0, TABLE_SLOTS).map((p) => p.scan.wasm?.tableAt);
    expect(lent).toEqual(Array.from({ length: TABLE_SLOTS }, (_, t) => t * TABLE_BYTES));
    expect(plans.slice(TABLE_SLOTS).map((p) => p.scan.wasm)).toEqual([undefined, undefined]);
    // Each scan reads its own table, though all are open at once.
    const expected = plans.map((p) => scanJs(p, 0, p.scan.count));
    expect(plans.map((p) => scanRelatives(p.scan, 0, p.scan.count))).toEqual(expected);
    expect(new Set(expected.map((e) => e.join())).size).toBeGreaterThan(1);
    // An ended search gives its table back (ended twice, once).
    index.abandonSearch(plans[0]!);
    index.abandonSearch(plans[0]!);
    const next = index.planRelativeSearch(children[0]!, { floor: 1e-3 });
    expect(next.scan.wasm?.tableAt).toBe(0);
    expect(index.planRelativeSearch(children[0]!, { floor: 1e-3 }).scan.wasm).toBeUndefined();
    expect(scanRelatives(plans[1]!.scan, 0, 300)).toEqual(expected[1]);
  });

  it('passes on a row whose sum is the cut, not one a unit below, every row for a NaN cut and none for an infinite one', () => {
    // Three loci (an odd row: a padding key, pointed at a huge entry that must not be read).
    const logTable = Int32Array.from([0, 5, -7, 1_000_000, 2 ** 30]);
    const genotypes = Uint16Array.from([1, 2, 3, 4, 1, 1, 2, 4, 2, 2, 2, 4]);
    const plan = withWasm({
      genotypes,
      width: 4,
      loci: 3,
      count: 3,
      table: new Float64Array(5),
      logTable,
      floor: 1,
    });
    const sums = [5 - 7 + 1_000_000, 5 + 5 - 7, -21];
    expect(scanRelativesWasm(plan.wasm, sums[0]!, 0, 3)).toEqual([0]);
    expect(scanRelativesWasm(plan.wasm, sums[0]! + 1, 0, 3)).toEqual([]);
    expect(scanRelativesWasm(plan.wasm, 3, 0, 3)).toEqual([0, 1]);
    expect(scanRelativesWasm(plan.wasm, 4, 0, 3)).toEqual([0]);
    expect(scanRelativesWasm(plan.wasm, -21, 0, 3)).toEqual([0, 1, 2]);
    expect(scanRelativesWasm(plan.wasm, -21, 1, 3)).toEqual([1, 2]);
    expect(scanRelativesWasm(plan.wasm, -20, 1, 3)).toEqual([1]);
    expect(scanRelativesWasm(plan.wasm, Number.NaN, 0, 3)).toEqual([0, 1, 2]);
    expect(scanRelativesWasm(plan.wasm, Number.NEGATIVE_INFINITY, 0, 3)).toEqual([0, 1, 2]);
    expect(scanRelativesWasm(plan.wasm, Number.POSITIVE_INFINITY, 0, 3)).toEqual([]);
  });

  it('sums in 32 bits only a table whose sums cannot wrap', () => {
    const most = Math.floor((2 ** 31 - 2) / 23);
    expect(sumsFitInt32(Int32Array.from([0, -most, most]), 23)).toBe(true);
    expect(sumsFitInt32(Int32Array.from([0, -most - 1]), 23)).toBe(false);
    expect(sumsFitInt32(Int32Array.from([most + 1]), 23)).toBe(false);
    // The FBI table's indices, for any child: sums far inside.
    const index = new ProfileIndex(table);
    const plan = index.planRelativeSearch(new SyntheticPopulation(table, 3).person());
    let most23 = 0;
    for (const v of plan.scan.logTable) most23 = Math.max(most23, Math.abs(v));
    expect(23 * most23).toBeLessThan(2 ** 31 / 100);
  });

  it('reads, per row, every key of a locus once and the padding key of an odd row never', () => {
    for (const [loci, keys] of [
      [1, 1],
      [2, 2],
      [23, 23],
      [24, 24],
    ] as const) {
      const text = relativeScanText(loci, TABLE_BYTES);
      // A word of two keys loaded per two loci, at the rows' offset in the memory.
      const words = [...text.matchAll(/\(i32\.load offset=(\d+) \(local\.get \$row\)\)/g)];
      expect(words.map((m) => Number(m[1]))).toEqual(
        Array.from({ length: Math.ceil(loci / 2) }, (_, h) => KEYS_AT + 4 * h),
      );
      // A table entry loaded per key (the low keys' and the high keys'), from the table given.
      expect(text.match(new RegExp(`\\(i32\\.load offset=${TABLE_BYTES} \\(`, 'g'))).toHaveLength(keys);
      expect(text).toContain(`(i32.const ${2 * (loci + (loci % 2))})`);
    }
    expect(KEYS_AT).toBe(TABLE_SLOTS * TABLE_BYTES);
  });
});
