import { describe, expect, it } from 'vitest';
import { loadFrequencyTable } from '../../src/domain/allele-frequencies.ts';
import { singleParentIndex } from '../../src/domain/kinship.ts';
import { pedigreeIndex } from '../../src/domain/kinship-pedigree.ts';
import {
  DEFAULT_RELATIVE_THRESHOLDS,
  IBD,
  isRelativeRelation,
  MEIOSES,
  type RelativeRelation,
  RelativeRelations,
  relativeIndex,
  relativeLocusIndex,
  relativeMutationPi,
  relativeStatus,
} from '../../src/domain/kinship-relatives.ts';
import type { Genotype } from '../../src/domain/profile.ts';
import { SyntheticPopulation } from '../../src/domain/synthetic-population.ts';
import { fbiTable, profile } from './fixtures.ts';

// A table whose numbers can be checked by hand: at D8S1179, P = 12 (0.1), Q = 14 (0.2),
// R = 15 (0.25), S = 16 (0.15).
const table = loadFrequencyTable(
  {
    T: {
      sampleSizeByLocus: { D8S1179: 200, TH01: 100 },
      frequencies: {
        D8S1179: { '12': 0.1, '13': 0.3, '14': 0.2, '15': 0.25, '16': 0.15 },
        TH01: { '6': 0.5, '7': 0.5 },
      },
    },
  },
  { population: 'T', source: 'hand-checkable test table' },
);
const freq = (allele: string) => table.frequency('D8S1179', allele);
const g = (a: string, b: string): Genotype => [a, b];
const MUT = 0.001; // a recognisable stand-in for the mutation PI
const ki = (relation: RelativeRelation, child: Genotype, ref: Genotype) =>
  relativeLocusIndex(relation, child, ref, freq, MUT);

describe('full-sibling index per locus: ¼ + ½·PI + ¼·[same genotype]/P(child)', () => {
  it.each([
    // child PQ, sibling PQ: ¼ + ½·(p+q)/(4pq) + ¼/(2pq) = 0.25 + 1.875 + 6.25
    ['heterozygous child PQ, sibling PQ', g('12', '14'), g('12', '14'), 8.375],
    // child PP, sibling PP: ¼ + ½·(1/p) + ¼/p² = 0.25 + 5 + 25
    ['homozygous child PP, sibling PP', g('12', '12'), g('12', '12'), 30.25],
    // child PQ, sibling PR: ¼ + ½·1/(4p) = 0.25 + 1.25
    ['child PQ, sibling PR', g('12', '14'), g('12', '15'), 1.5],
    // child PP, sibling PQ: ¼ + ½·1/(2p) = 0.25 + 2.5
    ['child PP, sibling PQ', g('12', '12'), g('12', '14'), 2.75],
    // child PQ, sibling RS: no allele shared: ¼ + ½·mutation PI
    ['child PQ, sibling RS', g('12', '14'), g('15', '16'), 0.25 + 0.5 * MUT],
  ])('%s', (_, child, ref, expected) => {
    expect(ki('full-sibling', child, ref)).toBeCloseTo(expected, 12);
  });
});

describe('second-degree index per locus (half sibling, grandparent, aunt/uncle): ½ + ½·PI', () => {
  it.each([
    // child PQ, reference PQ: ½ + ½·(p+q)/(4pq) = 0.5 + 1.875
    ['heterozygous child PQ, reference PQ', g('12', '14'), g('12', '14'), 2.375],
    // child PP, reference PP: ½ + ½·(1/p) = 0.5 + 5
    ['homozygous child PP, reference PP', g('12', '12'), g('12', '12'), 5.5],
    // child PQ, reference PR: ½ + ½·1/(4p) = 0.5 + 1.25
    ['child PQ, reference PR', g('12', '14'), g('12', '15'), 1.75],
    // child PQ, reference QQ: ½ + ½·1/(2q) = 0.5 + 1.25
    ['child PQ, reference QQ', g('12', '14'), g('14', '14'), 1.75],
    // child PP, reference PR: ½ + ½·1/(2p) = 0.5 + 2.5
    ['homozygous child PP, reference PR', g('12', '12'), g('12', '15'), 3],
    ['child PQ, reference RS (nothing shared)', g('12', '14'), g('15', '16'), 0.5 + 0.5 * MUT],
  ])('%s', (_, child, ref, expected) => {
    for (const relation of ['half-sibling', 'grandparent', 'aunt-uncle'] as const) {
      expect(ki(relation, child, ref), relation).toBeCloseTo(expected, 12);
    }
  });
});

