import {
  type FieldError,
  type FollowupOutcomeCode,
  FollowupOutcomeCodes,
  type FollowupType,
  type PlacementType,
} from '@homeward/events';
import { addDays } from './dates.ts';

export type { FollowupType, PlacementType } from '@homeward/events';

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
};

/** The follow-ups a placement calls for, by the child's age on the decision date and the type. */
export function requiredFollowups(age: number, type: PlacementType): FollowupType[] {
  const out: FollowupType[] = [];
  if (age >= COMPULSORY_EDUCATION_AGES.from && age <= COMPULSORY_EDUCATION_AGES.to)
    out.push('compulsory-education');
  out.push('medical-psychological-rehabilitation');
  if (age >= VOCATIONAL_TRAINING_FROM_AGE && type !== 'return-to-family') out.push('vocational-training');
  if (type === 'return-to-family') out.push('escorted-handover');
  return out;
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
 * hospital for rehabilitation, the course for vocational training, a note for an escorted
 * handover (who escorted the child, to whom).
 */
export function missingOutcomeFields(type: FollowupType, outcome: FollowupOutcome): FieldError[] {
  const need: Record<FollowupType, keyof FollowupOutcome> = {
    'compulsory-education': 'school',
    'medical-psychological-rehabilitation': 'hospital',
    'vocational-training': 'course',
    'escorted-handover': 'note',
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
