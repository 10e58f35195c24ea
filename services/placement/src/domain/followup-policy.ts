import {
  type FieldError,
  type FollowupOutcomeCode,
  FollowupOutcomeCodes,
  FollowupOwners,
  type FollowupType,
  type PlacementType,
  type Role,
  type Sex,
  type VictimCategory,
  type VictimPlan,
} from '@homeward/events';
import { addDays } from './dates.ts';

export type { FollowupType, PlacementType, VictimPlan } from '@homeward/events';

/** Compulsory education (nine years) covers ages 6 to 15 inclusive on the decision date. */
export const COMPULSORY_EDUCATION_AGES = { from: 6, to: 15 } as const;
/** Victims of this age and over who do not return home get vocational training and job placement. */
export const VOCATIONAL_TRAINING_FROM_AGE = 16;
/** The age of majority: below it, independent living is refused. */
export const ADULT_AGE = 18;

/** Days from the decision date to each follow-up's due date. */
export type FollowupPolicy = Record<FollowupType, number>;

export const DEFAULT_FOLLOWUP_POLICY: FollowupPolicy = {
  'escorted-handover': 7,
  'medical-psychological-rehabilitation': 14,
  'compulsory-education': 30,
  'vocational-training': 60,
  relief: 3,
  'legal-aid': 30,
  'employment-services': 60,
  'disability-assistance': 30,
};

/** Who a follow-up is for, beyond the age and the placement type. */
export interface FollowupSubject {
  category: VictimCategory;
  sex: Sex;
  plan?: VictimPlan;
  /** The victim has a disability. */
  disabled: boolean;
}

/**
 * The follow-ups a placement calls for, by the victim's age on the decision date, the type, and
 * (for victims) the plan and who the victim is:
 * - compulsory education for ages 6 to 15; medical and psychological care for every victim;
 * - vocational training for 16 and over who do not return home; the escorted handover home;
 * - relief (救助: shelter, food, the fare home) for an adult going home or to a relief station,
 *   whom no institution or family takes in as it does a child;
 * - legal aid and rights protection by the women's federation for women and children (the
 *   federation's remit is trafficked women and children, not adult men);
 * - employment services (job guidance and referral) when the plan is employment, local or elsewhere;
 * - the disabled persons' federation's assistance for a victim with a disability.
 * Without a subject (a decision placement cannot tie to a victim) only the first four apply.
 */
export function requiredFollowups(
  age: number,
  type: PlacementType,
  subject?: FollowupSubject,
): FollowupType[] {
  const out: FollowupType[] = [];
  if (age >= COMPULSORY_EDUCATION_AGES.from && age <= COMPULSORY_EDUCATION_AGES.to)
    out.push('compulsory-education');
  out.push('medical-psychological-rehabilitation');
  if (age >= VOCATIONAL_TRAINING_FROM_AGE && type !== 'return-to-family') out.push('vocational-training');
  if (type === 'return-to-family') out.push('escorted-handover');
  if (!subject) return out;
  const adult = age >= ADULT_AGE;
  if (adult && (type === 'return-to-family' || type === 'civil-affairs-institution')) out.push('relief');
  if (!adult || subject.sex === 'female') out.push('legal-aid');
  if (subject.plan === 'local-employment' || subject.plan === 'employment-elsewhere')
    out.push('employment-services');
  if (subject.disabled) out.push('disability-assistance');
  return out;
}

/** The role that answers for a follow-up and alone may complete it (the contract's table). */
export function ownerOf(type: FollowupType): Role {
  return FollowupOwners[type];
}

export function dueDateFor(type: FollowupType, decisionDate: string, policy: FollowupPolicy): string {
  return addDays(decisionDate, policy[type]);
}

export type FollowupStatus = 'scheduled' | 'completed' | 'cancelled';

/** What was done, as the civil-affairs officer records it. */
export interface FollowupOutcome {
  school?: string;
  hospital?: string;
  course?: string;
  /** Employment services: the employer (or job) the victim was referred to and took up. */
  employer?: string;
  note?: string;
}

/** The smallest view of a follow-up the revision plan needs. */
export interface FollowupLike {
  followupId: string;
  type: FollowupType;
  status: FollowupStatus;
}

export interface FollowupPlan<F extends FollowupLike> {
  /** Open follow-ups that no longer apply. */
  cancel: F[];
  /** Types that apply and have no scheduled or completed follow-up yet. */
  schedule: FollowupType[];
}

/**
 * On a decision or a revision: each open (scheduled) follow-up whose type the new decision no
 * longer calls for is cancelled; an applicable type that already has a scheduled follow-up keeps
 * it unchanged (same id, same due date: a revision does not restart the clock) and one already
 * completed is not scheduled again; every other applicable type is scheduled anew, due from the
 * new decision date. Cancelled ones stay cancelled.
 */
export function planFollowups<F extends FollowupLike>(
  existing: readonly F[],
  required: readonly FollowupType[],
): FollowupPlan<F> {
  const cancel = existing.filter((f) => f.status === 'scheduled' && !required.includes(f.type));
  const schedule = required.filter(
    (t) => !existing.some((f) => f.type === t && (f.status === 'scheduled' || f.status === 'completed')),
  );
  return { cancel, schedule };
}

/**
 * What a completion must say, by type: the school for compulsory education, the (designated)
 * hospital for rehabilitation, the course for vocational training, the employer for employment
 * services, a note for an escorted handover (who escorted the victim, to whom), relief (what was
 * given), legal aid (what was done) and disability assistance (what was arranged).
 */
export function missingOutcomeFields(type: FollowupType, outcome: FollowupOutcome): FieldError[] {
  const need: Record<FollowupType, keyof FollowupOutcome> = {
    'compulsory-education': 'school',
    'medical-psychological-rehabilitation': 'hospital',
    'vocational-training': 'course',
    'escorted-handover': 'note',
    relief: 'note',
    'legal-aid': 'note',
    'employment-services': 'employer',
    'disability-assistance': 'note',
  };
  const field = need[type];
  return outcome[field]?.trim()
    ? []
    : [{ field: `/${field}`, message: `a ${type} follow-up is completed with its ${field}` }];
}

/**
 * The outcome as the event says it: the code of the follow-up's type, never the school,
 * hospital or course (those stay on the follow-up, read through placement's API).
 */
export function outcomeCode(type: FollowupType): FollowupOutcomeCode {
  return FollowupOutcomeCodes[type];
}
