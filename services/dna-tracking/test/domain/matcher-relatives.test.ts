import { describe, expect, it } from 'vitest';
import {
  type RelativeRelation,
  RelativeRelations,
  relativeIndex,
} from '../../src/domain/kinship-relatives.ts';
import { ProfileIndex } from '../../src/domain/matcher.ts';
import type { StrProfile } from '../../src/domain/profile.ts';
import { SyntheticPopulation } from '../../src/domain/synthetic-population.ts';
import { fbiTable } from './fixtures.ts';

const table = fbiTable('Caucasian');
const relClose = (a: number, b: number) =>
  expect(a === b || Math.abs(a - b) / Math.max(a, b) < 1e-12, `${a} vs ${b}`).toBe(true);

/** Drop some loci and swap in alleles the table lacks, to exercise untyped loci and extra codes. */
function roughen(p: StrProfile, population: SyntheticPopulation): StrProfile {
  const loci: Record<string, readonly [string, string]> = { ...p.loci };
  for (const locus of table.loci) {
    const r = population.integer(20);
    if (r === 0) delete loci[locus];
    else if (r === 1 && loci[locus]) loci[locus] = [loci[locus][0], '41.2'];
  }
  return { loci } as unknown as StrProfile;
}

/** A child and one true relative of each relationship, drawn through one pedigree. */
function family(population: SyntheticPopulation) {
  const grandmother = population.person();
  const grandfather = population.person();
  const mother = population.childOf(grandmother, grandfather);
  const father = population.person();
  const child = population.childOf(mother, father);
  const relatives: Record<RelativeRelation, StrProfile> = {
    'full-sibling': population.childOf(mother, father),
    'half-sibling': population.childOf(mother, population.person()),
    grandparent: grandmother,
    'aunt-uncle': population.childOf(grandmother, grandfather),
  };
  return { child, mother, father, relatives };
}