describe('relationships', () => {
  it('has the IBD coefficients of each relationship, summing to 1', () => {
    expect(IBD['full-sibling']).toEqual({ k0: 0.25, k1: 0.5, k2: 0.25 });
    for (const r of ['half-sibling', 'grandparent', 'aunt-uncle'] as const) {
      expect(IBD[r]).toEqual({ k0: 0.5, k1: 0.5, k2: 0 });
    }
    for (const r of RelativeRelations) expect(IBD[r].k0 + IBD[r].k1 + IBD[r].k2).toBe(1);
  });

  it('scores an inconsistent locus with m·μ/Ā, m the meioses on the path', () => {
    expect(MEIOSES).toEqual({ 'full-sibling': 2, 'half-sibling': 2, grandparent: 2, 'aunt-uncle': 3 });
    const a = table.meanExclusionSingle('D8S1179');
    expect(relativeMutationPi(table, 'D8S1179', 'full-sibling', 0.002)).toBeCloseTo((2 * 0.002) / a, 15);
    expect(relativeMutationPi(table, 'D8S1179', 'aunt-uncle', 0.002)).toBeCloseTo((3 * 0.002) / a, 15);
  });

  it('tells a relative relation from a parent or nothing', () => {
    for (const r of RelativeRelations) expect(isRelativeRelation(r)).toBe(true);
    expect(isRelativeRelation('mother')).toBe(false);
    expect(isRelativeRelation(undefined)).toBe(false);
    expect(isRelativeRelation('')).toBe(false);
  });

  it('holds siblings to a higher default bar than second-degree relatives', () => {
    expect(DEFAULT_RELATIVE_THRESHOLDS['full-sibling']).toEqual({ match: 100_000, inconclusive: 10_000 });
    for (const r of ['half-sibling', 'grandparent', 'aunt-uncle'] as const) {
      expect(DEFAULT_RELATIVE_THRESHOLDS[r]).toEqual({ match: 10_000, inconclusive: 1_000 });
    }
    expect(relativeStatus(1_000, { match: 1_000, inconclusive: 100 })).toBe('match');
    expect(relativeStatus(999, { match: 1_000, inconclusive: 100 })).toBe('inconclusive');
    expect(relativeStatus(100, { match: 1_000, inconclusive: 100 })).toBe('inconclusive');
    expect(relativeStatus(99.9, { match: 1_000, inconclusive: 100 })).toBe('no-match');
  });
});

