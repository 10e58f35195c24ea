import { describe, expect, it } from 'vitest';
import { parentPairIndex, singleParentIndex } from '../../src/domain/kinship.ts';
import { ProfileIndex, ProfileIndexError } from '../../src/domain/matcher.ts';
import type { StrProfile } from '../../src/domain/profile.ts';
import { SyntheticPopulation } from '../../src/domain/synthetic-population.ts';
import { fbiTable } from './fixtures.ts';

const table = fbiTable('Caucasian');
const relClose = (a: number, b: number) =>
  expect(a === b || Math.abs(a - b) / Math.max(a, b) < 1e-9).toBe(true);

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

describe('ProfileIndex', () => {
  it('gives the same numbers as kinship.ts on random profiles, singles and pairs', () => {
    const population = new SyntheticPopulation(table, 7);
    const index = new ProfileIndex(table);
    const parents = new Map<string, StrProfile>();
    const cases = new Map<string, [string, string]>();
    const children: StrProfile[] = [];
    for (let i = 0; i < 150; i++) {
      const mother = roughen(population.person(), population);
      const father = roughen(population.person(), population);
      parents.set(`m${i}`, mother).set(`f${i}`, father);
      index.add(`m${i}`, mother, 'parent', { caseId: `c${i}`, relation: 'mother' });
      index.add(`f${i}`, father, 'parent', { caseId: `c${i}`, relation: 'father' });
      cases.set(`c${i}`, [`m${i}`, `f${i}`]);
      // Related children too, so that many comparisons survive and every class is exercised.
      if (i % 3 === 0) children.push(roughen(population.childOf(mother, father), population));
    }
    children.push(population.person());
    expect(index.size).toBe(300);
    expect(index.pairCount).toBe(150);
    for (const child of children) {
      const found = index.searchParentsForChild(child, { floor: 0 });
      const singles = new Map(found.singles.map((c) => [c.parentId, c]));
      for (const [id, parent] of parents) {
        const ref = singleParentIndex(table, child, parent);
        const got = singles.get(id);
        if (ref.status === 'excluded') {
          expect(got).toBeUndefined();
          continue;
        }
        expect(got).toBeDefined();
        relClose(got!.combinedIndex, ref.combinedIndex);
        expect(got!.inconsistentLoci).toEqual(ref.inconsistentLoci);
        expect(got!.lociCompared).toBe(ref.lociCompared);
        expect(got!.status).toBe(ref.status);
      }
      const pairs = new Map(found.pairs.map((c) => [c.caseId, c]));
      for (const [caseId, [m, f]] of cases) {
        const ref = parentPairIndex(table, child, parents.get(m)!, parents.get(f)!);
        const got = pairs.get(caseId);
        if (ref.status === 'excluded') {
          expect(got).toBeUndefined();
          continue;
        }
        expect(got).toMatchObject({
          motherId: m,
          fatherId: f,
          lociCompared: ref.lociCompared,
          status: ref.status,
        });
        relClose(got!.combinedIndex, ref.combinedIndex);
        expect(got!.inconsistentLoci).toEqual(ref.inconsistentLoci);
      }
    }
  });

  it('searches children for a parent or a pair with the same numbers', () => {
    const population = new SyntheticPopulation(table, 11);
    const index = new ProfileIndex(table);
    const mother = population.person();
    const father = population.person();
    const kids = [population.childOf(mother, father), population.childOf(mother, population.person())];
    for (let i = 0; i < 200; i++) kids.push(population.person());
    kids.forEach((k, i) => {
      index.add(`k${i}`, roughen(k, population), 'child', { caseId: `u${i}` });
    });
    const single = index.searchChildrenForParent(mother, { floor: 0 });
    const pair = index.searchChildrenForParent(mother, { otherParent: father, floor: 0 });
    expect(pair.children.every((c) => c.kind === 'pair')).toBe(true);
    expect(single.children.length).toBeGreaterThanOrEqual(2);
    // Recompute the reference from the roughened profiles as stored: rebuild with the same seed.
    const again = new SyntheticPopulation(table, 11);
    const m2 = again.person();
    const f2 = again.person();
    const kids2 = [again.childOf(m2, f2), again.childOf(m2, again.person())];
    for (let i = 0; i < 200; i++) kids2.push(again.person());
    const rough = kids2.map((k) => roughen(k, again));
    const bySingle = new Map(single.children.map((c) => [c.childId, c]));
    const byPair = new Map(pair.children.map((c) => [c.childId, c]));
    rough.forEach((k, i) => {
      const s = singleParentIndex(table, k, mother);
      const p = parentPairIndex(table, k, mother, father);
      if (s.status === 'excluded') expect(bySingle.has(`k${i}`)).toBe(false);
      else relClose(bySingle.get(`k${i}`)!.combinedIndex, s.combinedIndex);
      if (p.status === 'excluded') expect(byPair.has(`k${i}`)).toBe(false);
      else relClose(byPair.get(`k${i}`)!.combinedIndex, p.combinedIndex);
    });
    expect(byPair.get('k0')!.status).toBe('match');
    expect(byPair.get('k0')!.caseId).toBe('u0');
  });

  it('keeps pairs right through removals, and refuses duplicates', () => {
    const population = new SyntheticPopulation(table, 3);
    const index = new ProfileIndex(table);
    const people = Array.from({ length: 8 }, () => population.person());
    index.add('m1', people[0]!, 'parent', { caseId: 'c1', relation: 'mother' });
    index.add('f1', people[1]!, 'parent', { caseId: 'c1', relation: 'father' });
    index.add('m2', people[2]!, 'parent', { caseId: 'c2', relation: 'mother' });
    index.add('f2', people[3]!, 'parent', { caseId: 'c2', relation: 'father' });
    index.add('x', people[4]!, 'parent');
    expect(() => index.add('x', people[4]!, 'child')).toThrow(ProfileIndexError);
    expect(() => index.add('m3', people[5]!, 'parent', { caseId: 'c1', relation: 'mother' })).toThrow(
      /already has a mother/,
    );
    expect(index.remove('m1')).toBe(true);
    expect(index.remove('m1')).toBe(false);
    expect(index.pairCount).toBe(1);
    const child = population.childOf(people[2]!, people[3]!);
    let found = index.searchParentsForChild(child);
    expect(found.pairs.map((p) => [p.caseId, p.motherId, p.fatherId])).toEqual([['c2', 'm2', 'f2']]);
    index.add('m1b', people[6]!, 'parent', { caseId: 'c1', relation: 'mother' });
    expect(index.pairCount).toBe(2);
    index.remove('f2');
    index.add('f2b', people[3]!, 'parent', { caseId: 'c2', relation: 'father' });
    found = index.searchParentsForChild(child);
    expect(found.pairs[0]).toMatchObject({ caseId: 'c2', motherId: 'm2', fatherId: 'f2b', status: 'match' });
    relClose(
      found.pairs[0]!.combinedIndex,
      parentPairIndex(table, child, people[2]!, people[3]!).combinedIndex,
    );
    expect(index.size).toBe(5);
  });

  it('finds a true family hidden among 5,000 decoy pairs, and no decoy pair above 10,000', () => {
    const population = new SyntheticPopulation(table, 20250101);
    const index = new ProfileIndex(table);
    for (let i = 0; i < 5000; i++) {
      index.add(`dm${i}`, population.person(), 'parent', { caseId: `d${i}`, relation: 'mother' });
      index.add(`df${i}`, population.person(), 'parent', { caseId: `d${i}`, relation: 'father' });
    }
    const mother = population.person();
    const father = population.person();
    const child = population.childOf(mother, father);
    index.add('true-mother', mother, 'parent', { caseId: 'missing', relation: 'mother' });
    index.add('true-father', father, 'parent', { caseId: 'missing', relation: 'father' });
    const found = index.searchParentsForChild(child);
    const reference = parentPairIndex(table, child, mother, father);
    expect(found.pairs[0]).toMatchObject({ caseId: 'missing', status: 'match', lociCompared: 23 });
    relClose(found.pairs[0]!.combinedIndex, reference.combinedIndex);
    // A random pair must be consistent at 21 of 23 loci; with this seed none comes near 2,000.
    expect(found.pairs).toHaveLength(1);
    expect(
      found.singles
        .slice(0, 2)
        .map((s) => s.parentId)
        .sort(),
    ).toEqual(['true-father', 'true-mother']);
    // Unrelated single parents: at most a rare one reaches 10,000 by chance; with this seed none does.
    expect(found.singles.filter((s) => s.combinedIndex >= 10_000 && !s.parentId.startsWith('true'))).toEqual(
      [],
    );
  });

  it('pre-filters exactly: after growth and removals, and with allele codes past one byte', () => {
    const population = new SyntheticPopulation(table, 11);
    const index = new ProfileIndex(table);
    const parents = new Map<string, StrProfile>();
    // 1,300 parents (the pack grows past 1,024), each carrying at D8S1179 a microvariant no
    // other carries, so the locus's allele codes run past 254 (the pre-filter's byte range).
    for (let i = 0; i < 1300; i++) {
      const p = population.person();
      const rare = `${10 + Math.floor(i / 3) / 1}.${(i % 3) + 1}`;
      const loci = { ...p.loci, D8S1179: [p.loci.D8S1179![0], rare] as const };
      const profile = { loci } as unknown as StrProfile;
      parents.set(`p${i}`, profile);
      index.add(`p${i}`, profile, 'parent');
    }
    for (let i = 0; i < 1300; i += 7) {
      index.remove(`p${i}`);
      parents.delete(`p${i}`);
    }
    // Children of kept parents (sharing a code past 254) and an unrelated one.
    const kept = [...parents.entries()];
    const children = [kept[kept.length - 1]!, kept[400]!, kept[3]!].map(([, p]) =>
      population.childOf(p, population.person()),
    );
    children.push(population.person());
    for (const child of children) {
      const found = new Map(
        index.searchParentsForChild(child, { floor: 0 }).singles.map((c) => [c.parentId, c]),
      );
      for (const [id, parent] of parents) {
        const ref = singleParentIndex(table, child, parent);
        const got = found.get(id);
        if (ref.status === 'excluded') {
          expect(got).toBeUndefined();
          continue;
        }
        expect(got).toBeDefined();
        relClose(got!.combinedIndex, ref.combinedIndex);
        expect(got!.inconsistentLoci).toEqual(ref.inconsistentLoci);
      }
    }
  });
});
