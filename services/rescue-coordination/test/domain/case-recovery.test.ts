import { describe, expect, it } from 'vitest';
import type { CaseDoc } from '../../src/domain/case.ts';
import { issueCaseAlert } from '../../src/domain/case-alerts.ts';
import { addVictims, locate, rescue } from '../../src/domain/case-recovery.ts';
import { at, H, MIN, openCase, police, policy } from './fixtures.ts';

// Located and rescued (domain/case-recovery.ts); several victims are victims.test.ts's.

const code = (c: string) => expect.objectContaining({ code: c });
/** A case searching with alert 1, issued at 07:55. */
const searching = (): CaseDoc => issueCaseAlert(openCase(), policy, at(5 * MIN)).doc;

describe('located and rescued end the search in the same write', () => {
  it('located: child-located and alert.cancelled (found) together; the alert off the case', () => {
    const d = locate(searching(), { place: 'Lu an bus station', region: '341500' }, police, at(H));
    // The child is victim 1: victims-located names it, child-located says it for consumers
    // that know only children (with its id, so one that reads both counts it once).
    expect(d.events.map((e) => [e.type, e.id])).toEqual([
      ['homeward.case.victims-located', 'case-1.victims-located.v3'],
      ['homeward.case.child-located', 'case-1.child-located.v3'],
      ['homeward.alert.cancelled', 'case-1.alert-1.cancelled'],
    ]);
    expect(d.events[0]?.data).toEqual({
      caseId: 'case-1',
      place: 'Lu an bus station',
      region: '341500',
      locatedAt: at(H).toISOString(),
      victims: [{ victimId: 'case-1.v1', category: 'child', sex: 'male', ageGroup: 'under-14' }],
    });
    expect(d.events[1]?.data).toEqual({
      caseId: 'case-1',
      place: 'Lu an bus station',
      region: '341500',
      locatedAt: at(H).toISOString(),
      victimIds: ['case-1.v1'],
    });
    expect(d.events[2]?.data).toMatchObject({ reason: 'found' });
    expect(d.doc).toMatchObject({
      status: 'located',
      activeAlertId: null,
      version: 3,
      located: { caseId: 'case-1', place: 'Lu an bus station', by: police },
    });
    expect(d.doc.alerts[0]).toMatchObject({
      status: 'cancelled',
      nextDueAt: null,
      cancelled: { reason: 'found' },
    });
    expect(d.doc.timeline.at(-1)).toEqual({
      at: at(H),
      type: 'homeward.case.victims-located',
      eventId: 'case-1.victims-located.v3',
      by: { agencyId: 'hefei-psb', role: 'police' },
      details: {
        place: 'Lu an bus station',
        locatedAt: at(H).toISOString(),
        identified: false,
        victimIds: ['case-1.v1'],
      },
    });
    expect(d.doc.victims?.[0]?.located).toEqual({ at: at(H).toISOString(), place: 'Lu an bus station' });
  });

  it('located with a time and an identification keeps them; without an alert, no cancellation', () => {
    const identification = { method: 'documents' as const, identifiedBy: 'officer-1' };
    const d = locate(
      openCase(),
      { place: 'x', locatedAt: '2026-11-28T08:00:00Z', identification },
      police,
      at(H),
    );
    expect(d.events.map((e) => e.type)).toEqual([
      'homeward.case.victims-located',
      'homeward.case.child-located',
    ]);
    expect(d.events[0]?.data).toMatchObject({ locatedAt: '2026-11-28T08:00:00Z', identification });
    expect(d.events[1]?.data).toMatchObject({ locatedAt: '2026-11-28T08:00:00Z', identification });
    expect(d.doc.victims?.[0]?.identified).toEqual({
      at: '2026-11-28T08:00:00Z',
      via: 'police',
      method: 'documents',
    });
    expect(d.doc.timeline.at(-1)?.details).toMatchObject({
      identified: true,
      locatedAt: '2026-11-28T08:00:00Z',
    });
  });

  it('rescued without located: child-rescued and alert.cancelled (found); buyer household recorded', () => {
    const buyerHousehold = { headName: 'Zhang San', address: 'Shou county' };
    const d = rescue(searching(), { place: 'farm', region: '341500', buyerHousehold }, police, at(H));
    expect(d.events.map((e) => [e.type, e.id])).toEqual([
      ['homeward.case.victims-rescued', 'case-1.victims-rescued.v3'],
      ['homeward.case.child-rescued', 'case-1.child-rescued.v3'],
      ['homeward.alert.cancelled', 'case-1.alert-1.cancelled'],
    ]);
    expect(d.events[0]?.data).toEqual({
      caseId: 'case-1',
      place: 'farm',
      region: '341500',
      buyerHousehold,
      rescuedAt: at(H).toISOString(),
      victims: [{ victimId: 'case-1.v1', category: 'child', sex: 'male', ageGroup: 'under-14' }],
    });
    expect(d.events[1]?.data).toEqual({
      caseId: 'case-1',
      place: 'farm',
      region: '341500',
      buyerHousehold,
      rescuedAt: at(H).toISOString(),
      victimIds: ['case-1.v1'],
    });
    expect(d.doc).toMatchObject({
      status: 'rescued',
      activeAlertId: null,
      rescued: { buyerHousehold, by: police },
    });
    expect(d.doc.alerts[0]?.status).toBe('cancelled');
    expect(d.doc.timeline.at(-1)).toEqual({
      at: at(H),
      type: 'homeward.case.victims-rescued',
      eventId: 'case-1.victims-rescued.v3',
      by: { agencyId: 'hefei-psb', role: 'police' },
      details: {
        place: 'farm',
        region: '341500',
        rescuedAt: at(H).toISOString(),
        buyerHouseholdRecorded: true,
        noBuyerHouseholdStated: false,
        currentGuardianCleared: false,
        identified: false,
        victimIds: ['case-1.v1'],
      },
    });
  });

  it('rescued after located: no cancellation (the alert ended already), its own time kept', () => {
    const located = locate(searching(), { place: 'x' }, police, at(H)).doc;
    const identification = { method: 'family-recognition' as const, identifiedBy: 'officer-1' };
    const d = rescue(
      located,
      { place: 'y', region: '341500', rescuedAt: '2026-11-28T09:00:00Z', identification },
      police,
      at(2 * H),
    );
    expect(d.events.map((e) => e.type)).toEqual([
      'homeward.case.victims-rescued',
      'homeward.case.child-rescued',
    ]);
    expect(d.events[0]?.data).toMatchObject({ rescuedAt: '2026-11-28T09:00:00Z' });
    expect(d.doc.timeline.at(-1)?.details).toMatchObject({ buyerHouseholdRecorded: false, identified: true });
    expect(() => rescue(d.doc, { place: 'z', region: '341500' }, police, at(3 * H))).toThrow(
      code('RESCUE_ERR_INVALID_TRANSITION'),
    );
  });
});