describe('relativeIndex over a profile', () => {
  const child = profile({ D8S1179: [12, 14], TH01: [6, 6] });
  const sibling = profile({ D8S1179: [12, 14], TH01: [6, 7] });

  it('multiplies the locus indices of loci typed in both', () => {
    // D8S1179 as above, 8.375; TH01 child 6/6, sibling 6/7: ¼ + ½·1/(2·0.5) = 0.75
    const r = relativeIndex(table, child, sibling, 'full-sibling');
    expect(r.combinedIndex).toBeCloseTo(8.375 * 0.75, 12);
    expect(r.lociCompared).toBe(2);
    expect(r.perLocus.map((l) => l.locus)).toEqual([...table.loci]);
    expect(r.probability).toBeCloseTo(6.28125 / 7.28125, 12);
    expect(r.status).toBe('no-match');
    expect(r.relation).toBe('full-sibling');
    expect(r.frequencyTable.population).toBe('T');
  });

  it('skips a locus typed in one of the two only, and names loci without a shared allele', () => {
    const r = relativeIndex(table, child, profile({ D8S1179: [15, 16] }), 'half-sibling', {
      mutationRate: 0.002,
    });
    expect(r.lociCompared).toBe(1);
    expect(r.lociWithoutSharedAllele).toEqual(['D8S1179']);
    expect(r.perLocus[0]?.sharesAllele).toBe(false);
    expect(r.combinedIndex).toBeCloseTo(
      0.5 + 0.5 * relativeMutationPi(table, 'D8S1179', 'half-sibling', 0.002),
      12,
    );
  });

  it('applies the configured thresholds of the relationship', () => {
    const r = relativeIndex(table, child, sibling, 'full-sibling', {
      thresholds: { 'full-sibling': { match: 3, inconclusive: 2 } },
    });
    expect(r.status).toBe('match');
  });
});

describe('joint pedigree likelihood', () => {
  const fbi = fbiTable();
  const population = new SyntheticPopulation(fbi, 1818);
  // A child and a true relative of it, drawn through the pedigree.
  const relativeOf = (relation: RelativeRelation) => {
    const grandmother = population.person();
    const grandfather = population.person();
    const mother = population.childOf(grandmother, grandfather);
    const father = population.person();
    const child = population.childOf(mother, father);
    const reference = {
      'full-sibling': () => population.childOf(mother, father),
      'half-sibling': () => population.childOf(mother, population.person()),
      grandparent: () => grandmother,
      'aunt-uncle': () => population.childOf(grandmother, grandfather),
    }[relation]();
    return { child, reference };
  };

  it('equals the closed form for one reference of each relationship, without mutation', () => {
    for (const relation of RelativeRelations) {
      for (let i = 0; i < 5; i++) {
        const { child, reference } = relativeOf(relation);
        const closed = relativeIndex(fbi, child, reference, relation, { mutationRate: 0 });
        const joint = pedigreeIndex(fbi, child, [{ sampleId: 'r', relation, profile: reference }], {
          mutationRate: 0,
        });
        expect(Math.abs(Math.log(joint.combinedIndex / closed.combinedIndex)), relation).toBeLessThan(1e-9);
        expect(joint.lociCompared).toBe(closed.lociCompared);
      }
    }
  });

  it('equals the parent index of kinship.ts for a parent, without mutation', () => {
    const mother = population.person();
    const child = population.childOf(mother, population.person());
    const joint = pedigreeIndex(fbi, child, [{ sampleId: 'm', relation: 'mother', profile: mother }], {
      mutationRate: 0,
    });
    const pi = singleParentIndex(fbi, child, mother, { mutationRate: 0 });
    expect(Math.abs(Math.log(joint.combinedIndex / pi.combinedIndex))).toBeLessThan(1e-9);
  });

  it('is not the product of two siblings scored apart: they share their parents', () => {
    // Hand-checkable: one locus, child PQ and two siblings PQ. Multiplying counts the parents' P
    // and Q twice; the joint ratio is P(child | sibs) / P(child).
    const child = profile({ D8S1179: [12, 14] });
    const sib = profile({ D8S1179: [12, 14] });
    const alone = relativeIndex(table, child, sib, 'full-sibling', { mutationRate: 0 }).combinedIndex;
    const joint = pedigreeIndex(
      table,
      child,
      [
        { sampleId: 's1', relation: 'full-sibling', profile: sib },
        { sampleId: 's2', relation: 'full-sibling', profile: sib },
      ],
      { mutationRate: 0 },
    ).combinedIndex;
    expect(alone).toBeCloseTo(8.375, 12);
    expect(joint).not.toBeCloseTo(alone * alone, 1);
    expect(joint).toBeLessThan(alone * alone);
    expect(joint).toBeGreaterThan(alone);
  });

  it('averages over the sides of relatives whose side is not recorded', () => {
    const child = profile({ D8S1179: [12, 14] });
    const r = pedigreeIndex(table, child, [
      { sampleId: 'g1', relation: 'grandparent', profile: profile({ D8S1179: [12, 15] }) },
      { sampleId: 'a1', relation: 'aunt-uncle', profile: profile({ D8S1179: [14, 16] }) },
    ]);
    expect(r.assignments).toBe(4);
    expect(r.combinedIndex).toBeGreaterThan(0);
  });

  it('refuses two mothers, five grandparents and too many relatives of unknown side', () => {
    const child = profile({ D8S1179: [12, 14] });
    const p1 = profile({ D8S1179: [12, 15] });
    expect(() =>
      pedigreeIndex(table, child, [
        { sampleId: 'a', relation: 'mother', profile: p1 },
        { sampleId: 'b', relation: 'mother', profile: p1 },
      ]),
    ).toThrow(/one mother/);
    const gps = Array.from({ length: 5 }, (_, i) => ({
      sampleId: `g${i}`,
      relation: 'grandparent' as const,
      profile: p1,
    }));
    expect(() => pedigreeIndex(table, child, gps)).toThrow(/four grandparents/);
    const many = Array.from({ length: 9 }, (_, i) => ({
      sampleId: `h${i}`,
      relation: 'half-sibling' as const,
      profile: p1,
    }));
    expect(() => pedigreeIndex(table, child, many)).toThrow(/at most 8/);
  });
});

