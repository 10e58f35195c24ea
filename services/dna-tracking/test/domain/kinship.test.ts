import { describe, expect, it } from 'vitest';
import { loadFrequencyTable } from '../../src/domain/allele-frequencies.ts';
import {
  kinshipStatus,
  parentPairIndex,
  parentPairLocusIndex,
  probabilityOfParentage,
  singleParentIndex,
  singleParentLocusIndex,
} from '../../src/domain/kinship.ts';
import type { Genotype } from '../../src/domain/profile.ts';
import { SyntheticPopulation } from '../../src/domain/synthetic-population.ts';
import { fbiTable, profile } from './fixtures.ts';

// A small table whose numbers can be checked by hand.
const table = loadFrequencyTable(
  {
    T: {
      sampleSizeByLocus: { D8S1179: 200, TH01: 100, FGA: 100, vWA: 100 },
      frequencies: {
        D8S1179: { '12': 0.1, '13': 0.3, '14': 0.2, '15': 0.25, '16': 0.15 },
        TH01: { '6': 0.5, '7': 0.5 },
        FGA: { '20': 0.2, '21': 0.3, '22': 0.5 },
        vWA: { '16': 0.25, '17': 0.25, '18': 0.25, '19': 0.25 },
      },
    },
  },
  { population: 'T', source: 'hand-checkable test table' },
);
const freq = (allele: string) => table.frequency('D8S1179', allele);
const g = (a: string, b: string): Genotype => [a, b];
// P = 12 (p = 0.1), Q = 14 (q = 0.2), R = 15, S = 16.
const p = 0.1;
const q = 0.2;

describe('single-parent (duo) locus index, AABB/Brenner table', () => {
  it('child 12/14, father 12/15, p(12) = 0.1: PI = 1/(4·0.1) = 2.5', () => {
    expect(singleParentLocusIndex(g('12', '14'), g('12', '15'), freq)).toBeCloseTo(2.5, 12);
  });

  it.each([
    ['child PQ, parent PQ: (p+q)/(4pq)', g('12', '14'), g('12', '14'), (p + q) / (4 * p * q), 3.75],
    ['child PP, parent PP: 1/p', g('12', '12'), g('12', '12'), 1 / p, 10],
    ['child PP, parent PQ: 1/(2p)', g('12', '12'), g('12', '14'), 1 / (2 * p), 5],
    ['child PQ, parent PP: 1/(2p)', g('12', '14'), g('12', '12'), 1 / (2 * p), 5],
    ['child PQ, parent PR: 1/(4p)', g('12', '14'), g('12', '15'), 1 / (4 * p), 2.5],
    ['child PQ, parent QQ: 1/(2q)', g('12', '14'), g('14', '14'), 1 / (2 * q), 2.5],
    ['child PQ, parent QR: 1/(4q)', g('12', '14'), g('14', '15'), 1 / (4 * q), 1.25],
    ['child PP, parent PR: 1/(2p)', g('12', '12'), g('12', '16'), 1 / (2 * p), 5],
    ['child PQ, parent RS: inconsistent', g('12', '14'), g('15', '16'), 0, 0],
    ['child PP, parent QR: inconsistent', g('12', '12'), g('14', '15'), 0, 0],
  ])('%s', (_, child, parent, formula, literal) => {
    const index = singleParentLocusIndex(child, parent, freq);
    expect(index).toBeCloseTo(formula, 12);
    expect(index).toBeCloseTo(literal, 12);
  });
});

