import { describe, expect, it } from 'vitest';
import { parentPairIndex, singleParentIndex } from '../../src/domain/kinship.ts';
import { relativeIndex } from '../../src/domain/kinship-relatives.ts';
import { type CandidateScore, ProfileIndex } from '../../src/domain/matcher.ts';
import { KEYS_AT } from '../../src/domain/relatives-wasm.ts';
import { scanParents, scanRelatives } from '../../src/domain/search-kernel.ts';
import { fbiTable, profile } from './fixtures.ts';

// The index's bookkeeping around its searches, with small hand-made families: searches in flight
// and removal, the order of candidates of equal index whatever order the scans' ranges come back
// in, the floors of the children-for-a-relative search, the memory it reports, and scoring the
// way kinship.ts does where one member of a pair is untyped or no mutation is allowed.
const table = fbiTable('Caucasian');

const scores = (r: ReturnType<typeof singleParentIndex>): CandidateScore => ({
  combinedIndex: r.combinedIndex,
  probabilityOfParentage: r.probabilityOfParentage,
  status: r.status,
  lociCompared: r.lociCompared,
  inconsistentLoci: r.inconsistentLoci,
});

const kid = profile({ CSF1PO: [12, 13], TH01: [7, 8] });
const mum = profile({ CSF1PO: [10, 12], TH01: [7, 9] });
const dad = profile({ CSF1PO: [11, 13], TH01: [6, 8] });
const IN_FLIGHT = 'ProfileIndex.remove during a search in flight (await it first)';

describe('ProfileIndex: removal and searches in flight', () => {
  it("refuses removal while a planned parents' or relatives' search is open, and allows it once ended", () => {
    const index = new ProfileIndex(table);
    index.add('m', mum, 'parent', { caseId: 'c', relation: 'mother' });
    index.add('f', dad, 'parent', { caseId: 'c', relation: 'father' });
    index.add('s', kid, 'relative', { caseId: 'c', relation: 'full-sibling' });

    const parents = index.planParentSearch(kid);
    expect(() => index.remove('f')).toThrow(new Error(IN_FLIGHT));
    const relatives = index.planRelativeSearch(kid);
    index.parentSearchResult(parents, [scanParents(parents.scan, 0, parents.scan.count)]);
    // One search still open.
    expect(() => index.remove('f')).toThrow(IN_FLIGHT);
    index.relativeSearchResult(relatives, [scanRelatives(relatives.scan, 0, relatives.scan.count)]);
    expect(index.remove('f')).toBe(true);
  });

  it('ends a plan once however often it is abandoned: a second open search still holds removal off', () => {
    const index = new ProfileIndex(table);
    index.add('m', mum, 'parent');
    const first = index.planParentSearch(kid);
    index.abandonSearch(first);
    index.abandonSearch(first);
    const second = index.planRelativeSearch(kid);
    index.relativeSearchResult(second, []);
    index.abandonSearch(second);
    const third = index.planParentSearch(kid);
    expect(() => index.remove('m')).toThrow(IN_FLIGHT);
    index.abandonSearch(third);
    expect(index.remove('m')).toBe(true);
  });
});

describe('ProfileIndex: candidates of equal index, whatever order the ranges come back in', () => {
  // Two parents with the same profile, two cases with the same pair: equal indexes, so the order
  // is the slots' (the order of adding), as one scan of the whole finds it.
  function twins() {
    const index = new ProfileIndex(table);
    index.add('m1', mum, 'parent', { caseId: 'c1', relation: 'mother' });
    index.add('f1', dad, 'parent', { caseId: 'c1', relation: 'father' });
    index.add('m2', mum, 'parent', { caseId: 'c2', relation: 'mother' });
    index.add('f2', dad, 'parent', { caseId: 'c2', relation: 'father' });
    index.add('r1', mum, 'relative', { caseId: 'c1', relation: 'full-sibling' });
    index.add('r2', mum, 'relative', { caseId: 'c2', relation: 'full-sibling' });
    return index;
  }

  it('lists parents and pairs of equal index in slot order from ranges given last first', () => {
    const index = twins();
    const whole = index.searchParentsForChild(kid, { floor: 0 });
    expect(whole.singles.map((s) => s.parentId)).toEqual(['f1', 'f2', 'm1', 'm2']);
    expect(whole.pairs.map((p) => p.caseId)).toEqual(['c1', 'c2']);
    const plan = index.planParentSearch(kid, { floor: 0 });
    const parts = [scanParents(plan.scan, 2, 4), scanParents(plan.scan, 0, 2)];
    // Each range finds its own slots; the pairs, found with their second member, in either range.
    expect(parts.map((p) => p.singles)).toEqual([
      [2, 3],
      [0, 1],
    ]);
    expect(index.parentSearchResult(plan, parts)).toStrictEqual(whole);
    const relatives = index.searchRelativesForChild(kid, { floor: 0 });
    expect(relatives.map((r) => r.referenceId)).toEqual(['r1', 'r2']);
    const relativePlan = index.planRelativeSearch(kid, { floor: 0 });
    const relativeParts = [scanRelatives(relativePlan.scan, 1, 2), scanRelatives(relativePlan.scan, 0, 1)];
    expect(index.relativeSearchResult(relativePlan, relativeParts)).toStrictEqual(relatives);
  });
});

