import { type TLiteral, type TUnion, Type } from '@sinclair/typebox';

/**
 * The contract's closed vocabularies, each declared once `as const`: services import the list
 * (for loops, lookups and their own schemas) and the type, and the catalogue builds its
 * schemas from the same list, so a value cannot be added in one place and missed in another.
 */

/** A TypeBox union of string literals from an `as const` list. */
export function literalUnion<const V extends readonly [string, ...string[]]>(
  values: V,
  options: { description?: string } = {},
): TUnion<TLiteral<V[number]>[]> {
  return Type.Union(
    values.map((v) => Type.Literal(v)),
    options,
  ) as unknown as TUnion<TLiteral<V[number]>[]>;
}

/** Kinds of case rescue coordination keeps (a sighting is a lead on a case, not a case). */
export const CaseKinds = ['missing-child', 'unidentified-child', 'suspected-trafficking'] as const;
export type CaseKind = (typeof CaseKinds)[number];

/** Why an alert ended; every notified unit is told. */
export const CancelReasons = ['found', 'found-deceased', 'hoax', 'unfounded', 'withdrawn'] as const;
export type CancelReason = (typeof CancelReasons)[number];

/** Where civil affairs place a rescued child. */
export const PlacementTypes = [
  'return-to-family',
  'civil-affairs-institution',
  'foster-family',
  'kinship-care',
  'independent-living',
] as const;
export type PlacementType = (typeof PlacementTypes)[number];

/** What is followed up after a placement. */
export const FollowupTypes = [
  'compulsory-education',
  'medical-psychological-rehabilitation',
  'vocational-training',
  'escorted-handover',
] as const;
export type FollowupType = (typeof FollowupTypes)[number];

/**
 * What a completed follow-up's event says was done: a code per follow-up type, never the
 * school's, hospital's or course's name (those stay in placement, read through its API).
 */
export const FollowupOutcomeCodes = {
  'compulsory-education': 'school-enrolled',
  'medical-psychological-rehabilitation': 'care-given',
  'vocational-training': 'training-enrolled',
  'escorted-handover': 'handed-over',
} as const satisfies Record<FollowupType, string>;
export type FollowupOutcomeCode = (typeof FollowupOutcomeCodes)[FollowupType];

/**
 * The kinds of personal data the platform guards. The catalogue says which event types may
 * carry which (`personalData` of each entry): anything else on the bus is a defect, and the
 * PII canary test looks for it.
 */
export const PersonalDataKinds = [
  'child-name',
  'reporter-contact',
  'guardian-contact',
  'buyer-identity',
  'guardian-identity',
  'genotype',
] as const;
export type PersonalDataKind = (typeof PersonalDataKinds)[number];

/**
 * A DNA sample's custody steps in their only order; `destroyed` may end the chain after any
 * step (see dna-tracking's custody rules).
 */
export const CustodySteps = [
  'collected',
  'sealed',
  'shipped',
  'received',
  'profiled',
  'stored',
  'destroyed',
] as const;
export type CustodyStep = (typeof CustodySteps)[number];

/** How police established who a located or rescued child is, other than by DNA. */
export const IdentificationMethods = ['documents', 'family-recognition', 'other'] as const;
export type IdentificationMethod = (typeof IdentificationMethods)[number];

/** Whose DNA sample a case owes: each parent of a missing child, and the child of unknown origin. */
export const SamplingSubjects = ['mother', 'father', 'child'] as const;
export type SamplingSubject = (typeof SamplingSubjects)[number];

/** Placement's clocks on "as soon as possible": rescued but not placed, identified but not home. */
export const PlacementClocks = ['rescued-not-placed', 'identified-not-returned'] as const;
export type PlacementClock = (typeof PlacementClocks)[number];

/**
 * What an accepted assistance may grant the police of another region on one case (the
 * requester names them): read it, and the police actions of rescue coordination.
 */
export const AssistanceActions = [
  'read',
  'assign-team',
  'issue-alert',
  'locate',
  'rescue',
  'close',
  'cancel-alert',
  'move-centre',
] as const;
export type AssistanceAction = (typeof AssistanceActions)[number];

/** Where a department's annual submission stands with its coordination office. */
export const SubmissionStatuses = ['submitted', 'returned', 'accepted'] as const;
export type SubmissionStatus = (typeof SubmissionStatuses)[number];

/**
 * The reminders of an annual submission, in their order: the window opens (1 January), the
 * deadline nears, the deadline passed without a submission.
 */
export const ReminderStages = ['opening', 'due-soon', 'overdue'] as const;
export type ReminderStage = (typeof ReminderStages)[number];
