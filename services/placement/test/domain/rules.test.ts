import { describe, expect, it } from 'vitest';
import { ageOnDate, fullYearsOn } from '../../src/domain/age.ts';
import { emptyFacts, onChildRescued, onDnaMatchConfirmed } from '../../src/domain/case-facts.ts';
import { addDays, isOverdueAt, overdueFrom, parseDate } from '../../src/domain/dates.ts';
import {
  DEFAULT_FOLLOWUP_POLICY,
  dueDateFor,
  missingOutcomeFields,
  planFollowups,
  requiredFollowups,
} from '../../src/domain/followup-policy.ts';
import { matchBuyer, normalise } from '../../src/domain/normalise.ts';
import { checkPlacement, partyErrors } from '../../src/domain/placement-rules.ts';
import { regionPrefix } from '../../src/domain/regions.ts';

describe('age on the decision date', () => {
  it('counts the birthday itself', () => {
    expect(fullYearsOn('2020-11-28', '2026-11-28')).toBe(6);
    expect(fullYearsOn('2020-11-29', '2026-11-28')).toBe(5);
    expect(fullYearsOn('2010-11-28', '2026-11-28')).toBe(16);
    expect(fullYearsOn('2010-11-29', '2026-11-28')).toBe(15);
  });
  it('lets a 29 February birthday fall on 1 March in a common year', () => {
    expect(fullYearsOn('2020-02-29', '2027-02-28')).toBe(6);
    expect(fullYearsOn('2020-02-29', '2027-03-01')).toBe(7);
    expect(fullYearsOn('2020-02-29', '2028-02-29')).toBe(8);
  });
  it('adds the years since an apparent age was judged', () => {
    expect(
      ageOnDate({ kind: 'apparent-age', apparentAge: 5, observedOn: '2025-11-28' }, '2026-11-27'),
    ).toMatchObject({ age: 5 });
    expect(
      ageOnDate({ kind: 'apparent-age', apparentAge: 5, observedOn: '2025-11-28' }, '2026-11-28'),
    ).toMatchObject({ age: 6 });
    expect(ageOnDate(undefined, '2026-11-28').ok).toBe(false);
    expect(ageOnDate({ kind: 'birth-date', birthDate: '2027-01-01' }, '2026-11-28').ok).toBe(false);
  });
});

describe('follow-up policy', () => {
  it('schedules by age and type', () => {
    expect(requiredFollowups(5, 'foster-family')).toEqual(['medical-psychological-rehabilitation']);
    expect(requiredFollowups(6, 'foster-family')).toEqual([
      'compulsory-education',
      'medical-psychological-rehabilitation',
    ]);
    expect(requiredFollowups(15, 'return-to-family')).toEqual([
      'compulsory-education',
      'medical-psychological-rehabilitation',
      'escorted-handover',
    ]);
    expect(requiredFollowups(16, 'kinship-care')).toEqual([
      'medical-psychological-rehabilitation',
      'vocational-training',
    ]);
    expect(requiredFollowups(16, 'return-to-family')).toEqual([
      'medical-psychological-rehabilitation',
      'escorted-handover',
    ]);
  });
  it('dates follow-ups from the decision date', () => {
    expect(dueDateFor('compulsory-education', '2026-12-15', DEFAULT_FOLLOWUP_POLICY)).toBe('2027-01-14');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
  });
  it('cancels what no longer applies, keeps what still does, and schedules the rest', () => {
    const existing = [
      { followupId: 'a', type: 'vocational-training' as const, status: 'scheduled' as const },
      {
        followupId: 'b',
        type: 'medical-psychological-rehabilitation' as const,
        status: 'scheduled' as const,
      },
      { followupId: 'c', type: 'escorted-handover' as const, status: 'cancelled' as const },
    ];
    const plan = planFollowups(existing, requiredFollowups(16, 'return-to-family'));
    expect(plan.cancel.map((f) => f.followupId)).toEqual(['a']);
    expect(plan.schedule).toEqual(['escorted-handover']);
  });
  it('asks each completion for what was done', () => {
    expect(missingOutcomeFields('compulsory-education', { note: 'x' })).toEqual([
      expect.objectContaining({ field: '/school' }),
    ]);
    expect(missingOutcomeFields('vocational-training', { course: ' ' })).toHaveLength(1);
    expect(missingOutcomeFields('escorted-handover', { note: 'escorted by two officers' })).toEqual([]);
  });
});

