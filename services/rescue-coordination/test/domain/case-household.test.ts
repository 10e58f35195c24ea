import { describe, expect, it } from 'vitest';
import type { CaseDoc } from '../../src/domain/case.ts';
import { buyerRecordOf, recordHousehold } from '../../src/domain/case-household.ts';
import { rescue } from '../../src/domain/case-recovery.ts';
import { at, H, openCase, police } from './fixtures.ts';

// The buying household of a rescued child (domain/case-household.ts).

const buyerHousehold = { headName: 'Zhang San', address: 'Shou county' };
const noBuyerHousehold = { reason: 'the child was with the traffickers' };
const currentGuardianCleared = { clearedBy: 'officer-7', reason: 'the guardian found the child abandoned' };
const rescued = (extra: Partial<Parameters<typeof rescue>[1]> = {}): CaseDoc =>
  rescue(openCase(), { place: 'farm', region: '341500', ...extra }, police, at(H)).doc;
const conflict = (field: string) =>
  expect.objectContaining({
    code: 'RESCUE_ERR_HOUSEHOLD_CONFLICT',
    errors: [{ field, message: 'conflicts' }],
  });

describe('what police recorded of the buying household', () => {
  it('nothing to say before the rescue', () => {
    expect(buyerRecordOf(openCase())).toBeUndefined();
  });

  it('missing after a rescue that recorded neither', () => {
    expect(buyerRecordOf(rescued())).toBe('missing');
  });

  it('recorded, or none stated, at the rescue or in a later record', () => {
    expect(buyerRecordOf(rescued({ buyerHousehold }))).toBe('recorded');
    expect(buyerRecordOf(rescued({ noBuyerHousehold }))).toBe('none-stated');
    const later = (record: object) => ({
      ...rescued(),
      householdRecords: [{ caseId: 'case-1', recordedAt: at(2 * H).toISOString(), by: police, ...record }],
    });
    expect(buyerRecordOf(later({ buyerHousehold }))).toBe('recorded');
    expect(buyerRecordOf(later({ noBuyerHousehold }))).toBe('none-stated');
    expect(buyerRecordOf(later({ currentGuardianCleared }))).toBe('missing');
  });
});

describe('recording the household after the rescue', () => {
  it('one write: household-recorded (the case version in its id), the record with its officer, a timeline line', () => {
    const doc = rescued();
    const d = recordHousehold(doc, { buyerHousehold }, police, at(2 * H));
    expect(d.result).toBe(true);
    expect(d.events).toHaveLength(1);
    expect(d.events[0]).toMatchObject({
      id: `case-1.household-recorded.v${doc.version + 1}`,
      type: 'homeward.case.household-recorded',
      subject: 'case-1',
      data: { caseId: 'case-1', recordedAt: at(2 * H).toISOString(), buyerHousehold },
    });
    expect(d.doc.version).toBe(doc.version + 1);
    expect(d.doc.householdRecords).toEqual([
      { caseId: 'case-1', recordedAt: at(2 * H).toISOString(), buyerHousehold, by: police },
    ]);
    expect(d.doc.timeline).toHaveLength(doc.timeline.length + 1);
    expect(d.doc.timeline.at(-1)).toEqual({
      at: at(2 * H),
      type: 'homeward.case.household-recorded',
      eventId: `case-1.household-recorded.v${doc.version + 1}`,
      by: { agencyId: 'hefei-psb', role: 'police' },
      details: { buyerHouseholdRecorded: true, noBuyerHouseholdStated: false, currentGuardianCleared: false },
    });
    expect(buyerRecordOf(d.doc)).toBe('recorded');
  });

  it('keeps earlier records; a statement of none and a clearance say so in the timeline', () => {
    const first = recordHousehold(rescued(), { currentGuardianCleared }, police, at(2 * H)).doc;
    expect(first.timeline.at(-1)?.details).toEqual({
      buyerHouseholdRecorded: false,
      noBuyerHouseholdStated: false,
      currentGuardianCleared: true,
    });
    const second = recordHousehold(first, { noBuyerHousehold }, police, at(3 * H)).doc;
    expect(second.householdRecords?.map((r) => Object.keys(r).sort())).toEqual([
      ['by', 'caseId', 'currentGuardianCleared', 'recordedAt'],
      ['by', 'caseId', 'noBuyerHousehold', 'recordedAt'],
    ]);
    expect(second.timeline.at(-1)?.details).toEqual({
      buyerHouseholdRecorded: false,
      noBuyerHouseholdStated: true,
      currentGuardianCleared: false,
    });
  });

  it('is refused before the rescue', () => {
    expect(() => recordHousehold(openCase(), { buyerHousehold }, police, at(H))).toThrow(
      expect.objectContaining({ code: 'RESCUE_ERR_INVALID_TRANSITION' }),
    );
  });

  it('a household and "none" exclude each other, in one request and across records', () => {
    expect(() => recordHousehold(rescued(), { buyerHousehold, noBuyerHousehold }, police, at(2 * H))).toThrow(
      conflict('/noBuyerHousehold'),
    );
    expect(() => recordHousehold(rescued(), { buyerHousehold, noBuyerHousehold }, police, at(2 * H))).toThrow(
      'the buying household and the statement that there is none exclude each other',
    );
    expect(() =>
      recordHousehold(rescued({ buyerHousehold }), { noBuyerHousehold }, police, at(2 * H)),
    ).toThrow(conflict('/noBuyerHousehold'));
    expect(() =>
      recordHousehold(rescued({ buyerHousehold }), { noBuyerHousehold }, police, at(2 * H)),
    ).toThrow('the case has a buying household recorded; the other cannot be recorded too');
    expect(() =>
      recordHousehold(rescued({ noBuyerHousehold }), { buyerHousehold }, police, at(2 * H)),
    ).toThrow(conflict('/buyerHousehold'));
    expect(() =>
      recordHousehold(rescued({ noBuyerHousehold }), { buyerHousehold }, police, at(2 * H)),
    ).toThrow('the case has a statement that there is no buying household; the other cannot be recorded too');
  });

  it('the same claim again, or a clearance beside either, is no conflict', () => {
    expect(recordHousehold(rescued({ buyerHousehold }), { buyerHousehold }, police, at(2 * H)).result).toBe(
      true,
    );
    expect(
      recordHousehold(rescued({ noBuyerHousehold }), { noBuyerHousehold }, police, at(2 * H)).result,
    ).toBe(true);
    expect(
      recordHousehold(rescued({ buyerHousehold }), { currentGuardianCleared }, police, at(2 * H)).result,
    ).toBe(true);
    expect(
      recordHousehold(rescued({ noBuyerHousehold }), { currentGuardianCleared }, police, at(2 * H)).result,
    ).toBe(true);
  });
});
