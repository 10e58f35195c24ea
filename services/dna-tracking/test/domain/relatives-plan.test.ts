import { describe, expect, it } from 'vitest';
import { matchIdFor } from '../../src/domain/ids.ts';
import { matchOf, planReview } from '../../src/domain/match-plan.ts';
import {
  byCloseness,
  foundForFamily,
  foundForRelative,
  scoredAsFamily,
} from '../../src/domain/relatives-plan.ts';
import { fbiTable } from './fixtures.ts';

const NOW = new Date('2026-12-01T08:00:00Z');
const meta = fbiTable().meta;

describe('relatives as matches', () => {
  it('makes a match of one relative with its relationship and reference, none below inconclusive', () => {
    const score = {
      relation: 'grandparent' as const,
      combinedIndex: 20_000,
      probability: 0.99995,
      lociCompared: 23,
    };
    const f = foundForRelative(
      { ...score, status: 'match' },
      { childSampleId: 'child-1', referenceId: 'gran-1', caseId: 'case-1', childCaseId: 'case-9' },
    );
    expect(f).toEqual({
      kind: 'relative',
      childSampleId: 'child-1',
      parentSampleIds: ['gran-1'],
      caseId: 'case-1',
      childCaseId: 'case-9',
      combinedIndex: 20_000,
      probabilityOfParentage: 0.99995,
      status: 'match',
      lociCompared: 23,
      inconsistentLoci: [],
      relationship: 'grandparent',
      references: [{ sampleId: 'gran-1', relation: 'grandparent' }],
    });
    expect(
      foundForRelative(
        { ...score, status: 'no-match' },
        { childSampleId: 'c', referenceId: 'r', caseId: 'k' },
      ),
    ).toBeUndefined();
    expect(
      foundForRelative(
        { ...score, status: 'inconclusive' },
        { childSampleId: 'c', referenceId: 'r', caseId: 'k' },
      )?.childCaseId,
    ).toBeUndefined();
  });

  it('makes a family match naming every reference, closest first, the two closest as parentSampleIds', () => {
    const f = foundForFamily(
      {
        combinedIndex: 5e6,
        probability: 1 - 2e-7,
        status: 'match',
        lociCompared: 23,
        references: [
          { sampleId: 'aunt', relation: 'aunt-uncle' },
          { sampleId: 'sib-b', relation: 'full-sibling' },
          { sampleId: 'sib-a', relation: 'full-sibling' },
          { sampleId: 'dad', relation: 'father' },
        ],
      },
      'child-1',
      'case-1',
      undefined,
    );
    expect(f?.kind).toBe('family');
    expect(f?.relationship).toBe('family');
    expect(f?.references?.map((r) => r.sampleId)).toEqual(['dad', 'sib-a', 'sib-b', 'aunt']);
    expect(f?.parentSampleIds).toEqual(['dad', 'sib-a']);
    // A family score names no inconsistent locus: it is one likelihood over the pedigree.
    expect(f?.inconsistentLoci).toEqual([]);
    expect(f?.caseId).toBe('case-1');
    expect(f && 'childCaseId' in f).toBe(false);
    expect(
      foundForFamily(
        { combinedIndex: 1, probability: 0.5, status: 'no-match', lociCompared: 23, references: [] },
        'c',
        'k',
        undefined,
      ),
    ).toBeUndefined();
  });

  it('orders references mother, father, sibling, half sibling, grandparent, aunt, then by id', () => {
    expect(
      byCloseness([
        { sampleId: 'z', relation: 'aunt-uncle' },
        { sampleId: 'y', relation: 'grandparent' },
        { sampleId: 'x', relation: 'half-sibling' },
        { sampleId: 'b', relation: 'full-sibling' },
        { sampleId: 'a', relation: 'full-sibling' },
        { sampleId: 'f', relation: 'father' },
        { sampleId: 'm', relation: 'mother' },
      ]).map((r) => r.sampleId),
    ).toEqual(['m', 'f', 'a', 'b', 'x', 'y', 'z']);
  });

  it('scores a case as a family from two references when one is not a parent', () => {
    expect(scoredAsFamily([{ relation: 'full-sibling' }])).toBe(false);
    expect(scoredAsFamily([{ relation: 'mother' }, { relation: 'father' }])).toBe(false);
    expect(scoredAsFamily([{ relation: 'mother' }, { relation: 'grandparent' }])).toBe(true);
    expect(scoredAsFamily([{ relation: 'full-sibling' }, { relation: 'full-sibling' }])).toBe(true);
  });

  it('records the relationship and references on the match and its events; its id covers every reference', () => {
    const f = foundForFamily(
      {
        combinedIndex: 5e6,
        probability: 0.9999998,
        status: 'match',
        lociCompared: 23,
        references: [
          { sampleId: 'sib-1', relation: 'full-sibling' },
          { sampleId: 'sib-2', relation: 'full-sibling' },
          { sampleId: 'gran', relation: 'grandparent' },
        ],
      },
      'child-1',
      'case-1',
      undefined,
    )!;
    const { match, events } = matchOf(f, NOW, meta);
    const two = matchOf({ ...f, references: f.references!.slice(0, 2) }, NOW, meta).match;
    expect(match._id).not.toBe(two._id);
    // One match per child and set of references, whichever reference's sample arrives last.
    expect(match._id).toBe(matchIdFor('child-1', ['gran', 'sib-2', 'sib-1']));
    expect(match).toMatchObject({ kind: 'family', relationship: 'family', status: 'pending-review' });
    expect(match.references).toHaveLength(3);
    expect(events[0]?.data).toMatchObject({
      relationship: 'family',
      references: f.references,
      parentSampleIds: ['sib-1', 'sib-2'],
    });
    const plan = planReview(
      match,
      undefined,
      {
        decision: 'confirmed',
        reviewer: 'dr-li',
        note: 'family',
        by: { agencyId: 'lab', role: 'dna-lab' } as never,
      },
      NOW,
    );
    expect(plan.ok && plan.event.data).toMatchObject({ relationship: 'family', references: f.references });
  });
});
