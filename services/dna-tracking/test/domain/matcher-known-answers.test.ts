import { describe, expect, it } from 'vitest';
import { type KinshipResult, parentPairIndex, singleParentIndex } from '../../src/domain/kinship.ts';
import { relativeIndex } from '../../src/domain/kinship-relatives.ts';
import { type CandidateScore, ProfileIndex } from '../../src/domain/matcher.ts';
import type { StrProfile } from '../../src/domain/profile.ts';
import { fbiTable, profile } from './fixtures.ts';

// Small hand-made families with answers from kinship.ts (the formulas written out): what each
// search returns, in which order, with which fields, and where its floor and its exclusion count
// cut. Few loci each, so every number is one or two factors and a floor can sit exactly on it.
const table = fbiTable('Caucasian');

/** The scores of kinship.ts's answer, as a candidate carries them. */
const scores = (r: KinshipResult): CandidateScore => ({
  combinedIndex: r.combinedIndex,
  probabilityOfParentage: r.probabilityOfParentage,
  status: r.status,
  lociCompared: r.lociCompared,
  inconsistentLoci: r.inconsistentLoci,
});

/** The next double above a positive number: a floor just out of reach. */
const above = (x: number) => x * (1 + Number.EPSILON);

// One locus: child 12/13 at CSF1PO; the mother gives 12, the father 13; `other` is homozygous 12.
const child = profile({ CSF1PO: [12, 13] });
const mother = profile({ CSF1PO: [10, 12] });
const father = profile({ CSF1PO: [11, 13] });
const other = profile({ CSF1PO: [12, 12] });

function family(options = {}) {
  const index = new ProfileIndex(table, options);
  index.add('mother', mother, 'parent', { caseId: 'c1', relation: 'mother' });
  index.add('other', other, 'parent');
  index.add('father', father, 'parent', { caseId: 'c1', relation: 'father' });
  return index;
}

