// The joint pedigree index (kinship-pedigree.ts) checked against numbers worked out without it:
// a brute-force likelihood written here from the definitions (every untyped person's ordered
// genotype enumerated, every transmission spelled out, every allele of the locus kept apart), on
// pedigrees whose side assignments are NOT symmetric, so that an error in one assignment's term
// cannot cancel between numerator and denominator; and small cases computed by hand.
import { describe, expect, it } from 'vitest';
import { loadFrequencyTable } from '../../src/domain/allele-frequencies.ts';
import { DEFAULT_KINSHIP_OPTIONS, parentPairIndex, singleParentIndex } from '../../src/domain/kinship.ts';
import {
  MAX_SIDED_REFERENCES,
  type PedigreeReference,
  pedigreeIndex,
} from '../../src/domain/kinship-pedigree.ts';
import { RelativeRelations, relativeIndex } from '../../src/domain/kinship-relatives.ts';
import { profile } from './fixtures.ts';

// Few alleles a locus, so that the enumeration stays small; 15 at D8S1179 and 8 at TH01 are
// carried by nobody below (the module lumps such alleles into one "other").
const frequencies = {
  D8S1179: { '12': 0.1, '14': 0.2, '15': 0.7 },
  TH01: { '6': 0.5, '7': 0.3, '8': 0.2 },
} as const;
type Locus = keyof typeof frequencies;
const table = loadFrequencyTable(
  { T: { sampleSizeByLocus: { D8S1179: 100, TH01: 100 }, frequencies } },
  { population: 'T', source: 'brute-force test table' },
);

/** A person of an explicit pedigree: a founder (no parents) or a child of two earlier persons. */
interface Person {
  parents?: readonly [number, number];
  /** The typed genotype, unordered; absent when untyped. */
  typed?: readonly [string, string];
}

/**
 * P(every typed genotype) over a pedigree, by enumerating each person's ordered genotype
 * (maternal allele, paternal allele). A founder's alleles are independent draws from the
 * population; a parent passes each of its two alleles with chance ½, which then mutates with
 * chance μ into an allele drawn from the population (so it stays the same allele with chance
 * 1 − μ + μ·p).
 */
function bruteForce(locus: Locus, persons: readonly Person[], mu: number): number {
  const alleles = Object.keys(frequencies[locus]);
  const p = Object.values(frequencies[locus]) as number[];
  const ordered: Array<readonly [number, number]> = [];
  for (let a = 0; a < alleles.length; a++) for (let b = 0; b < alleles.length; b++) ordered.push([a, b]);
  const passes = (parent: readonly [number, number], allele: number) => {
    let chance = 0;
    for (const copy of parent) chance += 0.5 * ((copy === allele ? 1 - mu : 0) + mu * p[allele]!);
    return chance;
  };
  const genotypeOf: Array<readonly [number, number]> = [];
  const visit = (k: number): number => {
    if (k === persons.length) return 1;
    const person = persons[k]!;
    const typed = person.typed?.map((a) => alleles.indexOf(a));
    const options =
      typed === undefined
        ? ordered
        : typed[0] === typed[1]
          ? [[typed[0]!, typed[0]!] as const]
          : [[typed[0]!, typed[1]!] as const, [typed[1]!, typed[0]!] as const];
    let sum = 0;
    for (const g of options) {
      const chance =
        person.parents === undefined
          ? p[g[0]]! * p[g[1]]!
          : passes(genotypeOf[person.parents[0]]!, g[0]) * passes(genotypeOf[person.parents[1]]!, g[1]);
      if (chance === 0) continue;
      genotypeOf[k] = g;
      sum += chance * visit(k + 1);
    }
    return sum;
  };
  return visit(0);
}

type Genotypes = Record<Locus, readonly [string, string]>;
interface Relative {
  relation: PedigreeReference['relation'];
  genotypes: Genotypes;
}