describe('buyer matching', () => {
  const buyers = [
    { headName: 'Zhang San', address: '合肥市蜀山区，长江西路12号', idNumber: '34010419800101123X' },
  ];
  it('normalises case, width, whitespace and punctuation', () => {
    expect(normalise('ＺＨＡＮＧ　San-')).toBe('zhangsan');
    expect(normalise(' 合肥市 蜀山区 长江西路 12 号 ')).toBe(normalise('合肥市蜀山区，长江西路12号'));
  });
  it('matches by identity number, or anyone at the household’s address', () => {
    expect(
      matchBuyer({ name: 'Other', address: 'elsewhere', idNumber: '340104 19800101 123x' }, buyers)?.by,
    ).toBe('id-number');
    expect(matchBuyer({ name: 'zhang san', address: '合肥市 蜀山区 长江西路 12 号' }, buyers)?.by).toBe(
      'name-and-address',
    );
    expect(matchBuyer({ name: 'zhang san', address: '合肥市包河区' }, buyers)).toBeUndefined();
    // Anyone at the buyer's address is of the household (DESIGN: its head, its members, anyone
    // at its address), whatever name they give.
    expect(matchBuyer({ name: 'li si', address: '合肥市蜀山区，长江西路12号' }, buyers)?.by).toBe('address');
    expect(matchBuyer({ name: '---', address: '...' }, [{ headName: '!!', address: '??' }])).toBeUndefined();
  });
});

describe('placement rules', () => {
  const rescuedFacts = onChildRescued(
    { ...emptyFacts(), birthDate: '2012-01-01' },
    { caseId: 'c', rescuedAt: '2026-11-20T10:00:00+08:00', place: 'p', region: '341500' },
  )!;
  const req = {
    type: 'foster-family' as const,
    decisionDate: '2026-11-28',
    guardian: { name: 'A', address: 'B' },
  };
  it('checks the rules in order', () => {
    expect(checkPlacement({ ...emptyFacts(), birthDate: '2012-01-01' }, req, 480)).toMatchObject({
      ok: false,
      violation: { code: 'PLACEMENT_ERR_CASE_NOT_RESCUED' },
    });
    expect(checkPlacement(rescuedFacts, { ...req, type: 'return-to-family' }, 480)).toMatchObject({
      violation: { code: 'PLACEMENT_ERR_IDENTIFICATION_REQUIRED' },
    });
    const identified = onDnaMatchConfirmed(rescuedFacts, {
      matchId: 'm',
      childSampleId: 's',
      parentSampleIds: ['p'],
      confirmedAt: '2026-11-21T00:00:00Z',
      confirmedBy: 'x',
    })!;
    expect(checkPlacement(identified, { ...req, type: 'return-to-family' }, 480)).toMatchObject({
      violation: { code: 'PLACEMENT_ERR_GUARDIAN_NOT_FAMILY' },
    });
    const family = [{ relation: 'mother' as const, name: 'a' }];
    expect(checkPlacement(identified, { ...req, type: 'return-to-family' }, 480, family)).toMatchObject({
      ok: true,
      age: 14,
    });
    // The buying household comes first: a parent living at the buyer's address is refused as such.
    const atBuyer = { ...identified, buyerHouseholds: [{ headName: 'Zhao', address: 'B' }] };
    expect(checkPlacement(atBuyer, { ...req, type: 'return-to-family' }, 480, family)).toMatchObject({
      violation: { code: 'PLACEMENT_ERR_GUARDIAN_IS_BUYER' },
    });
    expect(checkPlacement({ ...rescuedFacts, birthDate: undefined }, req, 480)).toMatchObject({
      violation: { code: 'PLACEMENT_ERR_AGE_UNKNOWN' },
    });
    expect(
      checkPlacement({ ...rescuedFacts, birthDate: undefined }, { ...req, birthDate: '2010-11-28' }, 480),
    ).toMatchObject({
      ok: true,
      age: 16,
      ageBasis: 'stated-birth-date',
    });
  });
  it('matches the placement type with a guardian or an institution', () => {
    expect(partyErrors({ type: 'independent-living', decisionDate: '2026-11-28' })).toEqual([]);
    expect(partyErrors({ ...req, type: 'civil-affairs-institution' }).map((e) => e.field)).toEqual([
      '/guardian',
      '/institution',
    ]);
  });
});

describe('dates', () => {
  it('makes a follow-up overdue from the first moment after its due date, at the offset', () => {
    expect(overdueFrom('2026-12-12', 480).toISOString()).toBe('2026-12-12T16:00:00.000Z');
    expect(isOverdueAt('2026-12-12', new Date('2026-12-12T15:59:59Z'), 480)).toBe(false);
    expect(isOverdueAt('2026-12-12', new Date('2026-12-12T16:00:00Z'), 480)).toBe(true);
    expect(parseDate('2026-02-30')).toBeUndefined();
  });
  it('reads region prefixes', () => {
    expect([regionPrefix('340000'), regionPrefix('340100'), regionPrefix('340104')]).toEqual([
      '34',
      '3401',
      '340104',
    ]);
  });
});