describe('the joint pedigree index with mutation (proportional model), by hand', () => {
  // One locus, a mother typed and the father an untyped random man. A parent passes allele a with
  // chance ½(1−μ)·copies(a) + μ·p_a (Egeland, Kling, Mostad 2016, §2.4).
  const mu = 0.002;
  const p12 = 0.1;

  it('a heterozygous child of a homozygous mother: LR = ((1−μ) + 2μ·p12) / (2·p12)', () => {
    // P(child 12/14 | mother 12/12) = τ(12)·p14 + τ(14)·p12 with τ(12) = (1−μ) + μ·p12,
    // τ(14) = μ·p14; P(child) = 2·p12·p14.
    const child = profile({ D8S1179: [12, 14] });
    const mother = profile({ D8S1179: [12, 12] });
    const joint = pedigreeIndex(table, child, [{ sampleId: 'm', relation: 'mother', profile: mother }], {
      mutationRate: mu,
    });
    expect(joint.combinedIndex).toBeCloseTo((1 - mu + 2 * mu * p12) / (2 * p12), 10);
    expect(joint.probability).toBeCloseTo(joint.combinedIndex / (joint.combinedIndex + 1), 12);
  });

  it('a homozygous child of a heterozygous mother: LR = (½(1−μ) + μ·p12) / p12', () => {
    // P(child 12/12 | mother 12/14) = τ(12)·p12 with τ(12) = ½(1−μ) + μ·p12; P(child) = p12².
    const child = profile({ D8S1179: [12, 12] });
    const mother = profile({ D8S1179: [12, 14] });
    const joint = pedigreeIndex(table, child, [{ sampleId: 'm', relation: 'mother', profile: mother }], {
      mutationRate: mu,
    });
    expect(joint.combinedIndex).toBeCloseTo((0.5 * (1 - mu) + mu * p12) / p12, 10);
  });

  it('a mother who shares no allele lowers the ratio far below one, without excluding', () => {
    // P(child 12/14 | mother 15/15) = τ(12)·p14 + τ(14)·p12 = 2μ·p12·p14: LR = μ.
    const child = profile({ D8S1179: [12, 14] });
    const mother = profile({ D8S1179: [15, 15] });
    const joint = pedigreeIndex(table, child, [{ sampleId: 'm', relation: 'mother', profile: mother }], {
      mutationRate: mu,
    });
    expect(joint.combinedIndex).toBeCloseTo(mu, 12);
  });
});