/**
 * The pedigree of the module's template for one side assignment (0: the mother's side), with or
 * without the child typed: the parents, the grandparents of a side with a typed grandparent or
 * aunt (untyped where not typed), full siblings, aunts, half siblings with their own other parent.
 */
function pedigreeOf(
  locus: Locus,
  child: Genotypes | undefined,
  relatives: readonly Relative[],
  sides: readonly (0 | 1)[],
): Person[] {
  const persons: Person[] = [];
  const add = (person: Person) => persons.push(person) - 1;
  const sided = relatives.filter(
    (r) => r.relation !== 'mother' && r.relation !== 'father' && r.relation !== 'full-sibling',
  );
  const sideOf = (r: Relative) => sides[sided.indexOf(r)]!;
  const parents: number[] = [];
  for (const side of [0, 1] as const) {
    const typedParent = relatives.find((r) => r.relation === (side === 0 ? 'mother' : 'father'));
    const grandparents = sided.filter((r) => r.relation === 'grandparent' && sideOf(r) === side);
    const aunts = sided.filter((r) => r.relation === 'aunt-uncle' && sideOf(r) === side);
    let parentsOfParent: [number, number] | undefined;
    if (grandparents.length > 0 || aunts.length > 0) {
      parentsOfParent = [
        add({ typed: grandparents[0]?.genotypes[locus] }),
        add({ typed: grandparents[1]?.genotypes[locus] }),
      ];
      for (const aunt of aunts) add({ parents: parentsOfParent, typed: aunt.genotypes[locus] });
    }
    parents.push(add({ parents: parentsOfParent, typed: typedParent?.genotypes[locus] }));
  }
  const couple = [parents[0]!, parents[1]!] as const;
  for (const sib of relatives.filter((r) => r.relation === 'full-sibling')) {
    add({ parents: couple, typed: sib.genotypes[locus] });
  }
  for (const half of sided.filter((r) => r.relation === 'half-sibling')) {
    const other = add({});
    const side = sideOf(half);
    add({ parents: side === 0 ? [parents[0]!, other] : [other, parents[1]!], typed: half.genotypes[locus] });
  }
  if (child !== undefined) add({ parents: couple, typed: child[locus] });
  return persons;
}

/** LR = Σ_a Π_loci P(child, refs | a) / (Σ_a Π_loci P(refs | a) · Π_loci P(child)). */
function bruteForceIndex(child: Genotypes, relatives: readonly Relative[], mu: number) {
  const sidedCount = relatives.filter(
    (r) => !['mother', 'father', 'full-sibling'].includes(r.relation),
  ).length;
  const loci = Object.keys(frequencies) as Locus[];
  let withChild = 0;
  let without = 0;
  let assignments = 0;
  for (let bits = 0; bits < 2 ** sidedCount; bits++) {
    const sides = Array.from({ length: sidedCount }, (_, i) => (Math.floor(bits / 2 ** i) % 2) as 0 | 1);
    const sided = relatives.filter((r) => !['mother', 'father', 'full-sibling'].includes(r.relation));
    const perSide = [0, 1].map(
      (s) => sided.filter((r, i) => r.relation === 'grandparent' && sides[i] === s).length,
    );
    if (perSide.some((n) => n > 2)) continue;
    assignments++;
    let w = 1;
    let wo = 1;
    for (const locus of loci) {
      w *= bruteForce(locus, pedigreeOf(locus, child, relatives, sides), mu);
      wo *= bruteForce(locus, pedigreeOf(locus, undefined, relatives, sides), mu);
    }
    withChild += w;
    without += wo;
  }
  let childPrior = 1;
  for (const locus of loci) childPrior *= bruteForce(locus, [{ typed: child[locus] }], mu);
  return { combinedIndex: withChild / (without * childPrior), assignments };
}

const profileOf = (genotypes: Genotypes) =>
  profile({ D8S1179: [...genotypes.D8S1179], TH01: [...genotypes.TH01] });
