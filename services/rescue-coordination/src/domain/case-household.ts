import type { Actor, EventData } from '@homeward/events';
import { Errors } from '../errors.ts';
import { actorOf, byOf, type CaseDoc, nextVersion, timelineEntry } from './case.ts';
import { caseEvent, type Decision, step } from './case-plan.ts';

// The buying household of a rescued child: recorded, stated absent, or the current guardian cleared.

export type HouseholdInput = Omit<EventData<'homeward.case.household-recorded'>, 'caseId' | 'recordedAt'>;

/** Whether police recorded the buying household of a rescued child, or stated there is none. */
export function buyerRecordOf(doc: CaseDoc): 'recorded' | 'none-stated' | 'missing' | undefined {
  if (!doc.rescued) return undefined;
  const records = [doc.rescued, ...(doc.householdRecords ?? [])];
  if (records.some((r) => r.buyerHousehold)) return 'recorded';
  if (records.some((r) => r.noBuyerHousehold)) return 'none-stated';
  return 'missing';
}

/**
 * After the rescue, police record the buying household, state that there is none, or clear
 * the current guardian an unidentified-child report named (placement then lets them be a
 * guardian). A household and "none" exclude each other, in one request and across records.
 */
export function recordHousehold(doc: CaseDoc, input: HouseholdInput, by: Actor, now: Date): Decision<true> {
  step(doc, 'record-household');
  const recorded = buyerRecordOf(doc);
  if (
    (input.buyerHousehold && input.noBuyerHousehold) ||
    (input.noBuyerHousehold && recorded === 'recorded') ||
    (input.buyerHousehold && recorded === 'none-stated')
  )
    throw Errors.householdConflict.error(
      recorded === 'missing'
        ? 'the buying household and the statement that there is none exclude each other'
        : `the case has ${recorded === 'recorded' ? 'a buying household recorded' : 'a statement that there is no buying household'}; the other cannot be recorded too`,
      {
        errors: [
          { field: input.noBuyerHousehold ? '/noBuyerHousehold' : '/buyerHousehold', message: 'conflicts' },
        ],
      },
    );
  const data: EventData<'homeward.case.household-recorded'> = {
    ...input,
    caseId: doc._id,
    recordedAt: now.toISOString(),
  };
  const event = caseEvent('homeward.case.household-recorded', data, doc, now);
  const details = {
    buyerHouseholdRecorded: data.buyerHousehold !== undefined,
    noBuyerHouseholdStated: data.noBuyerHousehold !== undefined,
    currentGuardianCleared: data.currentGuardianCleared !== undefined,
  };
  return {
    doc: nextVersion(doc, now, {
      householdRecords: [...(doc.householdRecords ?? []), { ...data, by: actorOf(by) }],
      timeline: [...doc.timeline, timelineEntry(event, now, details, byOf(by))],
    }),
    events: [event],
    result: true,
  };
}
