import { Topics } from '@homeward/events';
import {
  AuditLog,
  auditRoutes,
  type DueWorker,
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
import { type AckFact, CaseService, type EscalationOutcome } from './case-service.ts';
import type { RescueConfig } from './config.ts';
import type { CaseDoc } from './domain/case.ts';
import { parseEscalationPolicy } from './domain/escalation-policy.ts';
import { Errors } from './errors.ts';
import { escalationWorker } from './escalation-worker.ts';
import { caseOpenedHandler, leadAddedHandler } from './handlers/case-events.ts';
import { matchConfirmedHandler } from './handlers/dna-events.ts';
import { acknowledgedHandler } from './handlers/notification-events.ts';
import { alertRoutes } from './routes/alerts.ts';
import { assistanceRoutes } from './routes/assistance.ts';
import { caseRoutes } from './routes/cases.ts';

export const SERVICE_NAME = 'rescue-coordination';
export const SERVICE_VERSION = '0.1.0';

export interface RescueApp extends ServiceParts {
  service: CaseService;
  scheduler: DueWorker<EscalationOutcome>;
  schedule: RedisDueIndex;
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
  const service = new CaseService({
    cases: persistence.aggregate<CaseDoc>('cases'),
    acks: persistence.facts<AckFact>('alert_acks'),
    schedule,
    clock: rt.clock,
    logger: rt.logger.child({ component: 'cases' }),
    policy,
    roster: Roster.fromFile(
      deploymentFile(config, 'ROSTER_FILE', config.ROSTER_FILE, 'infra/local/dev-roster.json'),
    ),
  });
  const scheduler = escalationWorker({
    service,
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
        'homeward.case.opened': caseOpenedHandler(service),
        'homeward.case.lead-added': leadAddedHandler(service),
        'homeward.dna.match-confirmed': matchConfirmedHandler(service),
        'homeward.notification.acknowledged': acknowledgedHandler(service),
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
  await http.register(async (scope) => caseRoutes(scope, { service, audit }));
  await http.register(async (scope) => alertRoutes(scope, { service }));
  await http.register(async (scope) => assistanceRoutes(scope, { service }));
  await http.register(async (scope) => auditRoutes(scope, { audit }));
  return { http, consumers, workers: [scheduler], service, scheduler, schedule, locks };
}