const referencesOf = (relatives: readonly Relative[]): PedigreeReference[] =>
  relatives.map((r, i) => ({ sampleId: `r${i}`, relation: r.relation, profile: profileOf(r.genotypes) }));
const closeInLog = (actual: number, expected: number) =>
  expect(Math.abs(Math.log(actual / expected))).toBeLessThan(1e-9);

describe('the joint pedigree index against a brute-force likelihood', () => {
  // The child heterozygous at D8S1179 and homozygous at TH01.
  const child: Genotypes = { D8S1179: ['12', '14'], TH01: ['6', '6'] };

  it('two grandparents and a homozygous half sibling, of unknown sides (8 assignments)', () => {
    const relatives: Relative[] = [
      { relation: 'grandparent', genotypes: { D8S1179: ['12', '12'], TH01: ['6', '7'] } },
      { relation: 'grandparent', genotypes: { D8S1179: ['14', '14'], TH01: ['7', '7'] } },
      { relation: 'half-sibling', genotypes: { D8S1179: ['12', '12'], TH01: ['6', '6'] } },
    ];
    for (const mu of [0.01]) {
      const expected = bruteForceIndex(child, relatives, mu);
      const actual = pedigreeIndex(table, profileOf(child), referencesOf(relatives), { mutationRate: mu });
      expect(actual.assignments).toBe(8);
      expect(expected.assignments).toBe(8);
      expect(actual.lociCompared).toBe(2);
      closeInLog(actual.combinedIndex, expected.combinedIndex);
      expect(actual.probability).toBeCloseTo(actual.combinedIndex / (actual.combinedIndex + 1), 12);
    }
  });

  it('a typed mother, a full sibling, an aunt and a heterozygous half sibling', () => {
    const relatives: Relative[] = [
      { relation: 'mother', genotypes: { D8S1179: ['12', '15'], TH01: ['6', '8'] } },
      { relation: 'full-sibling', genotypes: { D8S1179: ['14', '15'], TH01: ['6', '7'] } },
      { relation: 'aunt-uncle', genotypes: { D8S1179: ['14', '14'], TH01: ['7', '8'] } },
      { relation: 'half-sibling', genotypes: { D8S1179: ['12', '14'], TH01: ['6', '6'] } },
    ];
    for (const mu of [0, 0.002]) {
      const expected = bruteForceIndex(child, relatives, mu);
      const actual = pedigreeIndex(table, profileOf(child), referencesOf(relatives), { mutationRate: mu });
      expect(actual.assignments).toBe(4);
      closeInLog(actual.combinedIndex, expected.combinedIndex);
    }
  });

  it('three grandparents and a half sibling: two grandparents a side at most (12 of 16 assignments)', () => {
    const relatives: Relative[] = [
      { relation: 'grandparent', genotypes: { D8S1179: ['12', '14'], TH01: ['6', '6'] } },
      { relation: 'grandparent', genotypes: { D8S1179: ['14', '14'], TH01: ['7', '8'] } },
      { relation: 'grandparent', genotypes: { D8S1179: ['12', '12'], TH01: ['6', '7'] } },
      { relation: 'half-sibling', genotypes: { D8S1179: ['12', '12'], TH01: ['6', '6'] } },
    ];
    const expected = bruteForceIndex(child, relatives, 0.002);
    const actual = pedigreeIndex(table, profileOf(child), referencesOf(relatives), { mutationRate: 0.002 });
    expect(expected.assignments).toBe(12);
    expect(actual.assignments).toBe(12);
    closeInLog(actual.combinedIndex, expected.combinedIndex);
  });

  it('uses the default mutation rate of kinship.ts when none is given', () => {
    const relatives: Relative[] = [
      { relation: 'grandparent', genotypes: { D8S1179: ['15', '15'], TH01: ['7', '7'] } },
      { relation: 'half-sibling', genotypes: { D8S1179: ['12', '12'], TH01: ['6', '6'] } },
    ];
    const expected = bruteForceIndex(child, relatives, DEFAULT_KINSHIP_OPTIONS.mutationRate);
    const actual = pedigreeIndex(table, profileOf(child), referencesOf(relatives));
    closeInLog(actual.combinedIndex, expected.combinedIndex);
  });
});

