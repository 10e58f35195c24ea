import type { EventData } from '@homeward/events';
import { describe, expect, it } from 'vitest';
import {
  emptyFacts,
  onCaseClosed,
  onCaseOpened,
  onChildLocated,
  onChildRescued,
  onDnaMatchConfirmed,
} from '../../src/domain/case-facts.ts';
import { eventIds, newFollowupId, newPlacementId } from '../../src/domain/ids.ts';
import { buyerKey, matchBuyer, normalise } from '../../src/domain/normalise.ts';

const actor = { agencyId: 'hefei-psb', role: 'police' as const, region: '340100' };
const lastSeen = {
  at: '2026-01-10T08:00:00+08:00',
  place: 'station',
  lat: 31.79,
  lon: 117.29,
  region: '340104',
};

function opened(report: EventData<'homeward.case.opened'>['report']): EventData<'homeward.case.opened'> {
  return {
    caseId: 'c',
    kind: report.kind as 'missing-child',
    region: '340104',
    openedAt: '2026-01-10T09:00:00+08:00',
    reportId: 'r',
    reportedBy: actor,
    report,
  };
}

const rescue = (over: Partial<EventData<'homeward.case.child-rescued'>> = {}) => ({
  caseId: 'c',
  rescuedAt: '2026-11-20T10:00:00+08:00',
  place: 'village',
  region: '341500',
  ...over,
});

describe('case facts', () => {
  it('take the birth date of a missing child and the apparent age of an unidentified one, once', () => {
    const missing = onCaseOpened(
      emptyFacts(),
      opened({
        kind: 'missing-child',
        child: { name: 'n', sex: 'female', birthDate: '2014-04-04' },
        lastSeen,
      }),
    );
    expect(missing).toEqual({
      ...emptyFacts(),
      kind: 'missing-child',
      region: '340104',
      openedAt: '2026-01-10T09:00:00+08:00',
      birthDate: '2014-04-04',
      // The child of the report is victim 1 (derived: this opening is from before victims).
      victims: [{ victimId: 'c.v1', category: 'child', sex: 'female', birthDate: '2014-04-04' }],
    });
    expect(
      onCaseOpened(
        missing!,
        opened({
          kind: 'missing-child',
          child: { name: 'n', sex: 'female', birthDate: '2015-01-01' },
          lastSeen,
        }),
      ),
    ).toBeUndefined();
    const found = onCaseOpened(
      emptyFacts(),
      opened({
        kind: 'unidentified-child',
        child: { sex: 'male', apparentAge: 7 },
        foundAt: { ...lastSeen, at: '2026-02-01T10:00:00Z' },
      }),
    );
    expect(found?.apparentAge).toEqual({ years: 7, observedAt: '2026-02-01T10:00:00Z' });
    expect(found).not.toHaveProperty('birthDate');
  });

  it('keep the first location and every police identification once', () => {
    const id = { method: 'documents' as const, identifiedBy: 'officer 1' };
    const located = onChildLocated(emptyFacts(), {
      caseId: 'c',
      locatedAt: '2026-11-19T10:00:00Z',
      identification: id,
    } as never);
    expect(located).toMatchObject({
      locatedAt: '2026-11-19T10:00:00Z',
      policeIdentifications: [
        { method: 'documents', identifiedBy: 'officer 1', at: '2026-11-19T10:00:00Z', via: 'child-located' },
      ],
    });
    expect(
      onChildLocated(located!, {
        caseId: 'c',
        locatedAt: '2026-11-19T10:00:00Z',
        identification: id,
      } as never),
    ).toBeUndefined();
    const again = onChildLocated(located!, {
      caseId: 'c',
      locatedAt: '2026-11-21T10:00:00Z',
      identification: id,
    } as never);
    expect(again?.locatedAt).toBe('2026-11-19T10:00:00Z');
    expect(again?.policeIdentifications).toHaveLength(2);
    expect(
      onChildLocated(located!, { caseId: 'c', locatedAt: '2026-11-22T10:00:00Z' } as never),
    ).toBeUndefined();
  });

  it('keep the first rescue, and every buying household and identification any rescue records, once each', () => {
    const buyer = { headName: 'Zhang San', address: '合肥市蜀山区，长江西路12号' };
    const first = onChildRescued(emptyFacts(), rescue({ buyerHousehold: buyer }));
    expect(first).toMatchObject({
      rescue: { rescuedAt: '2026-11-20T10:00:00+08:00', region: '341500' },
      buyerHouseholds: [buyer],
    });
    expect(first?.buyerHouseholds[0]).not.toHaveProperty('idNumber');
    // The same household written another way changes nothing.
    expect(
      onChildRescued(
        first!,
        rescue({ buyerHousehold: { headName: 'zhang-san', address: '合肥市 蜀山区 长江西路 12 号' } }),
      ),
    ).toBeUndefined();
    const second = onChildRescued(
      first!,
      rescue({
        rescuedAt: '2026-11-21T10:00:00+08:00',
        region: '340100',
        buyerHousehold: { headName: 'Li Si', address: 'Lu an', idNumber: '1' },
        identification: { method: 'family-recognition', identifiedBy: 'officer 2' },
      }),
    );
    expect(second?.rescue).toEqual(first?.rescue);
    expect(second?.buyerHouseholds).toEqual([buyer, { headName: 'Li Si', address: 'Lu an', idNumber: '1' }]);
    expect(second?.policeIdentifications).toEqual([
      {
        method: 'family-recognition',
        identifiedBy: 'officer 2',
        at: '2026-11-21T10:00:00+08:00',
        via: 'child-rescued',
      },
    ]);
  });

  it('close once and record each confirmed match once', () => {
    const closed = onCaseClosed(emptyFacts(), {
      caseId: 'c',
      closedAt: '2026-12-01T00:00:00Z',
      reason: 'placed',
    } as never);
    expect(closed?.closed).toEqual({ closedAt: '2026-12-01T00:00:00Z', reason: 'placed' });
    expect(
      onCaseClosed(closed!, { caseId: 'c', closedAt: '2026-12-02T00:00:00Z', reason: 'x' } as never),
    ).toBeUndefined();
    const match = {
      matchId: 'm',
      childSampleId: 's',
      parentSampleIds: ['p'],
      confirmedAt: '2026-11-21T00:00:00Z',
      confirmedBy: 'x',
    };
    const confirmed = onDnaMatchConfirmed(emptyFacts(), match);
    expect(confirmed?.dnaIdentifications).toEqual([{ matchId: 'm', confirmedAt: '2026-11-21T00:00:00Z' }]);
    expect(onDnaMatchConfirmed(confirmed!, match)).toBeUndefined();
    expect(onDnaMatchConfirmed(confirmed!, { ...match, matchId: 'm2' })?.dnaIdentifications).toHaveLength(2);
  });
});

