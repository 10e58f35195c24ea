import { Topics } from '@homeward/events';
import { ConsumerRunner } from '@homeward/messaging';
import { MongoPersistence } from '@homeward/persistence';
import {
  buildHttpServer,
  type DueWorker,
  RedisDueIndex,
  RedisLocks,
  readinessChecks,
  type ServiceParts,
  type ServiceRuntime,
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
import { type AuditRecord, caseRoutes } from './routes/cases.ts';

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
  const locks = new RedisLocks(rt.redis.redis, {
    keyPrefix: `${rt.config.TOPIC_PREFIX}rescue-coordination`,
    leaseMs: config.ESCALATION_LEASE_MS,
    conflictCode: Errors.concurrentUpdate.code,
  });
  const persistence = new MongoPersistence({ db: rt.mongo.db, leases: locks, relay: rt.relay });
  const audit = persistence.facts<AuditRecord>('case_read_audit');
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
    new ConsumerRunner({
      kafka: rt.kafka,
      groupId,
      topics: [Topics.caseEvents, Topics.dnaEvents, Topics.notificationEvents],
      topicResolver: rt.topics,
      handlers: {
        'homeward.case.opened': caseOpenedHandler(service),
        'homeward.case.lead-added': leadAddedHandler(service),
        'homeward.dna.match-confirmed': matchConfirmedHandler(service),
        'homeward.notification.acknowledged': acknowledgedHandler(service),
      },
      publisher: rt.publisher,
      idempotency: rt.idempotency,
      logger: rt.logger.child({ consumer: groupId }),
      registry: rt.registry,
      now: () => rt.clock.now(),
    }),
  ];

  const http = await buildHttpServer({
    name: SERVICE_NAME,
    version: SERVICE_VERSION,
    description:
      "The police's side of a case: its lifecycle (opened, searching, located, rescued, closed), the special team of one chief and three leads, and the rapid search alert that widens with time.",
    logger: rt.logger,
    registry: rt.registry,
    bodyLimit: rt.config.BODY_LIMIT_BYTES,
    readiness: readinessChecks(rt, () => consumers),
    isAccepting: () => rt.lifecycle.accepting,
    tags: [
      { name: 'cases', description: 'Cases, teams, located and rescued' },
      { name: 'alerts', description: 'Rapid search alerts' },
    ],
  });
  await http.register(async (scope) =>
    caseRoutes(scope, {
      service,
      audit,
      credentials: rt.credentials,
      logger: rt.logger.child({ component: 'audit' }),
      clock: rt.clock,
    }),
  );
  await http.register(async (scope) => alertRoutes(scope, { service, credentials: rt.credentials }));
  return { http, consumers, workers: [scheduler], service, scheduler, schedule, locks };
}
