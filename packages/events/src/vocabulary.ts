import { type TLiteral, type TUnion, Type } from '@sinclair/typebox';
import type { Role } from './common.ts';

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
export const CaseKinds = [
  'missing-child',
  'unidentified-child',
  'suspected-trafficking',
  'missing-woman',
] as const;
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
  'relief',
  'legal-aid',
  'employment-services',
  'disability-assistance',
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
  relief: 'relief-given',
  'legal-aid': 'legal-aid-given',
  'employment-services': 'employment-services-given',
  'disability-assistance': 'assistance-given',
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

/** A victim on a case: a child (under 18 when registered) or an adult. */
export const VictimCategories = ['child', 'adult'] as const;
export type VictimCategory = (typeof VictimCategories)[number];

/** The age groups the annual report and the board count victims by. */
export const AgeGroups = ['under-14', '14-17', '18-and-over'] as const;
export type AgeGroup = (typeof AgeGroups)[number];

/** The age group of an age in whole years. */
export function ageGroupOf(age: number): AgeGroup {
  if (age < 14) return 'under-14';
  if (age < 18) return '14-17';
  return '18-and-over';
}

/**
 * What a rescued victim will live from, beside the placement type (who answers for the victim):
 * going home (with escort and relief), relief and temporary shelter at a relief station (救助站),
 * local employment, or employment elsewhere with job guidance and referral.
 */
export const VictimPlans = [
  'return-home',
  'relief-shelter',
  'local-employment',
  'employment-elsewhere',
] as const;
export type VictimPlan = (typeof VictimPlans)[number];

/**
 * The role that answers for, and alone completes, each kind of follow-up: schools for
 * compulsory education, designated hospitals (health) for medical and psychological care,
 * human resources and social security for vocational training and employment services, civil
 * affairs for relief and the escort home, the women's federation for legal aid and rights, the
 * disabled persons' federation for the placement and assistance of victims with disabilities.
 */
export const FollowupOwners = {
  'compulsory-education': 'education',
  'medical-psychological-rehabilitation': 'health',
  'vocational-training': 'human-resources-social-security',
  'escorted-handover': 'civil-affairs',
  relief: 'civil-affairs',
  'legal-aid': 'womens-federation',
  'employment-services': 'human-resources-social-security',
  'disability-assistance': 'disabled-persons-federation',
} as const satisfies Record<FollowupType, Role>;

/**
 * A victim's id: victim n (from 1) of a case. The single child of a missing-child or
 * unidentified-child case is victim 1, so events from before victims existed name it too.
 */
export function victimIdFor(caseId: string, ordinal: number): string {
  return `${caseId}.v${ordinal}`;
}

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
