import { serviceConfig } from '@homeward/service-kit';
import { Type } from '@sinclair/typebox';
import { DEFAULT_ESCALATION_POLICY_TEXT } from './domain/escalation-policy.ts';

export const RescueConfig = serviceConfig({
  PORT: Type.Integer({ default: 8082, minimum: 1, maximum: 65535 }),
  MONGO_DB: Type.String({ default: 'rescue_coordination' }),
  /** Rungs `<duration>:<km>` (s, m or h), the last `*:<km>`; measured from the time last seen. */
  ESCALATION_POLICY: Type.String({ default: DEFAULT_ESCALATION_POLICY_TEXT }),
  /** Real milliseconds between two looks at the schedule. */
  SCHEDULER_TICK_MS: Type.Integer({ default: 1000, minimum: 10 }),
  /** Due alerts handled per tick at most. */
  SCHEDULER_BATCH: Type.Integer({ default: 500, minimum: 1 }),
  /**
   * The police roster (officerId, name, agencyId, rank, region): who may lead a case. Required
   * in production; in development `infra/local/dev-roster.json`.
   */
  ROSTER_FILE: Type.Optional(Type.String({ minLength: 1 })),
  /** How long a writer holds a case (its lease) before another may take it. */
  ESCALATION_LEASE_MS: Type.Integer({ default: 30_000, minimum: 100 }),
  /** Hours a child-trafficking case may wait for its special team before `team-overdue` is raised (once). */
  TEAM_OVERDUE_HOURS: Type.Number({ default: 24, exclusiveMinimum: 0 }),
  /** The case kinds that are child-trafficking cases needing a special team (comma-separated). */
  TEAM_REQUIRED_KINDS: Type.String({ default: 'missing-child,unidentified-child,suspected-trafficking' }),
  /** Real milliseconds between two looks at the team clock (the injected clock decides what is due). */
  TEAM_CHECK_INTERVAL_MS: Type.Integer({ default: 60_000, minimum: 10 }),
});