describe('ProfileIndex: known answers', () => {
  it('returns each parent alone and the pair with their fields and the numbers of kinship.ts, best first', () => {
    const found = family().searchParentsForChild(child, { floor: 0 });
    const expected = [
      {
        kind: 'single' as const,
        parentId: 'father',
        caseId: 'c1',
        relation: 'father' as const,
        ...scores(singleParentIndex(table, child, father)),
      },
      { kind: 'single' as const, parentId: 'other', ...scores(singleParentIndex(table, child, other)) },
      {
        kind: 'single' as const,
        parentId: 'mother',
        caseId: 'c1',
        relation: 'mother' as const,
        ...scores(singleParentIndex(table, child, mother)),
      },
    ].sort((a, b) => b.combinedIndex - a.combinedIndex);
    // Three different numbers, so the order is the sort's, not the order of adding.
    expect(new Set(expected.map((e) => e.combinedIndex)).size).toBe(3);
    expect(expected.map((e) => e.parentId)).not.toEqual(['mother', 'other', 'father']);
    expect(found.singles).toStrictEqual(expected);
    expect(found.pairs).toStrictEqual([
      {
        kind: 'pair',
        caseId: 'c1',
        motherId: 'mother',
        fatherId: 'father',
        ...scores(parentPairIndex(table, child, mother, father)),
      },
    ]);
    expect(found.frequencyTable).toEqual(table.meta);
  });

  it('keeps a candidate exactly at the floor and drops one just below it, the floor given or the index default', () => {
    const single = singleParentIndex(table, child, mother).combinedIndex;
    const pair = parentPairIndex(table, child, mother, father).combinedIndex;
    const ids = (r: ReturnType<ProfileIndex['searchParentsForChild']>) => [
      ...r.singles.map((s) => s.parentId),
      ...r.pairs.map((p) => p.caseId),
    ];
    const index = family();
    expect(ids(index.searchParentsForChild(child, { floor: single }))).toContain('mother');
    expect(ids(index.searchParentsForChild(child, { floor: above(single) }))).not.toContain('mother');
    expect(ids(index.searchParentsForChild(child, { floor: pair }))).toContain('c1');
    expect(ids(index.searchParentsForChild(child, { floor: above(pair) }))).not.toContain('c1');
    expect(ids(family({ candidateFloor: single }).searchParentsForChild(child))).toContain('mother');
    expect(ids(family({ candidateFloor: above(single) }).searchParentsForChild(child))).not.toContain(
      'mother',
    );
    // The default floor is the inconclusive threshold (2,000): one locus never reaches it.
    expect(index.searchParentsForChild(child)).toMatchObject({ singles: [], pairs: [] });
  });

  it('scores a pair from whichever member is typed at each locus, and skips a locus neither is', () => {
    const kid = profile({ CSF1PO: [12, 13], FGA: [20, 21], TH01: [6, 7] });
    const mum = profile({ CSF1PO: [10, 12] });
    const dad = profile({ FGA: [21, 24] });
    const index = new ProfileIndex(table);
    index.add('dad', dad, 'parent', { caseId: 'c', relation: 'father' });
    index.add('mum', mum, 'parent', { caseId: 'c', relation: 'mother' });
    const { pairs } = index.searchParentsForChild(kid, { floor: 0 });
    const ref = parentPairIndex(table, kid, mum, dad);
    expect(ref.lociCompared).toBe(2);
    expect(pairs).toStrictEqual([
      { kind: 'pair', caseId: 'c', motherId: 'mum', fatherId: 'dad', ...scores(ref) },
    ]);
  });

  it('keeps a pair typed one member a locus exactly at its floor, and lists pairs best first', () => {
    // Two factors (multiplied in either order alike), loci past the first of the table.
    const kid = profile({ TH01: [6, 7], TPOX: [8, 9], vWA: [16, 17] });
    const mum = profile({ TH01: [6, 7] });
    const dad = profile({ TPOX: [8, 9] });
    const index = new ProfileIndex(table);
    // A weaker family formed first.
    index.add('mum2', profile({ TH01: [6, 9] }), 'parent', { caseId: 'weak', relation: 'mother' });
    index.add('dad2', profile({ TPOX: [8, 12] }), 'parent', { caseId: 'weak', relation: 'father' });
    index.add('mum', mum, 'parent', { caseId: 'c', relation: 'mother' });
    index.add('dad', dad, 'parent', { caseId: 'c', relation: 'father' });
    const ref = parentPairIndex(table, kid, mum, dad);
    const weak = parentPairIndex(table, kid, profile({ TH01: [6, 9] }), profile({ TPOX: [8, 12] }));
    expect(ref.lociCompared).toBe(2);
    expect(weak.combinedIndex).toBeLessThan(ref.combinedIndex);
    expect(index.searchParentsForChild(kid, { floor: 0 }).pairs.map((p) => p.caseId)).toEqual(['c', 'weak']);
    const at = (floor: number) => index.searchParentsForChild(kid, { floor }).pairs.map((p) => p.caseId);
    expect(at(ref.combinedIndex)).toEqual(['c']);
    expect(at(above(ref.combinedIndex))).toEqual([]);
  });

  it('counts every locus of a parent short of the exclusion count against its floor', () => {
    const kid = profile({ TH01: [6, 7], TPOX: [8, 9] });
    // One inconsistent locus each: TH01 (scanned first) or TPOX (scanned second).
    const a = profile({ TH01: [8, 9], TPOX: [8, 9] });
    const b = profile({ TH01: [6, 7], TPOX: [10, 11] });
    const index = new ProfileIndex(table);
    index.add('a', a, 'parent');
    index.add('b', b, 'parent');
    for (const [id, p] of [
      ['a', a],
      ['b', b],
    ] as const) {
      const ref = singleParentIndex(table, kid, p);
      expect(ref.inconsistentLoci).toHaveLength(1);
      const ids = (floor: number) =>
        index.searchParentsForChild(kid, { floor }).singles.map((c) => c.parentId);
      expect(ids(ref.combinedIndex)).toContain(id);
      expect(ids(above(ref.combinedIndex))).not.toContain(id);
    }
  });

  it('drops a parent or a pair at the exclusion count of inconsistent loci, and keeps one short of it', () => {
    const kid = profile({ CSF1PO: [12, 13], FGA: [20, 21], TH01: [6, 7], TPOX: [8, 9], vWA: [16, 17] });
    // Shares nothing with the child at two loci (CSF1PO, FGA), then at three (and TH01).
    const two = profile({ CSF1PO: [10, 11], FGA: [18, 19], TH01: [6, 9], TPOX: [8, 8], vWA: [16, 18] });
    const three = profile({ CSF1PO: [10, 11], FGA: [18, 19], TH01: [8, 9], TPOX: [8, 8], vWA: [16, 18] });
    const partner = profile({ CSF1PO: [13, 13], FGA: [21, 22], TH01: [7, 7], TPOX: [9, 9], vWA: [17, 17] });
    const index = new ProfileIndex(table);
    index.add('two', two, 'parent', { caseId: 'a', relation: 'mother' });
    index.add('p1', partner, 'parent', { caseId: 'a', relation: 'father' });
    index.add('three', three, 'parent', { caseId: 'b', relation: 'mother' });
    index.add('p2', partner, 'parent', { caseId: 'b', relation: 'father' });
    const found = index.searchParentsForChild(kid, { floor: 0 });
    const twoRef = singleParentIndex(table, kid, two);
    expect(twoRef.inconsistentLoci).toHaveLength(2);
    expect(singleParentIndex(table, kid, three).status).toBe('excluded');
    expect(found.singles.map((s) => s.parentId).sort()).toEqual(['p1', 'p2', 'two']);
    expect(found.singles.find((s) => s.parentId === 'two')).toStrictEqual({
      kind: 'single',
      parentId: 'two',
      caseId: 'a',
      relation: 'mother',
      ...scores(twoRef),
    });
    const pairA = parentPairIndex(table, kid, two, partner);
    expect(pairA.inconsistentLoci).toHaveLength(2);
    expect(found.pairs).toStrictEqual([
      { kind: 'pair', caseId: 'a', motherId: 'two', fatherId: 'p1', ...scores(pairA) },
    ]);
  });

  it('lists pairs of equal index in the order they were formed', () => {
    const index = new ProfileIndex(table);
    // Case c1's mother comes first, but case c2 is complete first.
    index.add('m1', mother, 'parent', { caseId: 'c1', relation: 'mother' });
    index.add('m2', mother, 'parent', { caseId: 'c2', relation: 'mother' });
    index.add('f2', father, 'parent', { caseId: 'c2', relation: 'father' });
    index.add('f1', father, 'parent', { caseId: 'c1', relation: 'father' });
    const { pairs, singles } = index.searchParentsForChild(child, { floor: 0 });
    expect(pairs.map((p) => p.caseId)).toEqual(['c2', 'c1']);
    expect(singles).toHaveLength(4);
  });

  it('compares a child typed at no locus of the table with every parent, on nothing', () => {
    const index = family();
    const untyped = { loci: { D6S1043: ['11', '12'] } } as unknown as StrProfile;
    const found = index.searchParentsForChild(untyped, { floor: 0 });
    expect(found.singles.map((s) => s.parentId).sort()).toEqual(['father', 'mother', 'other']);
    for (const s of [...found.singles, ...found.pairs])
      expect(s).toMatchObject({ combinedIndex: 1, lociCompared: 0 });
    expect(found.pairs).toHaveLength(1);
  });
});