describe('the joint pedigree index by hand: likelihoods, not ratios, are averaged over the sides', () => {
  // p12 = 0.1, p14 = 0.2; without mutation. The child is 12/14, the mother 12/12.
  const child = profile({ D8S1179: [12, 14] });
  const mother = { sampleId: 'm', relation: 'mother' as const, profile: profile({ D8S1179: [12, 12] }) };

  it('a grandparent 14/14 can only be the father’s parent: LR = (1 + p14) / (4·p12·p14) = 15', () => {
    // On the mother's side the mother 12/12 could not have a 14/14 parent: that assignment has
    // likelihood 0 with and without the child. On the father's side the father passes 14 with
    // chance ½ + ½·p14; P(child | refs) = ½(1 + p14), P(child) = 2·p12·p14.
    const r = pedigreeIndex(
      table,
      child,
      [mother, { sampleId: 'g', relation: 'grandparent', profile: profile({ D8S1179: [14, 14] }) }],
      { mutationRate: 0 },
    );
    expect(r.assignments).toBe(2);
    expect(r.combinedIndex).toBeCloseTo(15, 9);
  });

  it('the same with the father typed: the grandparent can only be the mother’s parent, LR = 15', () => {
    const r = pedigreeIndex(
      table,
      child,
      [
        { ...mother, relation: 'father' },
        { sampleId: 'g', relation: 'grandparent', profile: profile({ D8S1179: [14, 14] }) },
      ],
      { mutationRate: 0 },
    );
    expect(r.combinedIndex).toBeCloseTo(15, 9);
  });

  it('a grandparent 12/14 on either side: LR = 5.625, not the mean of the two ratios (6.875)', () => {
    // Mother's side: P(refs) = 2·p12·p14 · ½·p12 = 0.002, P(child, refs) = 0.002 · p14 = 0.0004.
    // Father's side: P(refs) = p12² · 2·p12·p14 = 0.0004, the father passes 14 with chance
    // ¼ + ½·p14: P(child, refs) = 0.0004 · 0.35 = 0.00014.
    // LR = (0.0004 + 0.00014) / ((0.002 + 0.0004) · 2·p12·p14) = 0.00054 / 0.000096 = 5.625.
    const r = pedigreeIndex(
      table,
      child,
      [mother, { sampleId: 'g', relation: 'grandparent', profile: profile({ D8S1179: [12, 14] }) }],
      { mutationRate: 0 },
    );
    expect(r.assignments).toBe(2);
    expect(r.combinedIndex).toBeCloseTo(5.625, 9);
  });

  it('an exclusion without mutation gives an index of 0 and a probability of 0', () => {
    const r = pedigreeIndex(
      table,
      child,
      [{ sampleId: 'm', relation: 'mother', profile: profile({ D8S1179: [15, 15] }) }],
      { mutationRate: 0 },
    );
    expect(r.combinedIndex).toBe(0);
    expect(r.probability).toBe(0);
  });

  it('an index of 1 when no locus of the child is typed in a reference', () => {
    const r = pedigreeIndex(table, profile({ TH01: [6, 7] }), [mother], { mutationRate: 0.002 });
    expect(r.lociCompared).toBe(0);
    expect(r.combinedIndex).toBe(1);
  });
});

