import { describe, expect, it } from 'vitest';
import { type CaseFacts, emptyFacts } from '../../src/domain/case-facts.ts';
import {
  clocksDue,
  DEFAULT_CLOCK_POLICY,
  firstClockAt,
  identifiedAt,
  placementOverdueEvent,
  runningClocks,
} from '../../src/domain/clocks.ts';
import type { PlacementState } from '../../src/domain/placement-state.ts';

const policy = { 'rescued-not-placed': 15, 'identified-not-returned': 30 };
const placed = (victimId: string, ...types: string[]): PlacementState =>
  ({
    placementId: `p-${victimId}`,
    victimId,
    region: '341500',
    revisions: types.map((type) => ({ type })),
  }) as never;
const rescue = (rescuedAt: string) => ({ rescuedAt, region: '341500' });

describe('the placement clocks, as the law gives them', () => {
  it('allow 15 days to place a rescued child and 30 to return an identified one home', () => {
    expect(DEFAULT_CLOCK_POLICY).toEqual({ 'rescued-not-placed': 15, 'identified-not-returned': 30 });
  });

  it('count the identification from the earliest DNA match or police identification, whichever came first', () => {
    const facts: CaseFacts = {
      ...emptyFacts(),
      dnaIdentifications: [
        { matchId: 'm2', confirmedAt: '2026-11-26T00:00:00.000Z' },
        { matchId: 'm1', confirmedAt: '2026-11-24T08:00:00+08:00' },
      ],
      policeIdentifications: [
        { method: 'documents', identifiedBy: 'o', at: '2026-11-25T00:00:00.000Z', via: 'child-located' },
      ],
    };
    expect(identifiedAt({ facts })).toBe('2026-11-24T08:00:00+08:00');
    const police: CaseFacts = {
      ...facts,
      policeIdentifications: [
        { method: 'documents', identifiedBy: 'o', at: '2026-11-23T00:00:00.000Z', via: 'child-located' },
      ],
    };
    expect(identifiedAt({ facts: police })).toBe('2026-11-23T00:00:00.000Z');
    expect(identifiedAt({ facts: emptyFacts() })).toBeUndefined();
  });

  it('run for victims from the earliest rescue of one still not placed, until every rescued victim is', () => {
    const facts: CaseFacts = {
      ...emptyFacts(),
      region: '340104',
      rescue: rescue('2026-11-01T00:00:00.000Z'),
      victims: [
        { victimId: 'c.v1', category: 'child', sex: 'male', rescue: rescue('2026-11-01T00:00:00.000Z') },
        { victimId: 'c.v2', category: 'adult', sex: 'female', rescue: rescue('2026-11-05T00:00:00.000Z') },
        { victimId: 'c.v3', category: 'adult', sex: 'female', rescue: rescue('2026-11-03T00:00:00.000Z') },
        { victimId: 'c.v4', category: 'adult', sex: 'female' },
      ],
    };
    const since = (placements: PlacementState[]) =>
      runningClocks({ facts, placements }, policy).map((c) => [c.clock, c.since, c.dueAt.toISOString()]);
    expect(since([])).toEqual([
      ['rescued-not-placed', '2026-11-01T00:00:00.000Z', '2026-11-16T00:00:00.000Z'],
    ]);
    // The first placed: the clock runs from the earliest rescue of those left.
    expect(since([placed('c.v1', 'foster-family')])).toEqual([
      ['rescued-not-placed', '2026-11-03T00:00:00.000Z', '2026-11-18T00:00:00.000Z'],
    ]);
    // Every rescued victim placed (the fourth was never rescued): no clock.
    expect(since(['c.v1', 'c.v2', 'c.v3'].map((v) => placed(v, 'foster-family')))).toEqual([]);
  });

  it('run where the child was rescued, else in the case’s region, and not at all where none is known', () => {
    const identified: CaseFacts = {
      ...emptyFacts(),
      region: '340104',
      dnaIdentifications: [{ matchId: 'm', confirmedAt: '2026-11-25T00:00:00.000Z' }],
    };
    expect(runningClocks({ facts: identified }, policy)).toEqual([
      {
        clock: 'identified-not-returned',
        since: '2026-11-25T00:00:00.000Z',
        dueAt: new Date('2026-12-25T00:00:00.000Z'),
        limitDays: 30,
        region: '340104',
      },
    ]);
    expect(
      runningClocks({ facts: { ...identified, rescue: rescue('2026-11-20T00:00:00.000Z') } }, policy).map(
        (c) => c.region,
      ),
    ).toEqual(['341500', '341500']);
    const { region: _r, ...nowhere } = identified;
    expect(runningClocks({ facts: nowhere }, policy)).toEqual([]);
  });

  it('start the return-home clock again when a return to the family is revised into another placement', () => {
    const facts: CaseFacts = {
      ...emptyFacts(),
      region: '340104',
      dnaIdentifications: [{ matchId: 'm', confirmedAt: '2026-11-25T00:00:00.000Z' }],
    };
    const clocks = (p: PlacementState) =>
      runningClocks({ facts, placements: [p] }, policy).map((c) => c.clock);
    expect(clocks(placed('c.v1', 'return-to-family'))).toEqual([]);
    expect(clocks(placed('c.v1', 'return-to-family', 'foster-family'))).toEqual(['identified-not-returned']);
    expect(clocks(placed('c.v1', 'foster-family', 'return-to-family'))).toEqual([]);
  });

  it('look next at the clock that runs out first, whichever it is', () => {
    // Identified long before the rescue: the return-home clock runs out first.
    const facts: CaseFacts = {
      ...emptyFacts(),
      rescue: rescue('2026-11-20T00:00:00.000Z'),
      policeIdentifications: [
        { method: 'documents', identifiedBy: 'o', at: '2026-11-01T00:00:00.000Z', via: 'child-located' },
      ],
    };
    const before = clocksDue({ facts }, policy, new Date('2026-11-30T00:00:00.000Z'));
    expect(before).toEqual({ due: [], next: new Date('2026-12-01T00:00:00.000Z') });
    expect(firstClockAt({ facts }, policy)).toEqual(new Date('2026-12-01T00:00:00.000Z'));
    const both = clocksDue({ facts }, policy, new Date('2026-12-05T00:00:00.000Z'));
    expect(both.due.map((c) => c.clock)).toEqual(['rescued-not-placed', 'identified-not-returned']);
    expect(both.next).toBeUndefined();
    expect(firstClockAt({ facts: emptyFacts() }, policy)).toBeUndefined();
  });

  it('raise one overdue event per case and clock, from placement, saying when it was found', () => {
    const now = new Date('2026-12-05T02:00:00.000Z');
    const [clock] = runningClocks(
      { facts: { ...emptyFacts(), rescue: rescue('2026-11-20T02:00:00.000Z') } },
      policy,
    );
    expect(placementOverdueEvent('c', clock!, now)).toMatchObject({
      id: 'c.rescued-not-placed.overdue',
      source: 'homeward/placement',
      subject: 'c',
      type: 'homeward.placement.overdue',
      time: '2026-12-05T02:00:00.000Z',
      data: {
        caseId: 'c',
        clock: 'rescued-not-placed',
        since: '2026-11-20T02:00:00.000Z',
        limitDays: 15,
        detectedAt: '2026-12-05T02:00:00.000Z',
        region: '341500',
      },
    });
  });
});