describe('ProfileIndex: alleles the table lacks and loci one side lacks, known answers', () => {
  // 41.2 and 42.2 are not in the table (each gets its own code and the table's rule for
  // frequency); FGA is typed in the child alone, TH01 homozygous in the child.
  const kid = profile({ CSF1PO: [12, '41.2'], FGA: [20, 21], TH01: [7, 7], TPOX: [8, 9] });
  const mum = profile({ CSF1PO: ['41.2', '42.2'], TH01: [7, 9], TPOX: [8, 8] });
  const dad = profile({ CSF1PO: [10, 12], TH01: [6, 7] });
  const stranger = profile({ CSF1PO: ['42.2', 12], TH01: [7, 7], TPOX: [9, 11] });

  it('scores parents and the pair as kinship.ts does', () => {
    const index = new ProfileIndex(table);
    index.add('stranger', stranger, 'parent');
    index.add('mum', mum, 'parent', { caseId: 'c', relation: 'mother' });
    index.add('dad', dad, 'parent', { caseId: 'c', relation: 'father' });
    const found = index.searchParentsForChild(kid, { floor: 0 });
    for (const [id, p] of [
      ['stranger', stranger],
      ['mum', mum],
      ['dad', dad],
    ] as const) {
      const { kind, parentId, caseId, relation, ...got } = found.singles.find((s) => s.parentId === id)!;
      expect(got, id).toStrictEqual(scores(singleParentIndex(table, kid, p)));
    }
    expect(found.pairs).toStrictEqual([
      {
        kind: 'pair',
        caseId: 'c',
        motherId: 'mum',
        fatherId: 'dad',
        ...scores(parentPairIndex(table, kid, mum, dad)),
      },
    ]);
  });

  it('scores stored children against a parent or a pair, each member typed at its own loci, as kinship.ts does', () => {
    const index = new ProfileIndex(table);
    index.add('kid', kid, 'child');
    index.add('kid2', profile({ CSF1PO: ['42.2', '42.2'], TPOX: [8, 11] }), 'child', { caseId: 'u' });
    const kid2 = index.profileOf('kid2')!;
    const alone = index.searchChildrenForParent(mum, { floor: 0 }).children;
    expect(alone).toStrictEqual(
      [
        { kind: 'single' as const, childId: 'kid', ...scores(singleParentIndex(table, kid, mum)) },
        {
          kind: 'single' as const,
          childId: 'kid2',
          caseId: 'u',
          ...scores(singleParentIndex(table, kid2, mum)),
        },
      ].sort((a, b) => b.combinedIndex - a.combinedIndex),
    );
    const pair = index.searchChildrenForParent(mum, { floor: 0, otherParent: dad }).children;
    expect(pair).toStrictEqual(
      [
        { kind: 'pair' as const, childId: 'kid', ...scores(parentPairIndex(table, kid, mum, dad)) },
        {
          kind: 'pair' as const,
          childId: 'kid2',
          caseId: 'u',
          ...scores(parentPairIndex(table, kid2, mum, dad)),
        },
      ].sort((a, b) => b.combinedIndex - a.combinedIndex),
    );
    // The father as the one given first: the same pair from the other side, the same numbers (at
    // TPOX only the second given is typed, at FGA neither).
    const swapped = index.searchChildrenForParent(dad, { floor: 0, otherParent: mum }).children;
    expect(swapped).toStrictEqual(pair);
  });
});

