import { describe, expect, it } from 'vitest';
import {
  DEFAULT_FOLLOWUP_POLICY,
  dueDateFor,
  type FollowupLike,
  missingOutcomeFields,
  outcomeCode,
  planFollowups,
  requiredFollowups,
} from '../../src/domain/followup-policy.ts';

describe('follow-ups by age and type', () => {
  it('schedules compulsory education from 6 to 15 inclusive, medical care always', () => {
    expect(requiredFollowups(0, 'foster-family')).toEqual(['medical-psychological-rehabilitation']);
    expect(requiredFollowups(5, 'civil-affairs-institution')).toEqual([
      'medical-psychological-rehabilitation',
    ]);
    for (const age of [6, 10, 15])
      expect(requiredFollowups(age, 'civil-affairs-institution')).toEqual([
        'compulsory-education',
        'medical-psychological-rehabilitation',
      ]);
  });

  it('schedules vocational training from 16 for whoever does not go home, the escorted handover for who does', () => {
    expect(requiredFollowups(16, 'foster-family')).toEqual([
      'medical-psychological-rehabilitation',
      'vocational-training',
    ]);
    expect(requiredFollowups(30, 'independent-living')).toEqual([
      'medical-psychological-rehabilitation',
      'vocational-training',
    ]);
    expect(requiredFollowups(16, 'return-to-family')).toEqual([
      'medical-psychological-rehabilitation',
      'escorted-handover',
    ]);
    expect(requiredFollowups(3, 'return-to-family')).toEqual([
      'medical-psychological-rehabilitation',
      'escorted-handover',
    ]);
  });

  it('dates each type from the decision date by the policy', () => {
    expect(dueDateFor('escorted-handover', '2026-11-28', DEFAULT_FOLLOWUP_POLICY)).toBe('2026-12-05');
    expect(dueDateFor('medical-psychological-rehabilitation', '2026-11-28', DEFAULT_FOLLOWUP_POLICY)).toBe(
      '2026-12-12',
    );
    expect(dueDateFor('compulsory-education', '2026-11-28', DEFAULT_FOLLOWUP_POLICY)).toBe('2026-12-28');
    expect(dueDateFor('vocational-training', '2026-11-28', DEFAULT_FOLLOWUP_POLICY)).toBe('2027-01-27');
    expect(
      dueDateFor('vocational-training', '2026-11-28', {
        ...DEFAULT_FOLLOWUP_POLICY,
        'vocational-training': 0,
      }),
    ).toBe('2026-11-28');
  });
});

describe('follow-ups on a revision', () => {
  const f = (
    followupId: string,
    type: FollowupLike['type'],
    status: FollowupLike['status'],
  ): FollowupLike => ({
    followupId,
    type,
    status,
  });

  it('keeps what still applies, does not repeat what was done, and cancels only open ones', () => {
    const existing = [
      f('edu', 'compulsory-education', 'scheduled'),
      f('med', 'medical-psychological-rehabilitation', 'completed'),
      f('voc', 'vocational-training', 'cancelled'),
      f('esc', 'escorted-handover', 'scheduled'),
    ];
    const plan = planFollowups(existing, [
      'compulsory-education',
      'medical-psychological-rehabilitation',
      'vocational-training',
    ]);
    expect(plan.cancel.map((x) => x.followupId)).toEqual(['esc']);
    // Cancelled vocational training is scheduled anew; completed medical care is not.
    expect(plan.schedule).toEqual(['vocational-training']);
  });

  it('schedules everything the first time and cancels nothing that is done', () => {
    expect(planFollowups([], ['medical-psychological-rehabilitation', 'escorted-handover'])).toEqual({
      cancel: [],
      schedule: ['medical-psychological-rehabilitation', 'escorted-handover'],
    });
    expect(planFollowups([f('med', 'medical-psychological-rehabilitation', 'completed')], [])).toEqual({
      cancel: [],
      schedule: [],
    });
  });
});

describe('completion outcomes', () => {
  it('asks each type for its own field, ignoring blanks', () => {
    expect(missingOutcomeFields('compulsory-education', { school: 'No. 1 Middle School' })).toEqual([]);
    expect(missingOutcomeFields('compulsory-education', { hospital: 'h' })).toEqual([
      { field: '/school', message: 'a compulsory-education follow-up is completed with its school' },
    ]);
    expect(
      missingOutcomeFields('medical-psychological-rehabilitation', { hospital: 'Anhui Provincial' }),
    ).toEqual([]);
    expect(missingOutcomeFields('medical-psychological-rehabilitation', { hospital: '  ' })).toEqual([
      {
        field: '/hospital',
        message: 'a medical-psychological-rehabilitation follow-up is completed with its hospital',
      },
    ]);
    expect(missingOutcomeFields('vocational-training', { course: 'cookery' })).toEqual([]);
    expect(missingOutcomeFields('vocational-training', {})).toEqual([
      { field: '/course', message: 'a vocational-training follow-up is completed with its course' },
    ]);
    expect(missingOutcomeFields('escorted-handover', { school: 's' })).toEqual([
      { field: '/note', message: 'a escorted-handover follow-up is completed with its note' },
    ]);
  });

  it('says the outcome on the event as a code of the type, never a school or hospital name', () => {
    expect(outcomeCode('compulsory-education')).toBe('school-enrolled');
    expect(outcomeCode('medical-psychological-rehabilitation')).toBe('care-given');
    expect(outcomeCode('vocational-training')).toBe('training-enrolled');
    expect(outcomeCode('escorted-handover')).toBe('handed-over');
  });
});