describe('parent-pair (trio) locus index', () => {
  it.each([
    [
      'child PQ, mother PP, father QQ: 1/(2pq)',
      g('12', '14'),
      g('12', '12'),
      g('14', '14'),
      1 / (2 * p * q),
      25,
    ],
    [
      'child PQ, mother QQ, father PP: 1/(2pq)',
      g('12', '14'),
      g('14', '14'),
      g('12', '12'),
      1 / (2 * p * q),
      25,
    ],
    [
      'child PQ, mother PQ, father PQ: 1/(4pq)',
      g('12', '14'),
      g('12', '14'),
      g('12', '14'),
      1 / (4 * p * q),
      12.5,
    ],
    [
      'child PQ, mother PR, father QS: 1/(8pq)',
      g('12', '14'),
      g('12', '15'),
      g('14', '16'),
      1 / (8 * p * q),
      6.25,
    ],
    [
      'child PQ, mother PQ, father QR: (¼+¼·0)/(2pq)',
      g('12', '14'),
      g('12', '14'),
      g('14', '15'),
      1 / (8 * p * q),
      6.25,
    ],
    ['child PP, mother PP, father PP: 1/p²', g('12', '12'), g('12', '12'), g('12', '12'), 1 / (p * p), 100],
    [
      'child PP, mother PQ, father PR: 1/(4p²)',
      g('12', '12'),
      g('12', '14'),
      g('12', '15'),
      1 / (4 * p * p),
      25,
    ],
    [
      'child PP, mother PP, father PQ: 1/(2p²)',
      g('12', '12'),
      g('12', '12'),
      g('12', '14'),
      1 / (2 * p * p),
      50,
    ],
    ['child PQ, mother PR, father RR: inconsistent', g('12', '14'), g('12', '15'), g('15', '15'), 0, 0],
    ['child PP, mother PQ, father QR: inconsistent', g('12', '12'), g('12', '14'), g('14', '15'), 0, 0],
  ])('%s', (_, child, mother, father, formula, literal) => {
    const index = parentPairLocusIndex(child, mother, father, freq);
    expect(index).toBeCloseTo(formula, 12);
    expect(index).toBeCloseTo(literal, 12);
  });
});

describe('combined index', () => {
  const child = profile({ D8S1179: [12, 14], TH01: [6, 7], FGA: [20, 22], vWA: [16, 16] });

  it('multiplies the loci typed in both and gives W = CI/(CI+1)', () => {
    const father = profile({ D8S1179: [12, 15], TH01: [7], FGA: [22, 21], vWA: [16, 19] });
    const r = singleParentIndex(table, child, father);
    // 1/(4·0.1) · 1/(2·0.5) · 1/(4·0.5) · 1/(2·0.25) = 2.5 · 1 · 0.5 · 2 = 2.5
    expect(r.combinedIndex).toBeCloseTo(2.5, 12);
    expect(r.probabilityOfParentage).toBeCloseTo(2.5 / 3.5, 12);
    expect(r.lociCompared).toBe(4);
    expect(r.inconsistentLoci).toEqual([]);
    expect(r.status).toBe('no-match');
    expect(r.frequencyTable).toEqual(table.meta);
    expect(r.perLocus.map((l) => l.model)).toEqual(['single', 'single', 'single', 'single']);
  });

  it('scores a parent pair, with the single formula where one parent is untyped', () => {
    const mother = profile({ D8S1179: [12, 12], TH01: [6, 6], FGA: [20, 21] });
    const father = profile({ D8S1179: [14, 16], TH01: [7, 7], FGA: [22, 22], vWA: [16, 17] });
    const r = parentPairIndex(table, child, mother, father);
    // D8S1179: ½ / (2·0.1·0.2) = 12.5; TH01: 1 / (2·0.25) = 2; FGA: ½·1 / (2·0.2·0.5) = 2.5;
    // vWA (mother untyped): father 16/17 vs child 16/16 → 1/(2·0.25) = 2.
    expect(r.combinedIndex).toBeCloseTo(12.5 * 2 * 2.5 * 2, 10);
    expect(Object.fromEntries(r.perLocus.map((l) => [l.locus, l.model]))).toEqual({
      D8S1179: 'pair',
      TH01: 'pair',
      FGA: 'pair',
      vWA: 'single',
    });
    expect(r.lociCompared).toBe(4);
  });

  it('skips loci the parent or the table lacks', () => {
    const partial = profile({ D8S1179: [12, 15], D6S1043: [11, 12] });
    const r = singleParentIndex(table, profile({ D8S1179: [12, 14], D6S1043: [11, 13] }), partial);
    expect(r.lociCompared).toBe(1);
    expect(r.combinedIndex).toBeCloseTo(2.5, 12);
  });
});