describe('ProfileIndex: children for a parent, known answers', () => {
  const kid1 = profile({ CSF1PO: [12, 13] });
  const kid2 = profile({ CSF1PO: [12, 12] });
  const kid3 = profile({ CSF1PO: [7, 8] });
  function children(options = {}) {
    const index = new ProfileIndex(table, options);
    index.add('k1', kid1, 'child', { caseId: 'u1' });
    index.add('k3', kid3, 'child');
    index.add('k2', kid2, 'child');
    return index;
  }

  it('returns each child with its fields and the numbers of kinship.ts, best first, alone or for a pair', () => {
    const alone = children().searchChildrenForParent(other, { floor: 0 });
    const expected = [
      {
        kind: 'single' as const,
        childId: 'k1',
        caseId: 'u1',
        ...scores(singleParentIndex(table, kid1, other)),
      },
      { kind: 'single' as const, childId: 'k2', ...scores(singleParentIndex(table, kid2, other)) },
      // One inconsistent locus is short of the exclusion count: kept, with the mutation index.
      { kind: 'single' as const, childId: 'k3', ...scores(singleParentIndex(table, kid3, other)) },
    ].sort((a, b) => b.combinedIndex - a.combinedIndex);
    expect(expected[0]!.childId).toBe('k2');
    expect(alone.children).toStrictEqual(expected);
    expect(alone.frequencyTable).toEqual(table.meta);

    const pair = children().searchChildrenForParent(mother, { floor: 0, otherParent: father });
    expect(pair.children).toStrictEqual(
      [
        {
          kind: 'pair' as const,
          childId: 'k1',
          caseId: 'u1',
          ...scores(parentPairIndex(table, kid1, mother, father)),
        },
        // k2 and k3 tie (one inconsistent locus each): they keep the order they were added in.
        { kind: 'pair' as const, childId: 'k3', ...scores(parentPairIndex(table, kid3, mother, father)) },
        { kind: 'pair' as const, childId: 'k2', ...scores(parentPairIndex(table, kid2, mother, father)) },
      ].sort((a, b) => b.combinedIndex - a.combinedIndex),
    );
  });

  it('keeps a child exactly at the floor and drops one just below it, the floor given or the index default', () => {
    const ci = singleParentIndex(table, kid1, other).combinedIndex;
    const ids = (index: ProfileIndex, floor?: number) =>
      index
        .searchChildrenForParent(other, floor === undefined ? {} : { floor })
        .children.map((c) => c.childId);
    expect(ids(children(), ci)).toContain('k1');
    expect(ids(children(), above(ci))).not.toContain('k1');
    expect(ids(children({ candidateFloor: ci }))).toContain('k1');
    expect(ids(children({ candidateFloor: above(ci) }))).not.toContain('k1');
  });
});

