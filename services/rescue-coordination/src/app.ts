import { CaseKinds, Topics } from '@homeward/events';
import {
  AuditLog,
  auditRoutes,
  DueWorker,
  deploymentFile,
  RedisDueIndex,
  type RedisLocks,
  Roster,
  type ServiceParts,
  type ServiceRuntime,
  serviceConsumer,
  serviceHttpServer,
  servicePersistence,
} from '@homeward/service-kit';
import type { Static } from '@sinclair/typebox';
import { type AckFact, AlertService, type EscalationOutcome } from './alert-service.ts';
import { CaseService, type CaseServiceDeps } from './case-service.ts';
import type { RescueConfig } from './config.ts';
import type { CaseDoc, LeadRecord } from './domain/case.ts';
import { parseEscalationPolicy } from './domain/escalation-policy.ts';
import { parseKinds } from './domain/team-clock.ts';
import { Errors } from './errors.ts';
import { escalationWorker } from './escalation-worker.ts';
import { caseOpenedHandler, leadAddedHandler } from './handlers/case-events.ts';
import { matchConfirmedHandler } from './handlers/dna-events.ts';
import { acknowledgedHandler } from './handlers/notification-events.ts';
import { alertRoutes } from './routes/alerts.ts';
import { assistanceRoutes } from './routes/assistance.ts';
import { caseRoutes } from './routes/cases.ts';
import { overdueRoutes } from './routes/overdue.ts';
import { type TeamClaim, TeamClockService } from './team-clock-service.ts';

export const SERVICE_NAME = 'rescue-coordination';
export const SERVICE_VERSION = '0.1.0';

export interface RescueApp extends ServiceParts {
  service: CaseService;
  alerts: AlertService;
  teamClockService: TeamClockService;
  scheduler: DueWorker<EscalationOutcome>;
  schedule: RedisDueIndex;
  teamClock: DueWorker<number>;
  locks: RedisLocks;
}

/** Wires rescue coordination from a runtime: what `main.ts` starts and what tests build. */
export async function buildApp(rt: ServiceRuntime, config: Static<typeof RescueConfig>): Promise<RescueApp> {
  const policy = parseEscalationPolicy(config.ESCALATION_POLICY);
  const { leases: locks, persistence } = servicePersistence(rt, {
    service: 'rescue-coordination',
    leaseMs: config.ESCALATION_LEASE_MS,
    conflictCode: Errors.concurrentUpdate.code,
  });
  const audit = AuditLog.of(persistence, rt.clock);
  const schedule = new RedisDueIndex(rt.redis.redis, {
    prefix: rt.config.TOPIC_PREFIX,
    name: 'rescue-coordination:alert-schedule',
  });
  const teamIndex = new RedisDueIndex(rt.redis.redis, {
    prefix: rt.config.TOPIC_PREFIX,
    name: 'rescue-coordination:team-due',
  });
  const teamPolicy = {
    limitHours: config.TEAM_OVERDUE_HOURS,
    kinds: parseKinds(config.TEAM_REQUIRED_KINDS, CaseKinds),
  };
  const deps: CaseServiceDeps = {
    cases: persistence.aggregate<CaseDoc>('cases'),
    leads: persistence.facts<LeadRecord>('case_leads'),
    acks: persistence.facts<AckFact>('alert_acks'),
    schedule,
    clock: rt.clock,
    logger: rt.logger.child({ component: 'cases' }),
    policy,
    roster: Roster.fromFile(
      deploymentFile(config, 'ROSTER_FILE', config.ROSTER_FILE, 'infra/local/dev-roster.json'),
    ),
    teamIndex,
    teamClaims: persistence.facts<TeamClaim>('team_overdue_claims'),
    teamPolicy,
  };
  const service = new CaseService(deps);
  const alerts = new AlertService(deps);
  const teamClockService = new TeamClockService(deps);
  // The team clock: case → when it is overdue for its special team, rebuilt from the case
  // documents at start; a look with nothing due is one ZRANGEBYSCORE.
  const teamClock = new DueWorker<number>({
    name: 'special team clock',
    index: teamIndex,
    clock: rt.clock,
    logger: rt.logger.child({ component: 'team-clock' }),
    intervalMs: config.TEAM_CHECK_INTERVAL_MS,
    batchSize: config.SCHEDULER_BATCH,
    handle: (caseId) => teamClockService.raiseTeamOverdue(caseId),
    rebuild: () => teamClockService.rebuildTeamClock(),
  });
  const scheduler = escalationWorker({
    alerts,
    index: schedule,
    clock: rt.clock,
    logger: rt.logger.child({ component: 'escalation' }),
    intervalMs: config.SCHEDULER_TICK_MS,
    batchSize: config.SCHEDULER_BATCH,
  });

  // One group for the three topics: one membership to keep, each partition still in order.
  const groupId = 'rescue-coordination.events';
  const consumers = [
    serviceConsumer(rt, {
      groupId,
      topics: [Topics.caseEvents, Topics.dnaEvents, Topics.notificationEvents],
      handlers: {
        'homeward.case.opened': caseOpenedHandler(service, alerts),
        'homeward.case.lead-added': leadAddedHandler(service),
        'homeward.dna.match-confirmed': matchConfirmedHandler(service),
        'homeward.notification.acknowledged': acknowledgedHandler(alerts),
      },
    }),
  ];

  const http = await serviceHttpServer(rt, {
    name: SERVICE_NAME,
    version: SERVICE_VERSION,
    description:
      "The police's side of a case: its lifecycle (opened, searching, located, rescued, closed), the special team of one chief and three leads, and the rapid search alert that widens with time.",
    consumers: () => consumers,
    tags: [
      { name: 'cases', description: 'Cases, teams, located and rescued' },
      { name: 'alerts', description: 'Rapid search alerts' },
      { name: 'audit', description: 'Who read which personal data' },
    ],
  });
  await http.register(async (scope) => caseRoutes(scope, { service, alerts, audit }));
  await http.register(async (scope) => alertRoutes(scope, { alerts }));
  await http.register(async (scope) => assistanceRoutes(scope, { service }));
  await http.register(async (scope) => overdueRoutes(scope, { teamClockService }));
  await http.register(async (scope) => auditRoutes(scope, { audit }));
  return {
    http,
    consumers,
    workers: [scheduler, teamClock],
    service,
    alerts,
    teamClockService,
    scheduler,
    schedule,
    teamClock,
    locks,
  };
}
