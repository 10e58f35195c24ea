import { createEvent } from '@homeward/events';
import { describe, expect, it } from 'vitest';
import { casesOfMatch, linkedCaseOf, markIdentified } from '../../src/domain/case-identification.ts';
import { at, H, openCase } from './fixtures.ts';

// A confirmed DNA match on a case (domain/case-identification.ts).

describe('a confirmed match', () => {
  it('a confirmed match identifies the child once', () => {
    const event = createEvent(
      'homeward.dna.match-confirmed',
      {
        matchId: 'm-1',
        childSampleId: 's-child',
        parentSampleIds: ['s-mother'],
        caseId: 'case-1',
        confirmedAt: '2026-11-28T12:00:00Z',
        confirmedBy: 'lab',
      },
      { source: 'homeward/dna-tracking', id: 'm-1.confirmed' },
    );
    const d = markIdentified(openCase(), event, at(H));
    expect(d?.doc).toMatchObject({
      version: 2,
      identified: {
        matchId: 'm-1',
        childSampleId: 's-child',
        parentSampleIds: ['s-mother'],
        confirmedAt: '2026-11-28T12:00:00Z',
        confirmedBy: 'lab',
      },
    });
    expect(d?.doc.timeline.at(-1)).toEqual({
      at: new Date('2026-11-28T12:00:00Z'),
      type: 'homeward.dna.match-confirmed',
      eventId: 'm-1.confirmed',
      details: { matchId: 'm-1', confirmedBy: 'lab' },
    });
    expect(d?.events).toEqual([]);
    expect(d?.result).toBe(true);
    expect(markIdentified(d!.doc, event, at(2 * H))).toBeNull();
    const other = { ...event, data: { ...event.data, matchId: 'm-2' } };
    expect(markIdentified(d!.doc, other, at(2 * H))?.doc.identified?.matchId).toBe('m-2');
  });
});

describe("a confirmed DNA match links the child's case and the parents' case", () => {
  const match = { caseId: 'parents-1', childCaseId: 'child-1' };

  it('each case sees the other, and a third case neither', () => {
    expect(linkedCaseOf('child-1', match)).toEqual({ caseId: 'parents-1', as: 'parents-case' });
    expect(linkedCaseOf('parents-1', match)).toEqual({ caseId: 'child-1', as: 'child-case' });
    expect(linkedCaseOf('other-1', match)).toBeUndefined();
  });

  it('links nothing when the match names one case only, or the same case twice', () => {
    expect(linkedCaseOf('parents-1', { caseId: 'parents-1' })).toBeUndefined();
    expect(linkedCaseOf('child-1', { childCaseId: 'child-1' })).toBeUndefined();
    expect(linkedCaseOf('c', { caseId: 'c', childCaseId: 'c' })).toBeUndefined();
  });

  it("identifies the child's case and the parents' case, each once", () => {
    expect(casesOfMatch(match)).toEqual(['child-1', 'parents-1']);
    expect(casesOfMatch({ caseId: 'c', childCaseId: 'c' })).toEqual(['c']);
    expect(casesOfMatch({ caseId: 'parents-1' })).toEqual(['parents-1']);
    expect(casesOfMatch({ childCaseId: 'child-1' })).toEqual(['child-1']);
  });
});
