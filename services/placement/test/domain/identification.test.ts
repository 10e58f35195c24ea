import { describe, expect, it } from 'vitest';
import {
  buyerRecordMissing,
  type CaseFacts,
  emptyFacts,
  onCaseOpened,
  onChildRescued,
  onDnaMatchConfirmed,
  onHouseholdRecorded,
} from '../../src/domain/case-facts.ts';
import {
  clockClaimId,
  clocksDue,
  firstClockAt,
  placementOverdueEvent,
  runningClocks,
} from '../../src/domain/clocks.ts';
import {
  familyName,
  householdsToRefuse,
  isFamilyMember,
  matchBuyer,
  sameAddress,
} from '../../src/domain/normalise.ts';
import { checkPlacement, familyOf } from '../../src/domain/placement-rules.ts';
import type { PlacementState } from '../../src/domain/placement-state.ts';

const BUYER = {
  headName: '赵四',
  address: '安徽省六安市裕安区，三村路8号',
  idNumber: '341502197001011111',
  members: [
    { name: '钱华', relation: 'wife' },
    { name: 'Sun Li', idNumber: '341502195001012222' },
  ],
};

describe('the buying household', () => {
  it('tells the family name of a name written family name first', () => {
    expect(familyName('Zhang San')).toBe('zhang');
    expect(familyName('ＺＨＡＮＧ-san')).toBe('zhang');
    expect(familyName('赵四')).toBe('赵');
    expect(familyName('欧阳娜娜')).toBe('欧阳');
    expect(familyName('Zhangsan')).toBe('');
  });

  it('compares addresses written more or less fully, never by a fragment too short to mean a place', () => {
    expect(sameAddress('三村路8号', '安徽省六安市裕安区三村路8号')).toBe(true);
    expect(sameAddress('Lu an, 3 Village Road', 'LU AN 3 village road')).toBe(true);
    expect(sameAddress('8号', '安徽省六安市裕安区三村路8号')).toBe(false);
    expect(sameAddress('', 'x')).toBe(false);
  });

  it('refuses its members by identity number or name, and its family name at its address', () => {
    expect(
      matchBuyer({ name: 'Someone', address: 'Hefei', idNumber: '341502 19500101 2222' }, [BUYER]),
    ).toEqual({
      by: 'id-number',
      index: 0,
    });
    expect(matchBuyer({ name: '钱 华', address: '合肥市' }, [BUYER])?.by).toBe('member');
    expect(matchBuyer({ name: '赵小五', address: '三村路8号' }, [BUYER])?.by).toBe('family-name-at-address');
    // The same family name elsewhere, or another family at a partial match of the address: not refused.
    expect(matchBuyer({ name: '赵小五', address: '合肥市长江西路1号' }, [BUYER])).toBeUndefined();
    expect(matchBuyer({ name: '李明', address: '三村路8号' }, [BUYER])).toBeUndefined();
    // Anyone at the address itself is refused, whatever the name.
    expect(matchBuyer({ name: '李明', address: '安徽省 六安市 裕安区 三村路 8 号' }, [BUYER])?.by).toBe(
      'address',
    );
  });

  it("counts the report's current guardian as part of it until police clear them", () => {
    const facts = {
      buyerHouseholds: [],
      currentGuardian: { name: 'Zhou Wu', relation: 'father', address: 'Lu an, 5 Village Road' },
    };
    const households = householdsToRefuse(facts);
    expect(households).toEqual([{ headName: 'Zhou Wu', address: 'Lu an, 5 Village Road' }]);
    expect(householdsToRefuse({ ...facts, currentGuardianCleared: { clearedBy: 'o', reason: 'r' } })).toEqual(
      [],
    );
    expect(matchBuyer({ name: 'zhou wu', address: 'Hefei' }, households)).toBeUndefined();
    expect(matchBuyer({ name: 'Zhou Liu', address: 'Lu an 5 village road' }, households)?.by).toBe('address');
  });

  it('is recorded at rescue or after it; until one or "none" is, the placement warns', () => {
    let f: CaseFacts = onChildRescued(emptyFacts(), {
      caseId: 'c',
      rescuedAt: '2026-11-20T02:00:00Z',
      place: 'x',
      region: '341500',
    })!;
    expect(buyerRecordMissing(f)).toBe(true);
    f = onHouseholdRecorded(f, { caseId: 'c', recordedAt: 'x', buyerHousehold: BUYER })!;
    expect(f.buyerHouseholds[0]?.members).toHaveLength(2);
    expect(buyerRecordMissing(f)).toBe(false);
    expect(onHouseholdRecorded(f, { caseId: 'c', recordedAt: 'y', buyerHousehold: BUYER })).toBeUndefined();
    const none = onHouseholdRecorded(
      onChildRescued(emptyFacts(), { caseId: 'd', rescuedAt: 'x', place: 'x', region: '341500' })!,
      { caseId: 'd', recordedAt: 'x', noBuyerHousehold: { reason: 'in transit' } },
    )!;
    expect(buyerRecordMissing(none)).toBe(false);
    expect(buyerRecordMissing(emptyFacts())).toBe(false);
  });

  it('refuses the current guardian with its own detail, and lets a cleared one take the child', () => {
    const base: CaseFacts = {
      ...emptyFacts(),
      birthDate: '2016-01-01',
      rescue: { rescuedAt: '2026-11-20T02:00:00Z', region: '341500' },
      currentGuardian: { name: 'Zhou Wu', relation: 'father', address: 'Lu an, 5 Village Road' },
    };
    const req = {
      type: 'kinship-care' as const,
      decisionDate: '2026-11-28',
      guardian: { name: 'Zhou Wu', address: 'Lu an, 5 Village Road' },
    };
    const refused = checkPlacement(base, req, 480);
    expect(refused).toMatchObject({ ok: false, violation: { code: 'PLACEMENT_ERR_GUARDIAN_IS_BUYER' } });
    expect(!refused.ok && refused.violation.detail).toContain('current guardian');
    const cleared = {
      ...base,
      currentGuardianCleared: { clearedBy: 'officer 1', reason: 'his grandmother' },
    };
    expect(checkPlacement(cleared, req, 480).ok).toBe(true);
  });
});