describe('a case without victims, and a second victim later', () => {
  // A case whose report names nobody (victims recorded as none): child-located and child-rescued
  // alone, as before victims were counted, with no victim ids anywhere.
  const noVictims = (): CaseDoc => ({ ...openCase(), victims: [] });

  it('located: child-located alone, no victim ids in it or on the timeline', () => {
    const d = locate(noVictims(), { place: 'x', region: '341500' }, police, at(H));
    expect(d.events.map((e) => e.type)).toEqual(['homeward.case.child-located']);
    expect(d.events[0]?.data).not.toHaveProperty('victimIds');
    expect(d.doc.status).toBe('located');
    expect(d.doc.timeline.at(-1)?.type).toBe('homeward.case.child-located');
    expect(d.doc.timeline.at(-1)?.details).not.toHaveProperty('victimIds');
  });

  it('rescued: child-rescued alone, no victim ids in it or on the timeline', () => {
    const d = rescue(noVictims(), { place: 'x', region: '341500' }, police, at(H));
    expect(d.events.map((e) => e.type)).toEqual(['homeward.case.child-rescued']);
    expect(d.events[0]?.data).not.toHaveProperty('victimIds');
    expect(d.doc.timeline.at(-1)?.type).toBe('homeward.case.child-rescued');
    expect(d.doc.timeline.at(-1)?.details).not.toHaveProperty('victimIds');
  });

  it('a second victim located after the first leaves the case located; with none left, 409', () => {
    const two = addVictims(
      openCase(),
      { victims: [{ sex: 'female', apparentAge: 9, description: 'girl D' }] },
      police,
      at(H),
    ).doc;
    const first = locate(two, { place: 'x', victimIds: ['case-1.v1'] }, police, at(2 * H)).doc;
    expect(first.status).toBe('located');
    const second = locate(first, { place: 'y' }, police, at(3 * H));
    expect(second.doc.status).toBe('located');
    expect(second.events[0]?.data).toMatchObject({ victims: [{ victimId: 'case-1.v2' }] });
    expect(() => locate(second.doc, { place: 'z' }, police, at(4 * H))).toThrow(
      code('RESCUE_ERR_INVALID_TRANSITION'),
    );
  });
});