describe('ProfileIndex: relatives', () => {
  it('gives the numbers of kinship-relatives.ts for every relative, both directions', () => {
    const population = new SyntheticPopulation(table, 21);
    const index = new ProfileIndex(table);
    const references = new Map<string, { profile: StrProfile; relation: RelativeRelation }>();
    const children: StrProfile[] = [];
    for (let i = 0; i < 40; i++) {
      const f = family(population);
      for (const relation of RelativeRelations) {
        const profile = roughen(f.relatives[relation], population);
        references.set(`${relation}-${i}`, { profile, relation });
        index.add(`${relation}-${i}`, profile, 'relative', { caseId: `case-${i}`, relation });
      }
      if (i % 8 === 0) children.push(roughen(f.child, population));
    }
    children.push(population.person());
    expect(index.relativeCount).toBe(160);
    for (const child of children) {
      const found = new Map(
        index.searchRelativesForChild(child, { floor: 0 }).map((c) => [c.referenceId, c]),
      );
      expect(found.size).toBe(references.size);
      for (const [id, { profile, relation }] of references) {
        const ref = relativeIndex(table, child, profile, relation);
        const got = found.get(id)!;
        expect(got).toMatchObject({ relation, lociCompared: ref.lociCompared, status: ref.status });
        expect(got.caseId).toBe(id.replace(/^.*-(\d+)$/, 'case-$1'));
        relClose(got.combinedIndex, ref.combinedIndex);
      }
    }
    // The other direction: a relative entered after the children.
    const childIndex = new ProfileIndex(table);
    children.forEach((c, i) => {
      childIndex.add(`child-${i}`, c, 'child');
    });
    for (const [, { profile, relation }] of [...references].slice(0, 12)) {
      const found = childIndex.searchChildrenForRelative(profile, relation, { floor: 0 });
      expect(found).toHaveLength(children.length);
      for (const got of found) {
        const ref = relativeIndex(table, children[Number(got.childId.slice(6))]!, profile, relation);
        relClose(got.combinedIndex, ref.combinedIndex);
        expect(got.lociCompared).toBe(ref.lociCompared);
      }
    }
  });

  it('puts true siblings far above a thousand unrelated people, and returns only those above the floor', () => {
    const population = new SyntheticPopulation(table, 1000);
    const index = new ProfileIndex(table);
    for (let i = 0; i < 1000; i++) {
      index.add(`u${i}`, population.person(), 'relative', { caseId: `case-${i}`, relation: 'full-sibling' });
    }
    // Twenty families, one at a time: the true sibling against the same thousand unrelated.
    const ratios: number[] = [];
    let first = 0;
    let unrelatedAbove = 0;
    for (let k = 0; k < 20; k++) {
      const f = family(population);
      index.add('sibling', f.relatives['full-sibling'], 'relative', {
        caseId: 'case-true',
        relation: 'full-sibling',
      });
      const all = index.searchRelativesForChild(f.child, { floor: 0 });
      expect(all).toHaveLength(1001);
      const sibling = all.find((c) => c.referenceId === 'sibling')!;
      const bestUnrelated = all.find((c) => c.referenceId !== 'sibling')!;
      if (all[0]?.referenceId === 'sibling') first++;
      ratios.push(sibling.combinedIndex / bestUnrelated.combinedIndex);
      // Default floor, the lowest inconclusive threshold (1,000): only what reaches it comes back.
      const above = index.searchRelativesForChild(f.child);
      expect(above.every((c) => c.combinedIndex >= 1_000)).toBe(true);
      unrelatedAbove += above.filter((c) => c.referenceId !== 'sibling').length;
      index.remove('sibling');
    }
    ratios.sort((a, b) => a - b);
    // A full sibling's index varies widely (its 5th percentile is in the hundreds): most, not
    // all, stand first; the typical one by more than a thousand-fold.
    expect(first).toBeGreaterThanOrEqual(18);
    expect(ratios[10]).toBeGreaterThan(1000);
    // 20,000 unrelated comparisons at a false-positive rate of the order of 5·10⁻⁵ at 1,000.
    expect(unrelatedAbove).toBeLessThanOrEqual(3);
  });

  it("keeps a case's references and gives them back for the joint likelihood; forgets removed ones", () => {
    const population = new SyntheticPopulation(table, 5);
    const index = new ProfileIndex(table);
    const f = family(population);
    index.add('mum', f.mother, 'parent', { caseId: 'c1', relation: 'mother' });
    index.add('sib', f.relatives['full-sibling'], 'relative', { caseId: 'c1', relation: 'full-sibling' });
    index.add('gran', f.relatives.grandparent, 'relative', { caseId: 'c1', relation: 'grandparent' });
    index.add('other', population.person(), 'relative', { caseId: 'c2', relation: 'aunt-uncle' });
    const refs = index.referencesOf('c1');
    expect(refs.map((r) => [r.sampleId, r.relation])).toEqual([
      ['gran', 'grandparent'],
      ['mum', 'mother'],
      ['sib', 'full-sibling'],
    ]);
    expect(refs.find((r) => r.sampleId === 'sib')?.profile).toEqual(f.relatives['full-sibling']);
    expect(refs.find((r) => r.sampleId === 'mum')?.profile).toEqual(f.mother);
    expect(index.size).toBe(4);
    expect(index.remove('sib')).toBe(true);
    expect(index.remove('mum')).toBe(true);
    expect(index.referencesOf('c1').map((r) => r.sampleId)).toEqual(['gran']);
    expect(index.remove('gran')).toBe(true);
    expect(index.referencesOf('c1')).toEqual([]);
    expect(index.has('other')).toBe(true);
    expect(index.relativeCount).toBe(1);
    expect(index.searchRelativesForChild(f.child, { floor: 0 }).map((c) => c.referenceId)).toEqual(['other']);
  });

  it('refuses a relative without a case or with a relation it does not know', () => {
    const index = new ProfileIndex(table);
    const p = new SyntheticPopulation(table, 1).person();
    expect(() => index.add('x', p, 'relative', { relation: 'full-sibling' })).toThrow(RangeError);
    expect(() => index.add('x', p, 'relative', { caseId: 'c', relation: 'mother' })).toThrow(RangeError);
    expect(() => index.add('x', p, 'relative', { caseId: 'c' })).toThrow(RangeError);
    expect(index.has('x')).toBe(false);
  });

  it('applies configured thresholds per relationship and its floor', () => {
    const population = new SyntheticPopulation(table, 77);
    const f = family(population);
    const index = new ProfileIndex(table, {
      relativeThresholds: { grandparent: { match: 2, inconclusive: 1 } },
      relativeFloor: 1e-30,
    });
    expect(index.relativeThresholds('grandparent')).toEqual({ match: 2, inconclusive: 1 });
    expect(index.relativeThresholds('full-sibling')).toEqual({ match: 100_000, inconclusive: 10_000 });
    index.add('g', f.relatives.grandparent, 'relative', { caseId: 'c', relation: 'grandparent' });
    const [got] = index.searchRelativesForChild(f.child);
    const ref = relativeIndex(table, f.child, f.relatives.grandparent, 'grandparent');
    expect(got?.status).toBe(
      ref.combinedIndex >= 2 ? 'match' : ref.combinedIndex >= 1 ? 'inconclusive' : 'no-match',
    );
  });
});
