import { serviceConfig } from '@homeward/service-kit';
import { type Static, Type } from '@sinclair/typebox';
import { type ClockPolicy, DEFAULT_CLOCK_POLICY } from './domain/clocks.ts';
import { DEFAULT_FOLLOWUP_POLICY, type FollowupPolicy } from './domain/followup-policy.ts';

const days = (def: number, what: string) =>
  Type.Integer({
    default: def,
    minimum: 0,
    maximum: 3650,
    description: `days from the decision date to ${what}`,
  });

export const PlacementConfig = serviceConfig({
  PORT: Type.Integer({ default: 8083, minimum: 1, maximum: 65535 }),
  MONGO_DB: Type.String({ default: 'placement' }),
  FOLLOWUP_DAYS_ESCORTED_HANDOVER: days(
    DEFAULT_FOLLOWUP_POLICY['escorted-handover'],
    'the escorted handover',
  ),
  FOLLOWUP_DAYS_MEDICAL_REHABILITATION: days(
    DEFAULT_FOLLOWUP_POLICY['medical-psychological-rehabilitation'],
    'medical and psychological rehabilitation',
  ),
  FOLLOWUP_DAYS_COMPULSORY_EDUCATION: days(
    DEFAULT_FOLLOWUP_POLICY['compulsory-education'],
    'compulsory-education enrolment',
  ),
  FOLLOWUP_DAYS_VOCATIONAL_TRAINING: days(
    DEFAULT_FOLLOWUP_POLICY['vocational-training'],
    'vocational training',
  ),
  FOLLOWUP_DAYS_RELIEF: days(
    DEFAULT_FOLLOWUP_POLICY.relief,
    'relief (an adult going home or to a relief station)',
  ),
  FOLLOWUP_DAYS_LEGAL_AID: days(DEFAULT_FOLLOWUP_POLICY['legal-aid'], "the women's federation's legal aid"),
  FOLLOWUP_DAYS_EMPLOYMENT_SERVICES: days(
    DEFAULT_FOLLOWUP_POLICY['employment-services'],
    'employment services (job guidance and referral)',
  ),
  FOLLOWUP_DAYS_DISABILITY_ASSISTANCE: days(
    DEFAULT_FOLLOWUP_POLICY['disability-assistance'],
    "the disabled persons' federation's assistance",
  ),
  /** The UTC offset at which dates are days (China Standard Time, no daylight saving). */
  UTC_OFFSET_MINUTES: Type.Integer({ default: 480, minimum: -720, maximum: 840 }),
  OVERDUE_CHECK_INTERVAL_MS: Type.Integer({ default: 60_000, minimum: 100 }),
  OVERDUE_CHECK_BATCH: Type.Integer({ default: 500, minimum: 1, maximum: 10_000 }),
  /** Days a rescued child may wait for its placement before `placement.overdue` is raised (once). */
  RESCUED_NOT_PLACED_DAYS: Type.Number({
    default: DEFAULT_CLOCK_POLICY['rescued-not-placed'],
    exclusiveMinimum: 0,
  }),
  /** Days an identified child may wait for its return to the family before `placement.overdue` is raised (once). */
  IDENTIFIED_NOT_RETURNED_DAYS: Type.Number({
    default: DEFAULT_CLOCK_POLICY['identified-not-returned'],
    exclusiveMinimum: 0,
  }),
});

/** The clocks' policy the configuration sets. */
export function clockPolicy(config: Static<typeof PlacementConfig>): ClockPolicy {
  return {
    'rescued-not-placed': config.RESCUED_NOT_PLACED_DAYS,
    'identified-not-returned': config.IDENTIFIED_NOT_RETURNED_DAYS,
  };
}

/** The follow-up policy the configuration sets. */
export function followupPolicy(config: Static<typeof PlacementConfig>): FollowupPolicy {
  return {
    'escorted-handover': config.FOLLOWUP_DAYS_ESCORTED_HANDOVER,
    'medical-psychological-rehabilitation': config.FOLLOWUP_DAYS_MEDICAL_REHABILITATION,
    'compulsory-education': config.FOLLOWUP_DAYS_COMPULSORY_EDUCATION,
    'vocational-training': config.FOLLOWUP_DAYS_VOCATIONAL_TRAINING,
    relief: config.FOLLOWUP_DAYS_RELIEF,
    'legal-aid': config.FOLLOWUP_DAYS_LEGAL_AID,
    'employment-services': config.FOLLOWUP_DAYS_EMPLOYMENT_SERVICES,
    'disability-assistance': config.FOLLOWUP_DAYS_DISABILITY_ASSISTANCE,
  };
}