describe('the identified family', () => {
  const m = onCaseOpened(emptyFacts(), {
    caseId: 'm',
    kind: 'missing-child',
    region: '340104',
    openedAt: '2026-01-10T00:00:00Z',
    reportId: 'r',
    reportedBy: { agencyId: 'a', role: 'police', region: '340100' },
    report: {
      kind: 'missing-child',
      child: { name: 'c', sex: 'female', birthDate: '2016-01-01' },
      lastSeen: { at: '2026-01-10T00:00:00Z', place: 'p', lat: 31, lon: 117, region: '340104' },
      parents: [
        { relation: 'father', name: 'Li Jianguo', idNumber: '340104198001011234' },
        { relation: 'mother', name: 'Wang Fang', living: false },
      ],
    },
  })!;

  it("is the matched parents as the parents' case recorded them, the living ones", () => {
    const u = onDnaMatchConfirmed(emptyFacts(), {
      matchId: 'x',
      childSampleId: 'c',
      parentSampleIds: ['f', 'mo'],
      caseId: 'm',
      childCaseId: 'u',
      parents: [
        { sampleId: 'mo', relation: 'mother' },
        { sampleId: 'f', relation: 'father' },
      ],
      confirmedAt: '2026-11-21T00:00:00Z',
      confirmedBy: 'lab',
    })!;
    expect(u.dnaIdentifications[0]).toEqual({
      matchId: 'x',
      confirmedAt: '2026-11-21T00:00:00Z',
      parentsCaseId: 'm',
      relations: ['mother', 'father'],
    });
    expect(familyOf(u, new Map([['m', m]])).map((p) => p.name)).toEqual(['Li Jianguo']);
    const motherOnly = {
      ...u,
      dnaIdentifications: [{ ...u.dnaIdentifications[0]!, relations: ['mother' as const] }],
    };
    expect(familyOf(motherOnly, new Map([['m', m]]))).toEqual([]);
    expect(familyOf(u, new Map([['m', null]]))).toEqual([]);
  });

  it('matches a guardian by identity number, or by name when both do not have one', () => {
    const family = [{ relation: 'father' as const, name: 'Li Jianguo', idNumber: '340104198001011234' }];
    expect(isFamilyMember({ name: 'li-jianguo', address: 'x' }, family)).toBe(true);
    expect(isFamilyMember({ name: 'Someone', address: 'x', idNumber: '340104 19800101 1234' }, family)).toBe(
      true,
    );
    expect(isFamilyMember({ name: 'Li Jianguo', address: 'x', idNumber: '110101199001011111' }, family)).toBe(
      false,
    );
    expect(isFamilyMember({ name: '', address: 'x' }, [{ name: '' }])).toBe(false);
  });
});

describe('the clocks', () => {
  const policy = { 'rescued-not-placed': 15, 'identified-not-returned': 30 };
  const rescuedAt = '2026-11-20T02:00:00.000Z';
  const facts: CaseFacts = {
    ...emptyFacts(),
    region: '340104',
    rescue: { rescuedAt, region: '341500' },
    dnaIdentifications: [{ matchId: 'x', confirmedAt: '2026-11-25T00:00:00.000Z' }],
  };
  const placedAs = (type: 'foster-family' | 'return-to-family'): PlacementState =>
    ({ placementId: 'p', region: '341500', revisions: [{ type }] }) as unknown as PlacementState;

  it('run from the rescue until a placement, and from the identification until a return home', () => {
    expect(runningClocks({ facts }, policy).map((c) => [c.clock, c.since, c.dueAt.toISOString()])).toEqual([
      ['rescued-not-placed', rescuedAt, '2026-12-05T02:00:00.000Z'],
      ['identified-not-returned', '2026-11-25T00:00:00.000Z', '2026-12-25T00:00:00.000Z'],
    ]);
    expect(
      runningClocks({ facts, placement: placedAs('foster-family') }, policy).map((c) => c.clock),
    ).toEqual(['identified-not-returned']);
    expect(runningClocks({ facts, placement: placedAs('return-to-family') }, policy)).toEqual([]);
    expect(runningClocks({ facts: { ...facts, closed: { closedAt: 'x', reason: 'y' } } }, policy)).toEqual(
      [],
    );
    expect(firstClockAt({ facts }, policy)?.toISOString()).toBe('2026-12-05T02:00:00.000Z');
  });

  it('run out at their moment, not a millisecond before', () => {
    const at = new Date('2026-12-05T02:00:00.000Z');
    expect(clocksDue({ facts }, policy, new Date(at.getTime() - 1))).toEqual({ due: [], next: at });
    const due = clocksDue({ facts }, policy, at);
    expect(due.due.map((c) => c.clock)).toEqual(['rescued-not-placed']);
    expect(due.next?.toISOString()).toBe('2026-12-25T00:00:00.000Z');
    expect(clockClaimId('rescued-not-placed', 'c')).toBe('rescued-not-placed:c');
    expect(placementOverdueEvent('c', due.due[0]!, at)).toMatchObject({
      type: 'homeward.placement.overdue',
      id: 'c.rescued-not-placed.overdue',
      data: { caseId: 'c', clock: 'rescued-not-placed', since: rescuedAt, limitDays: 15, region: '341500' },
    });
  });
});