describe('mutation and exclusion', () => {
  // TH01 with two alleles at ½: Ā single = 0.125, Ā pair = 0.28125 (see allele-frequencies.test.ts).
  it('scores one inconsistent locus as μ/Ā (single) or 2μ/Ā (pair) instead of 0', () => {
    const child = profile({ TH01: [6], D8S1179: [12, 14] });
    const single = singleParentIndex(table, child, profile({ TH01: [7], D8S1179: [12, 15] }));
    expect(single.inconsistentLoci).toEqual(['TH01']);
    expect(single.perLocus[0]).toMatchObject({ locus: 'TH01', consistent: false });
    expect(single.perLocus[0]!.index).toBeCloseTo(0.002 / 0.125, 15); // 0.016
    expect(single.combinedIndex).toBeCloseTo(0.016 * 2.5, 14);
    expect(single.status).toBe('no-match');

    const pair = parentPairIndex(
      table,
      child,
      profile({ TH01: [6, 7], D8S1179: [12] }),
      profile({ TH01: [7], D8S1179: [14] }),
    );
    expect(pair.perLocus[0]!.index).toBeCloseTo((2 * 0.002) / 0.28125, 15);
    expect(pair.combinedIndex).toBeCloseTo(((2 * 0.002) / 0.28125) * (1 / (2 * p * q)), 12);

    const faster = singleParentIndex(table, child, profile({ TH01: [7], D8S1179: [12, 15] }), {
      mutationRate: 0.004,
    });
    expect(faster.perLocus[0]!.index).toBeCloseTo(0.032, 15);
  });

  it('tolerates two inconsistent loci and excludes at three', () => {
    const child = profile({ D8S1179: [12, 14], TH01: [6], FGA: [20], vWA: [16, 17] });
    const two = singleParentIndex(
      table,
      child,
      profile({ D8S1179: [15, 16], TH01: [7], FGA: [20, 21], vWA: [16, 18] }),
    );
    // Loci come in the table's canonical order (CODIS listing: FGA, TH01, vWA, ..., D8S1179).
    expect(two.inconsistentLoci).toEqual(['TH01', 'D8S1179']);
    expect(two.combinedIndex).toBeGreaterThan(0);
    expect(two.status).toBe('no-match');
    const three = singleParentIndex(
      table,
      child,
      profile({ D8S1179: [15, 16], TH01: [7], FGA: [21, 22], vWA: [16, 18] }),
    );
    expect(three.inconsistentLoci).toEqual(['FGA', 'TH01', 'D8S1179']);
    expect(three).toMatchObject({
      combinedIndex: 0,
      probabilityOfParentage: 0,
      status: 'excluded',
      lociCompared: 4,
    });
    const lenient = singleParentIndex(
      table,
      child,
      profile({ D8S1179: [15, 16], TH01: [7], FGA: [21, 22], vWA: [16, 18] }),
      { exclusionInconsistencies: 4 },
    );
    expect(lenient.status).toBe('no-match');
    expect(lenient.combinedIndex).toBeGreaterThan(0);
  });
});

describe('status thresholds', () => {
  it('match from 10,000, inconclusive from 2,000, configurable', () => {
    expect(kinshipStatus(10_000, 0)).toBe('match');
    expect(kinshipStatus(9_999.99, 0)).toBe('inconclusive');
    expect(kinshipStatus(2_000, 2)).toBe('inconclusive');
    expect(kinshipStatus(1_999, 0)).toBe('no-match');
    expect(kinshipStatus(1e12, 3)).toBe('excluded');
    expect(kinshipStatus(5_000, 0, { matchThreshold: 5_000 })).toBe('match');
    expect(probabilityOfParentage(9_999)).toBeCloseTo(0.9999, 12);
    expect(probabilityOfParentage(Number.POSITIVE_INFINITY)).toBe(1);
  });
});

describe('a simulated family on the FBI table', () => {
  it('a true trio and duo match, an unrelated pair is excluded', () => {
    const fbi = fbiTable('Caucasian');
    const population = new SyntheticPopulation(fbi, 20240611);
    const mother = population.person();
    const father = population.person();
    const child = population.childOf(mother, father);
    const trio = parentPairIndex(fbi, child, mother, father);
    expect(trio.lociCompared).toBe(23);
    expect(trio.inconsistentLoci).toEqual([]);
    expect(trio.status).toBe('match');
    // The product of the published per-locus formula, written out again.
    let expected = 1;
    for (const locus of fbi.loci) {
      const [a, b] = child.loci[locus]!;
      const t = (gt: Genotype, x: string) => gt.filter((y) => y === x).length / 2;
      const m = mother.loci[locus]!;
      const f = father.loci[locus]!;
      const pa = fbi.frequency(locus, a);
      const pb = fbi.frequency(locus, b);
      expected *=
        a === b ? (t(m, a) * t(f, a)) / pa ** 2 : (t(m, a) * t(f, b) + t(m, b) * t(f, a)) / (2 * pa * pb);
    }
    expect(trio.combinedIndex / expected).toBeCloseTo(1, 12);
    expect(singleParentIndex(fbi, child, mother).inconsistentLoci).toEqual([]);
    const stranger = parentPairIndex(fbi, child, population.person(), population.person());
    expect(stranger.status).toBe('excluded');
  });
});