describe('the side enumeration’s limits', () => {
  const child = profile({ D8S1179: [12, 14] });
  const ref = (relation: PedigreeReference['relation'], i: number): PedigreeReference => ({
    sampleId: `${relation}-${i}`,
    relation,
    profile: profile({ D8S1179: [12, 15] }),
  });

  it(`takes ${MAX_SIDED_REFERENCES} relatives of unknown side (2^${MAX_SIDED_REFERENCES} assignments), not one more`, () => {
    const many = Array.from({ length: MAX_SIDED_REFERENCES }, (_, i) => ref('half-sibling', i));
    expect(pedigreeIndex(table, child, many).assignments).toBe(2 ** MAX_SIDED_REFERENCES);
    expect(() => pedigreeIndex(table, child, [...many, ref('half-sibling', 99)])).toThrow(
      `at most ${MAX_SIDED_REFERENCES} half siblings, grandparents, aunts and uncles a case`,
    );
  });

  it('four grandparents: the 6 ways of two a side; one father at most', () => {
    const four = Array.from({ length: 4 }, (_, i) => ref('grandparent', i));
    expect(pedigreeIndex(table, child, four).assignments).toBe(6);
    expect(() => pedigreeIndex(table, child, [ref('father', 0), ref('father', 1)])).toThrow(
      'a case has one father',
    );
  });
});

describe('a locus whose seen alleles sum past 1 (a rare allele at the minimum beside the whole table)', () => {
  // TH01 lists 6 and 7 only (0.6 + 0.4 = 1); 9 is unlisted and gets NRC II's 5/2n = 0.05, so a
  // child 6/9 and a mother 9/7 bring alleles of frequencies summing to 1.05.
  const rare = loadFrequencyTable(
    { T: { sampleSizeByLocus: { TH01: 100 }, frequencies: { TH01: { '6': 0.6, '7': 0.4 } } } },
    { population: 'T', source: 'rare-allele test table' },
  );
  const child = profile({ TH01: [6, 9] });
  const mother = profile({ TH01: [9, 7] });
  const father = profile({ TH01: [6, 7] });
  const exact = { mutationRate: 0 };

  it('the seen alleles do sum past 1 there', () => {
    expect(rare.frequency('TH01', '9')).toBeCloseTo(0.05, 12);
    expect(['6', '9', '7'].reduce((s, a) => s + rare.frequency('TH01', a), 0)).toBeGreaterThan(1);
  });

  it("one parent: the closed form's index, (½·p6)/(2·p6·p9) = 5, not 5/1.05", () => {
    expect(singleParentIndex(rare, child, mother, exact).combinedIndex).toBeCloseTo(5, 12);
    for (const relation of ['mother', 'father'] as const) {
      const joint = pedigreeIndex(rare, child, [{ sampleId: 'p', relation, profile: mother }], exact);
      expect(joint.combinedIndex).toBeCloseTo(5, 9);
      expect(joint.probability).toBeCloseTo(5 / 6, 9);
    }
  });

  it("both parents and each single relative: the closed forms' indices", () => {
    const pair = pedigreeIndex(
      rare,
      child,
      [
        { sampleId: 'm', relation: 'mother', profile: mother },
        { sampleId: 'f', relation: 'father', profile: father },
      ],
      exact,
    );
    expect(pair.combinedIndex).toBeCloseTo(
      parentPairIndex(rare, child, mother, father, exact).combinedIndex,
      9,
    );
    for (const relation of RelativeRelations) {
      const joint = pedigreeIndex(rare, child, [{ sampleId: 'r', relation, profile: mother }], exact);
      expect(joint.combinedIndex).toBeCloseTo(
        relativeIndex(rare, child, mother, relation, exact).combinedIndex,
        9,
      );
    }
  });

  it('several relatives with mutation: a positive, finite index (the lumped "other" is negative there)', () => {
    const joint = pedigreeIndex(rare, child, [
      { sampleId: 'm', relation: 'mother', profile: mother },
      { sampleId: 's', relation: 'full-sibling', profile: profile({ TH01: [7, 7] }) },
      { sampleId: 'g', relation: 'grandparent', profile: profile({ TH01: [9, 6] }) },
      { sampleId: 'h', relation: 'half-sibling', profile: profile({ TH01: [6, 7] }) },
    ]);
    expect(joint.lociCompared).toBe(1);
    expect(Number.isFinite(joint.combinedIndex)).toBe(true);
    expect(joint.combinedIndex).toBeGreaterThan(0);
  });
});