describe('what a rescue records', () => {
  const noBuyerHousehold = { reason: 'the child was with the traffickers' };
  const currentGuardianCleared = { clearedBy: 'officer-7', reason: 'found abandoned' };
  const identification = { method: 'family-recognition' as const, identifiedBy: 'officer-1' };

  it('a statement of none, a clearance and an identification ride on both events and the timeline', () => {
    const d = rescue(
      openCase(),
      { place: 'farm', region: '341500', noBuyerHousehold, currentGuardianCleared, identification },
      police,
      at(H),
    );
    for (const e of d.events)
      expect(e.data).toMatchObject({ noBuyerHousehold, currentGuardianCleared, identification });
    expect(d.doc.timeline.at(-1)?.details).toMatchObject({
      buyerHouseholdRecorded: false,
      noBuyerHouseholdStated: true,
      currentGuardianCleared: true,
      identified: true,
    });
    // The first rescue keeps its household claims on the rescue itself, not as a later record.
    expect(d.doc.rescued).toMatchObject({ noBuyerHousehold, currentGuardianCleared });
    expect(d.doc.householdRecords).toBeUndefined();
  });

  it('a later rescue records its household claims as a record of their own; one with none records nothing', () => {
    const two = addVictims(
      openCase(),
      { victims: [{ sex: 'female', apparentAge: 9, description: 'girl D' }] },
      police,
      at(H),
    ).doc;
    const first = rescue(
      two,
      { place: 'a', region: '341500', victimIds: ['case-1.v1'] },
      police,
      at(2 * H),
    ).doc;
    const bare = rescue(first, { place: 'b', region: '341500' }, police, at(3 * H)).doc;
    expect(bare.householdRecords).toBeUndefined();
    const later = rescue(
      first,
      { place: 'b', region: '341500', noBuyerHousehold, currentGuardianCleared },
      police,
      at(3 * H),
    ).doc;
    expect(later.householdRecords).toEqual([
      {
        caseId: 'case-1',
        recordedAt: at(3 * H).toISOString(),
        noBuyerHousehold,
        currentGuardianCleared,
        by: police,
      },
    ]);
  });

  it('both the household and "none" at once are refused, saying so', () => {
    expect(() =>
      rescue(
        openCase(),
        {
          place: 'farm',
          region: '341500',
          buyerHousehold: { headName: 'Z', address: 'A' },
          noBuyerHousehold,
        },
        police,
        at(H),
      ),
    ).toThrow('a rescue records the buying household or states that there is none, not both');
  });
});

describe('victims added later', () => {
  it('one timeline line naming them', () => {
    const doc = openCase();
    const d = addVictims(
      doc,
      { victims: [{ sex: 'female', apparentAge: 9, description: 'girl D' }] },
      police,
      at(H),
    );
    expect(d.doc.timeline).toHaveLength(doc.timeline.length + 1);
    expect(d.doc.timeline.slice(0, -1)).toEqual(doc.timeline);
    expect(d.doc.timeline.at(-1)).toMatchObject({
      type: 'homeward.case.victims-added',
      details: { victimIds: ['case-1.v2'] },
    });
  });

  it('a victim without an age is refused, saying so', () => {
    expect(() =>
      addVictims(openCase(), { victims: [{ sex: 'female', description: 'girl E' }] }, police, at(H)),
    ).toThrow('a victim needs an age');
  });
});