describe('the buying household', () => {
  const buyers = [
    { headName: 'Li Si', address: 'Lu an, 3 Village Road' },
    { headName: 'Zhang San', address: '合肥市蜀山区，长江西路12号', idNumber: '34010419800101123X' },
  ];
  it('is matched by identity number when both have one, and says which household', () => {
    expect(matchBuyer({ name: 'x', address: 'y', idNumber: '34010419800101123x' }, buyers)).toEqual({
      by: 'id-number',
      index: 1,
    });
    expect(
      matchBuyer({ name: 'x', address: 'y', idNumber: '---' }, [
        { headName: 'a', address: 'b', idNumber: '...' },
      ]),
    ).toBeUndefined();
    expect(
      matchBuyer({ name: 'x', address: 'y' }, [{ headName: 'a', address: 'b', idNumber: '' }]),
    ).toBeUndefined();
  });
  it('is matched by name and address together', () => {
    expect(matchBuyer({ name: 'LI SI', address: 'lu an 3 village road' }, buyers)).toEqual({
      by: 'name-and-address',
      index: 0,
    });
    expect(matchBuyer({ name: 'Li Si', address: '' }, [{ headName: 'Li Si', address: '' }])).toBeUndefined();
    // No name at all, but the household's address: still the household.
    expect(matchBuyer({ name: '', address: 'Lu an' }, [{ headName: '', address: 'Lu an' }])).toEqual({
      by: 'address',
      index: 0,
    });
  });
  it('is matched by the address alone: anyone living there is of the household', () => {
    expect(matchBuyer({ name: 'Wang Wu', address: 'LU AN, 3 village road.' }, buyers)).toEqual({
      by: 'address',
      index: 0,
    });
    expect(matchBuyer({ name: 'Li Si', address: 'Lu an, 4 Village Road' }, buyers)).toBeUndefined();
  });
  it('has one key however it is written', () => {
    expect(buyerKey({ headName: 'Ｌｉ Si', address: 'Lu-an' })).toBe('lisi|luan|');
    expect(buyerKey({ headName: 'Li Si', address: 'Lu an', idNumber: 'AB 1' })).toBe('lisi|luan|ab1');
    expect(normalise('  A.b/c  ')).toBe('abc');
    expect(normalise('Li+Si＄=¥')).toBe('lisi');
    expect(normalise('Ⅻ')).toBe('xii');
  });
});

describe('ids', () => {
  it('are random for placements and follow-ups, and derived for events', () => {
    expect(newPlacementId()).toMatch(/^pl-[0-9a-f]{24}$/);
    expect(newFollowupId()).toMatch(/^fu-[0-9a-f]{24}$/);
    expect(newFollowupId()).not.toBe(newFollowupId());
    expect(eventIds.decided('pl-1', 2)).toBe('pl-1.r2.decided');
    expect(eventIds.scheduled('fu-1')).toBe('fu-1.scheduled');
    expect(eventIds.completed('fu-1')).toBe('fu-1.completed');
    expect(eventIds.overdue('fu-1')).toBe('fu-1.overdue');
  });
});
