import { describe, expect, it } from 'vitest';
import { fingerprint, matchIdFor } from '../../src/domain/ids.ts';
import {
  type Found,
  folds,
  foundForChild,
  foundForParent,
  matchOf,
  pairsFirst,
  planReview,
  singlesOfPair,
} from '../../src/domain/match-plan.ts';
import type { CandidateScore } from '../../src/domain/matcher.ts';
import {
  mayEnterProfileAt,
  pointer,
  profileEnteredEvent,
  profileOfStored,
  readProfile,
} from '../../src/domain/profile-entry.ts';

const NOW = new Date('2026-11-28T02:00:00Z');

describe('entering a profile', () => {
  it('refuses keys that could reach a query before anything else', () => {
    expect(readProfile({ loci: { $where: [1, 2] } }, 1)).toEqual({
      ok: false,
      refusal: {
        error: 'unsafeKeys',
        code: 'DNA_ERR_UNSAFE_KEYS',
        detail: 'the profile contains keys that are not allowed',
        errors: [{ field: '/loci/$where', message: 'keys must not start with "$"' }],
      },
    });
  });

  it('names each bad locus and allele as a JSON pointer, never the value', () => {
    const read = readProfile({ loci: { TH01: [9, 99.9], 'Penta D': [1, 2, 3], XYZ: [1] } }, 1);
    expect(read).toMatchObject({
      ok: false,
      refusal: { error: 'invalidProfile', code: 'DNA_ERR_INVALID_PROFILE', detail: 'the profile is invalid' },
    });
    if (read.ok) throw new Error('accepted');
    expect(read.refusal.errors.map((e) => e.field)).toEqual(['/loci/TH01/1', '/loci/Penta D', '/loci/XYZ']);
    expect(JSON.stringify(read.refusal.errors)).not.toContain('99.9');
    expect(readProfile('no', 1)).toMatchObject({ refusal: { errors: [{ field: '/' }] } });
    expect(readProfile({ loci: [] }, 1)).toMatchObject({ refusal: { errors: [{ field: '/loci' }] } });
  });

  it('stores canonical sorted genotypes with their fingerprint, matchable from the minimum of loci', () => {
    const read = readProfile({ loci: { TH01: ['9.3', 6], FGA: [22, 22] } }, 2);
    expect(read).toEqual({
      ok: true,
      reading: {
        genotypes: [
          { locus: 'TH01', alleles: ['6', '9.3'] },
          { locus: 'FGA', alleles: ['22', '22'] },
        ],
        fingerprint: fingerprint([
          { locus: 'TH01', alleles: ['6', '9.3'] },
          { locus: 'FGA', alleles: ['22', '22'] },
        ]),
        lociTyped: 2,
        matchable: true,
      },
    });
    expect(readProfile({ loci: { TH01: [6, 7] } }, 2)).toMatchObject({
      ok: true,
      reading: { matchable: false },
    });
  });

  it('reads a stored profile back, and refuses one that no longer validates', () => {
    const p = profileOfStored('smp-1', [{ locus: 'TH01', alleles: ['6', '9.3'] }]);
    expect(p.loci).toEqual({ TH01: ['6', '9.3'] });
    expect(() => profileOfStored('smp-1', [{ locus: 'TH01', alleles: ['x', '1'] }])).toThrow(
      'the stored profile of smp-1 no longer validates',
    );
  });

  it('is allowed once the lab has the sample', () => {
    expect(
      (['collected', 'sealed', 'shipped', 'received', 'profiled', 'stored', 'destroyed'] as const).filter(
        mayEnterProfileAt,
      ),
    ).toEqual(['received', 'profiled', 'stored']);
  });

  it('is announced with counts, never genotypes', () => {
    const e = profileEnteredEvent(
      'smp-1',
      { lociTyped: 20, matchable: true },
      NOW,
      '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    );
    expect([e.type, e.id, e.subject, e.time, e.traceparent]).toEqual([
      'homeward.dna.profile-entered',
      'smp-1.profile',
      'smp-1',
      '2026-11-28T02:00:00.000Z',
      '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    ]);
    expect(e.data).toEqual({
      sampleId: 'smp-1',
      enteredAt: '2026-11-28T02:00:00.000Z',
      lociCount: 20,
      matchable: true,
    });
    expect(profileEnteredEvent('smp-1', { lociTyped: 3, matchable: false }, NOW).traceparent).toBeUndefined();
  });

  it('turns domain field names into JSON pointers', () => {
    expect(pointer('')).toBe('/');
    expect(pointer('loci')).toBe('/loci');
    expect(pointer('loci.TH01')).toBe('/loci/TH01');
    expect(pointer('loci.Penta D[1]')).toBe('/loci/Penta D/1');
    expect(pointer('loci.D3S1358[0]')).toBe('/loci/D3S1358/0');
    expect(pointer('loci.D3S1358[12]')).toBe('/loci/D3S1358/12');
    expect(pointer('loci.D3S1358.12')).toBe('/loci/D3S1358/12');
    expect(pointer('x[1].y')).toBe('/x[1].y');
    expect(pointer('x.loci.y')).toBe('/x.loci.y');
    expect(pointer('loci.a.1b')).toBe('/loci/a.1b');
  });
});

const scores = (status: CandidateScore['status'], combinedIndex = 50_000): CandidateScore => ({
  combinedIndex,
  probabilityOfParentage: combinedIndex / (combinedIndex + 1),
  status,
  lociCompared: 20,
  inconsistentLoci: [],
});

describe('kinship candidates', () => {
  it('from a child: each single parent, then each pair, with both cases', () => {
    const found = foundForChild('child', 'case-c', {
      singles: [
        { ...scores('match'), kind: 'single', parentId: 'mum', caseId: 'case-p', relation: 'mother' },
      ],
      pairs: [
        { ...scores('inconclusive', 3000), kind: 'pair', caseId: 'case-p', motherId: 'mum', fatherId: 'dad' },
      ],
    });
    expect(found).toEqual([
      {
        ...scores('match'),
        kind: 'single',
        childSampleId: 'child',
        parentSampleIds: ['mum'],
        parentRelations: ['mother'],
        caseId: 'case-p',
        childCaseId: 'case-c',
      },
      {
        ...scores('inconclusive', 3000),
        kind: 'pair',
        childSampleId: 'child',
        parentSampleIds: ['mum', 'dad'],
        parentRelations: ['mother', 'father'],
        caseId: 'case-p',
        childCaseId: 'case-c',
      },
    ]);
    const unknown = foundForChild('child', undefined, {
      singles: [{ ...scores('match'), kind: 'single', parentId: 'p' }],
      pairs: [],
    });
    expect(unknown[0]).not.toHaveProperty('caseId');
    expect(unknown[0]).not.toHaveProperty('childCaseId');
  });

  it('from a parent: each child, with the parent or the pair as given', () => {
    expect(
      foundForParent('pair', ['mum', 'dad'], 'case-p', [
        { ...scores('match'), kind: 'pair', childId: 'child', caseId: 'case-c' },
      ]),
    ).toEqual([
      {
        ...scores('match'),
        kind: 'pair',
        childSampleId: 'child',
        parentSampleIds: ['mum', 'dad'],
        caseId: 'case-p',
        childCaseId: 'case-c',
      },
    ]);
  });
});

const found = (status: CandidateScore['status'], over: Partial<Found> = {}): Found => ({
  ...scores(status),
  kind: 'single',
  childSampleId: 'child',
  parentSampleIds: ['mum'],
  caseId: 'case-p',
  ...over,
});
const table = {
  source: 'FBI',
  version: 'abc123',
  population: 'Caucasian',
  minimumFrequencyRule: 'nrc-ii-5/2n:unobserved',
};

describe('a match', () => {
  it('above the threshold waits for review and is announced', () => {
    const { match, events } = matchOf(found('match', { childCaseId: 'case-c' }), NOW, table);
    const matchId = matchIdFor('child', ['mum']);
    expect(match).toEqual({
      _id: matchId,
      kind: 'single',
      childSampleId: 'child',
      parentSampleIds: ['mum'],
      caseId: 'case-p',
      childCaseId: 'case-c',
      combinedIndex: 50_000,
      probability: 50_000 / 50_001,
      inconsistentLoci: [],
      lociCompared: 20,
      status: 'pending-review',
      frequencyTable: table,
      foundAt: NOW,
    });
    expect(events.map((e) => [e.type, e.id, e.subject])).toEqual([
      ['homeward.dna.match-found', `${matchId}.found`, 'child'],
    ]);
    expect(events[0]?.data).toEqual({
      matchId,
      childSampleId: 'child',
      parentSampleIds: ['mum'],
      caseId: 'case-p',
      childCaseId: 'case-c',
      combinedIndex: 50_000,
      probability: 50_000 / 50_001,
      inconsistentLoci: [],
      frequencyVersion: 'abc123',
      foundAt: '2026-11-28T02:00:00.000Z',
    });
  });

  it('below it is inconclusive and silent', () => {
    const { match, events } = matchOf(found('inconclusive', { caseId: undefined }), NOW, table);
    expect(match.status).toBe('inconclusive');
    expect(match).not.toHaveProperty('caseId');
    expect(events).toEqual([]);
  });

  const review = {
    decision: 'confirmed' as const,
    reviewer: 'analyst 7',
    note: 'checked',
    by: { agencyId: 'lab', role: 'dna-lab' as const, region: '340000' },
  };

  it('is confirmed once, announcing the case', () => {
    const { match } = matchOf(found('match'), NOW, table);
    const plan = planReview(match, null, review, NOW);
    if (!plan.ok) throw new Error(plan.refusal.detail);
    expect(plan.review).toEqual({
      _id: match._id,
      decision: 'confirmed',
      reviewer: 'analyst 7',
      note: 'checked',
      at: NOW,
      by: review.by,
    });
    expect([plan.event.type, plan.event.id, plan.event.subject]).toEqual([
      'homeward.dna.match-confirmed',
      `${match._id}.reviewed`,
      'child',
    ]);
    expect(plan.event.data).toEqual({
      matchId: match._id,
      childSampleId: 'child',
      parentSampleIds: ['mum'],
      caseId: 'case-p',
      confirmedAt: '2026-11-28T02:00:00.000Z',
      confirmedBy: 'analyst 7',
    });
    expect(planReview(match, { decision: 'rejected' }, review, NOW)).toEqual({
      ok: false,
      refusal: {
        error: 'matchAlreadyReviewed',
        code: 'DNA_ERR_MATCH_ALREADY_REVIEWED',
        detail: 'the match was already reviewed (rejected)',
      },
    });
  });

  it('may be rejected when inconclusive, never confirmed', () => {
    const { match } = matchOf(found('inconclusive', { caseId: undefined }), NOW, table);
    expect(planReview(match, undefined, review, NOW)).toMatchObject({
      ok: false,
      refusal: {
        error: 'matchInconclusive',
        code: 'DNA_ERR_MATCH_INCONCLUSIVE',
        detail:
          'an inconclusive candidate (combined index below the match threshold) cannot be confirmed; type more loci or the other parent',
      },
    });
    const plan = planReview(
      match,
      undefined,
      {
        ...review,
        decision: 'rejected',
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      },
      NOW,
    );
    if (!plan.ok) throw new Error(plan.refusal.detail);
    expect(plan.event.type).toBe('homeward.dna.match-rejected');
    expect(plan.event.traceparent).toBe('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    expect(plan.event.data).toEqual({
      matchId: match._id,
      childSampleId: 'child',
      parentSampleIds: ['mum'],
      rejectedAt: '2026-11-28T02:00:00.000Z',
      rejectedBy: 'analyst 7',
    });
  });
});

describe('one review task per family', () => {
  const actor = { agencyId: 'lab', role: 'dna-lab' as const, region: '340000' };
  const pair = found('match', {
    kind: 'pair',
    parentSampleIds: ['mum', 'dad'],
    parentRelations: ['mother', 'father'],
    childCaseId: 'case-c',
  });

  it("names a pair's singles, and only a pair that is a review task folds them", () => {
    expect(singlesOfPair(pair)).toEqual([matchIdFor('child', ['mum']), matchIdFor('child', ['dad'])]);
    expect(singlesOfPair(found('match'))).toEqual([]);
    expect(folds(pair)).toBe(true);
    expect(folds({ ...pair, status: 'inconclusive' })).toBe(false);
    expect(folds(found('match'))).toBe(false);
    // Pairs first; otherwise the search's order (best first) is kept.
    const second = { ...pair, parentSampleIds: ['mum2', 'dad2'] };
    expect(
      pairsFirst([found('match'), pair, found('inconclusive'), second]).map((f) => `${f.kind} ${f.status}`),
    ).toEqual(['pair match', 'pair match', 'single match', 'single inconclusive']);
    expect(pairsFirst([found('match'), pair, found('inconclusive'), second])[1]).toBe(second);
  });

  it('announces the pair with its parents and the singles it folds; a folded single is silent', () => {
    const { match, events } = matchOf(pair, NOW, table, { foldedMatchIds: [matchIdFor('child', ['mum'])] });
    expect(match.parents).toEqual([
      { sampleId: 'mum', relation: 'mother' },
      { sampleId: 'dad', relation: 'father' },
    ]);
    expect(events[0]?.data).toMatchObject({
      childCaseId: 'case-c',
      parents: match.parents,
      foldedMatchIds: [matchIdFor('child', ['mum'])],
    });
    const single = matchOf(found('match'), NOW, table, { folded: true });
    expect(single.match.status).toBe('pending-review');
    expect(single.events).toEqual([]);
  });

  it('refuses to review a folded single, naming the pair; a reviewed one stays reviewed', () => {
    const { match } = matchOf(found('match'), NOW, table);
    const input = { decision: 'confirmed' as const, reviewer: 'r', note: 'n', by: actor };
    const refused = planReview(match, null, input, NOW, { into: 'match-pair' });
    expect(refused).toMatchObject({
      ok: false,
      refusal: {
        error: 'matchFolded',
        code: 'DNA_ERR_MATCH_FOLDED',
        detail: `this single parent's match is folded into the match of both parents, "match-pair": review that one`,
        foldedInto: 'match-pair',
      },
    });
    expect(planReview(match, { decision: 'rejected' }, input, NOW, { into: 'match-pair' })).toMatchObject({
      ok: false,
      refusal: { code: 'DNA_ERR_MATCH_ALREADY_REVIEWED' },
    });
    const confirmed = planReview(matchOf(pair, NOW, table).match, null, input, NOW);
    expect(confirmed.ok && confirmed.event.data).toMatchObject({
      caseId: 'case-p',
      childCaseId: 'case-c',
      parents: [
        { sampleId: 'mum', relation: 'mother' },
        { sampleId: 'dad', relation: 'father' },
      ],
    });
  });
});