describe('ProfileIndex: relatives and bookkeeping, known answers', () => {
  const kid = profile({ CSF1PO: [12, 13], FGA: [20, 21] });
  const sibling = profile({ CSF1PO: [12, 13], FGA: [20, 22] });
  const aunt = profile({ CSF1PO: [12, 10], TH01: [6, 7] });
  const relative = (r: ReturnType<typeof relativeIndex>) => ({
    relation: r.relation,
    combinedIndex: r.combinedIndex,
    probability: r.probability,
    status: r.status,
    lociCompared: r.lociCompared,
  });
  function relatives(options = {}) {
    const index = new ProfileIndex(table, options);
    index.add('aunt', aunt, 'relative', { caseId: 'c2', relation: 'aunt-uncle' });
    index.add('sib', sibling, 'relative', { caseId: 'c1', relation: 'full-sibling' });
    return index;
  }

  it('scores each relative with the numbers of kinship-relatives.ts, best first, with its fields', () => {
    const sib = relativeIndex(table, kid, sibling, 'full-sibling');
    const au = relativeIndex(table, kid, aunt, 'aunt-uncle');
    expect(sib.combinedIndex).toBeGreaterThan(au.combinedIndex);
    expect(au.lociCompared).toBe(1);
    expect(relatives().searchRelativesForChild(kid, { floor: 0 })).toStrictEqual([
      { referenceId: 'sib', childId: '', caseId: 'c1', ...relative(sib) },
      { referenceId: 'aunt', childId: '', caseId: 'c2', ...relative(au) },
    ]);
    // The other direction: the children for a reference.
    const index = relatives();
    index.add('k', kid, 'child', { caseId: 'u' });
    index.add('k0', profile({ CSF1PO: [7, 8] }), 'child');
    const found = index.searchChildrenForRelative(sibling, 'full-sibling', { floor: 0 });
    const far = relativeIndex(table, profile({ CSF1PO: [7, 8] }), sibling, 'full-sibling');
    expect(found).toStrictEqual([
      { referenceId: '', childId: 'k', caseId: 'u', ...relative(sib) },
      { referenceId: '', childId: 'k0', ...relative(far) },
    ]);
  });

  it('keeps a relative exactly at the floor, the floor given or the index default, and drops one below', () => {
    const au = relativeIndex(table, kid, aunt, 'aunt-uncle').combinedIndex;
    const ids = (r: { referenceId: string }[]) => r.map((c) => c.referenceId);
    expect(ids(relatives().searchRelativesForChild(kid, { floor: au }))).toContain('aunt');
    expect(ids(relatives().searchRelativesForChild(kid, { floor: above(au) }))).not.toContain('aunt');
    expect(ids(relatives({ relativeFloor: au }).searchRelativesForChild(kid))).toContain('aunt');
    expect(ids(relatives({ relativeFloor: above(au) }).searchRelativesForChild(kid))).not.toContain('aunt');
    const index = relatives({ relativeFloor: au });
    index.add('k', kid, 'child');
    expect(index.searchChildrenForRelative(aunt, 'aunt-uncle').map((c) => c.childId)).toEqual(['k']);
    expect(relatives({ relativeFloor: above(au) }).searchChildrenForRelative(aunt, 'aunt-uncle')).toEqual([]);
    // No relatives, or a child typed at no locus of the table: nothing to score.
    expect(new ProfileIndex(table).searchRelativesForChild(kid, { floor: 0 })).toEqual([]);
    const untyped = { loci: { D6S1043: ['11', '12'] } } as unknown as StrProfile;
    expect(relatives().searchRelativesForChild(untyped, { floor: 0 })).toEqual([]);
    // The default floor is the lowest inconclusive threshold of the relationships.
    expect(relatives().searchRelativesForChild(kid)).toEqual([]);
  });

  it("keeps a case's references sorted with their relations and profiles, and forgets what is removed", () => {
    const index = new ProfileIndex(table);
    index.add('z-sib', sibling, 'relative', { caseId: 'c', relation: 'full-sibling' });
    index.add('m', mother, 'parent', { caseId: 'c', relation: 'mother' });
    index.add('f', father, 'parent', { caseId: 'c', relation: 'father' });
    index.add('k', kid, 'child');
    expect(index.referencesOf('c')).toEqual([
      { sampleId: 'f', relation: 'father', profile: father },
      { sampleId: 'm', relation: 'mother', profile: mother },
      { sampleId: 'z-sib', relation: 'full-sibling', profile: sibling },
    ]);
    expect([index.size, index.relativeCount, index.pairCount]).toEqual([4, 1, 1]);
    expect(index.relativeThresholds('full-sibling')).toEqual({ match: 100_000, inconclusive: 10_000 });
    expect(index.frequencyTable).toEqual(table.meta);
    expect(index.remove('z-sib')).toBe(true);
    expect(index.remove('k')).toBe(true);
    expect(index.remove('k')).toBe(false);
    expect(index.remove('m')).toBe(true);
    expect(index.referencesOf('c')).toEqual([{ sampleId: 'f', relation: 'father', profile: father }]);
    expect([index.size, index.relativeCount, index.pairCount, index.has('k'), index.has('f')]).toEqual([
      1,
      0,
      0,
      false,
      true,
    ]);
    expect(index.remove('f')).toBe(true);
    expect(index.referencesOf('c')).toEqual([]);
    // The case's places are free again.
    index.add('m2', mother, 'parent', { caseId: 'c', relation: 'mother' });
    expect(index.referencesOf('c').map((r) => r.sampleId)).toEqual(['m2']);
  });

  it('keeps a pair right when its member moves into a removed slot', () => {
    const index = new ProfileIndex(table);
    index.add('x', other, 'parent');
    index.add('f', father, 'parent', { caseId: 'c', relation: 'father' });
    index.add('m', mother, 'parent', { caseId: 'c', relation: 'mother' });
    // Removing x moves the last parent (the mother) into its slot; then the father.
    index.remove('x');
    expect(index.searchParentsForChild(child, { floor: 0 }).pairs).toMatchObject([
      { caseId: 'c', motherId: 'm', fatherId: 'f' },
    ]);
    index.add('y', other, 'parent');
    index.remove('f');
    index.add('f2', father, 'parent', { caseId: 'c', relation: 'father' });
    index.remove('y');
    expect(index.searchParentsForChild(child, { floor: 0 }).pairs).toMatchObject([
      { caseId: 'c', motherId: 'm', fatherId: 'f2' },
    ]);
  });

  it('gives back an indexed profile: the loci of its table only, alleles the table lacks included', () => {
    const index = new ProfileIndex(table);
    const rare = {
      loci: { CSF1PO: ['12', '41.2'], FGA: ['20', '20'], D6S1043: ['11', '12'] },
    } as unknown as StrProfile;
    index.add('r', rare, 'child');
    expect(index.profileOf('r')).toEqual({ loci: { CSF1PO: ['12', '41.2'], FGA: ['20', '20'] } });
    expect(index.profileOf('nobody')).toBeUndefined();
  });

  it("holds a family to the strictest bar of its references' relationships", () => {
    // Parentage bars out of reach, a half-sibling's bars at nothing: a family with a mother
    // faces the mother's bars, a family of a half-sibling alone the sibling's.
    const index = new ProfileIndex(table, {
      matchThreshold: 1e12,
      inconclusiveThreshold: 1e11,
      relativeThresholds: { 'half-sibling': { match: 1e-6, inconclusive: 1e-7 } },
    });
    index.add('m', mother, 'parent', { caseId: 'c', relation: 'mother' });
    index.add('s', sibling, 'relative', { caseId: 'c', relation: 'half-sibling' });
    index.add('s2', sibling, 'relative', { caseId: 'd', relation: 'half-sibling' });
    const withMother = index.familyIndex(child, 'c');
    expect(withMother.references.map((r) => r.sampleId)).toEqual(['m', 's']);
    expect(withMother.combinedIndex).toBeGreaterThan(1e-6);
    expect(withMother.combinedIndex).toBeLessThan(1e11);
    expect(withMother.status).toBe('no-match');
    const alone = index.familyIndex(child, 'd');
    expect(alone.status).toBe('match');
    expect(alone.lociCompared).toBe(1);
  });

  it('names its misuses', () => {
    const index = family();
    const thrown = (f: () => void) => {
      try {
        f();
      } catch (e) {
        return e as Error & { code?: string };
      }
      throw new Error('did not throw');
    };
    expect(thrown(() => index.add('mother', mother, 'child'))).toMatchObject({
      name: 'ProfileIndexError',
      code: 'DNA_ERR_DUPLICATE_PROFILE',
      message: 'Profile mother is already indexed',
    });
    expect(
      thrown(() => index.add('m2', mother, 'parent', { caseId: 'c1', relation: 'mother' })),
    ).toMatchObject({
      name: 'ProfileIndexError',
      code: 'DNA_ERR_CASE_RELATION_TAKEN',
      message: 'Case c1 already has a mother',
    });
    const bad = thrown(() => index.add('r', mother, 'relative', { relation: 'full-sibling' }));
    expect(bad).toBeInstanceOf(RangeError);
    expect(bad.message).toBe('a relative needs its case and a relation among RelativeRelations');
  });

  it('pairs only a mother and a father of one case, and a parent without both is no reference', () => {
    const index = new ProfileIndex(table);
    index.add('caseOnly', mother, 'parent', { caseId: 'c' });
    index.add('relationOnly', mother, 'parent', { relation: 'mother' });
    index.add('relationOnly2', mother, 'parent', { relation: 'mother' });
    index.add('m', mother, 'parent', { caseId: 'c', relation: 'mother' });
    expect(index.pairCount).toBe(0);
    expect(index.referencesOf('c').map((r) => r.sampleId)).toEqual(['m']);
    index.add('f', father, 'parent', { caseId: 'c', relation: 'father' });
    expect(index.pairCount).toBe(1);
    // Removing a parent that is in the case but not as mother or father leaves the case's father.
    index.remove('caseOnly');
    expect(() => index.add('f2', father, 'parent', { caseId: 'c', relation: 'father' })).toThrow(
      /already has a father/,
    );
    expect(
      index.searchParentsForChild(child, { floor: 0 }).pairs.map((p) => [p.motherId, p.fatherId]),
    ).toEqual([['m', 'f']]);
  });

  it('puts a family with a father or a mother under the parentage bars, whichever bar decides', () => {
    const bars = (match: number, inconclusive: number) => {
      const index = new ProfileIndex(table, {
        matchThreshold: match,
        inconclusiveThreshold: inconclusive,
        relativeThresholds: { 'half-sibling': { match: 1e-12, inconclusive: 1e-13 } },
      });
      index.add('f', father, 'parent', { caseId: 'c', relation: 'father' });
      index.add('s', sibling, 'relative', { caseId: 'c', relation: 'half-sibling' });
      return index.familyIndex(child, 'c');
    };
    const { combinedIndex } = bars(1, 1);
    expect(bars(combinedIndex / 2, combinedIndex / 4).status).toBe('match');
    expect(bars(combinedIndex * 2, combinedIndex / 2).status).toBe('inconclusive');
    expect(bars(combinedIndex * 4, combinedIndex * 2).status).toBe('no-match');
  });

  it("scores a family with the index's mutation rate", () => {
    // The father shares nothing with the child: the mutation rate is all the locus gives.
    const stranger = profile({ CSF1PO: [7, 8] });
    const at = (mutationRate: number) => {
      const index = new ProfileIndex(table, { mutationRate });
      index.add('f', stranger, 'parent', { caseId: 'c', relation: 'father' });
      return index.familyIndex(child, 'c').combinedIndex;
    };
    expect(at(0.01)).toBeGreaterThan(at(0.001));
  });

  it('returns by default every relative at or above the lowest inconclusive bar of any relationship', () => {
    const index = relatives({ relativeThresholds: { 'half-sibling': { match: 1e-8, inconclusive: 1e-9 } } });
    expect(
      index
        .searchRelativesForChild(kid)
        .map((c) => c.referenceId)
        .sort(),
    ).toEqual(['aunt', 'sib']);
  });

  it('moves a parent into a removed slot with its codes at every locus, for the pre-filter too', () => {
    const kid = profile({ CSF1PO: [12, 13], FGA: [20, 21], TH01: [6, 7], TPOX: [8, 9] });
    // x shares nothing with the child at four loci; m at none. Removing x moves m into x's slot
    // (the second: the first slot's offsets are the same whichever way they are counted).
    const x = profile({ CSF1PO: [7, 8], FGA: [18, 19], TH01: [9, 10], TPOX: [11, 12] });
    const m = profile({ CSF1PO: [12, 10], FGA: [21, 24], TH01: [6, 9], TPOX: [9, 9] });
    const index = new ProfileIndex(table);
    index.add('first', x, 'parent');
    index.add('x', x, 'parent');
    index.add('m', m, 'parent');
    index.remove('x');
    const found = index.searchParentsForChild(kid, { floor: 0 }).singles;
    expect(found.map((c) => c.parentId)).toEqual(['m']);
    expect(index.profileOf('m')).toEqual(m);
  });

  it('removes a parent in no pair without touching the pairs', () => {
    const index = new ProfileIndex(table);
    for (const c of ['c0', 'c1']) {
      index.add(`${c}m`, mother, 'parent', { caseId: c, relation: 'mother' });
      index.add(`${c}f`, father, 'parent', { caseId: c, relation: 'father' });
    }
    index.add('alone', other, 'parent');
    index.remove('alone');
    expect(index.pairCount).toBe(2);
    expect(index.searchParentsForChild(child, { floor: 0 }).pairs.map((p) => p.caseId)).toEqual(['c0', 'c1']);
  });
});