describe('ProfileIndex: children for a relative', () => {
  const aunt = profile({ CSF1PO: [12, 10], TH01: [6, 7] });
  const far = profile({ CSF1PO: [7, 8], TH01: [9, 9] });
  const near = relativeIndex(table, kid, aunt, 'aunt-uncle').combinedIndex;
  const farIndex = relativeIndex(table, far, aunt, 'aunt-uncle').combinedIndex;

  it('lists the children best first, whatever order they were added in', () => {
    expect(farIndex).toBeLessThan(near);
    const index = new ProfileIndex(table);
    index.add('far', far, 'child');
    index.add('near', kid, 'child');
    expect(index.searchChildrenForRelative(aunt, 'aunt-uncle', { floor: 0 }).map((c) => c.childId)).toEqual([
      'near',
      'far',
    ]);
  });

  it("cuts at the floor given, else at the index's relative floor", () => {
    const index = new ProfileIndex(table, { relativeFloor: near * 2 });
    index.add('far', far, 'child');
    index.add('near', kid, 'child');
    const ids = (floor?: number) =>
      index
        .searchChildrenForRelative(aunt, 'aunt-uncle', floor === undefined ? {} : { floor })
        .map((c) => c.childId);
    expect(ids()).toEqual([]);
    expect(ids(near)).toEqual(['near']);
    expect(ids(0)).toEqual(['near', 'far']);
  });
});

describe('ProfileIndex: what it holds', () => {
  // Per pack of 1,024 slots: alleles (2 bytes per allele), the relation (1) and the pair (4) of
  // each slot; the relatives' pack also a 2-byte genotype key per locus. (The parents' pack also
  // holds the pre-filter's carrier bitsets, sized by the alleles met: not counted here.)
  const loci = table.loci.length;
  // A relative's genotype keys fill whole 32-bit words: the loci rounded up to even.
  const pack = (slots: number, genotypes: boolean) =>
    slots * (2 * 2 * loci + 1 + 4 + (genotypes ? 2 * (loci + (loci % 2)) : 0));
  // The relatives' keys are in a WebAssembly memory, after its tables, in whole 64 KiB pages.
  const keyMemory = (slots: number) =>
    Math.ceil((KEYS_AT + pack(slots, true) - pack(slots, false)) / 2 ** 16) * 2 ** 16;

  it('reports the bytes of its packed profiles as allocated, growing a pack by doubling it', () => {
    const index = new ProfileIndex(table);
    const start = index.packedBytes;
    for (let i = 0; i < 1025; i++) index.add(`c${i}`, mum, 'child');
    expect(index.packedBytes).toBe(start + pack(1024, false));
    for (let i = 0; i < 1025; i++)
      index.add(`r${i}`, mum, 'relative', { caseId: 'c', relation: 'aunt-uncle' });
    expect(index.packedBytes).toBe(start + 2 * pack(1024, false) + keyMemory(2048) - keyMemory(1024));
    expect(index.profileOf('r1024')).toEqual(index.profileOf('r0'));
  });

  it('is on SharedArrayBuffers only when asked', () => {
    expect(new ProfileIndex(table).shared).toBe(false);
    expect(new ProfileIndex(table, { shared: false }).shared).toBe(false);
    expect(new ProfileIndex(table, { shared: true }).shared).toBe(true);
  });
});

describe('ProfileIndex: scoring as kinship.ts does', () => {
  it('counts a locus where the mother is untyped and the father shares no allele as inconsistent', () => {
    const father = profile({ CSF1PO: [11, 13], TH01: [9, 10] });
    const mother = profile({ CSF1PO: [10, 12] });
    const index = new ProfileIndex(table);
    index.add('f', father, 'parent', { caseId: 'c', relation: 'father' });
    index.add('m', mother, 'parent', { caseId: 'c', relation: 'mother' });
    const ref = parentPairIndex(table, kid, mother, father);
    expect(ref.inconsistentLoci).toEqual(['TH01']);
    expect(index.searchParentsForChild(kid, { floor: 0 }).pairs).toStrictEqual([
      { kind: 'pair', caseId: 'c', motherId: 'm', fatherId: 'f', ...scores(ref) },
    ]);
  });

  it('with no mutation allowed, names an inconsistent locus and scores the parent 0', () => {
    const stranger = profile({ CSF1PO: [10, 12], TH01: [9, 10] });
    const index = new ProfileIndex(table, { mutationRate: 0 });
    index.add('s', stranger, 'parent');
    index.add('k', kid, 'child');
    const ref = singleParentIndex(table, kid, stranger, { mutationRate: 0 });
    expect([ref.combinedIndex, ref.inconsistentLoci]).toEqual([0, ['TH01']]);
    const [single] = index.searchParentsForChild(kid, { floor: 0 }).singles;
    expect(single).toStrictEqual({ kind: 'single', parentId: 's', ...scores(ref) });
    const [child] = index.searchChildrenForParent(stranger, { floor: 0 }).children;
    expect(child).toStrictEqual({ kind: 'single', childId: 'k', ...scores(ref) });
  });
});
