import { Topics } from '@homeward/events';
import { ConsumerRunner } from '@homeward/messaging';
import {
  buildHttpServer,
  RedisLocks,
  readinessChecks,
  type ServiceParts,
  type ServiceRuntime,
} from '@homeward/service-kit';
import type { Static } from '@sinclair/typebox';
import type { RescueConfig } from './config.ts';
import { Coordinator } from './coordinator.ts';
import { parseEscalationPolicy } from './domain/escalation-policy.ts';
import { EscalationScheduler } from './escalation-scheduler.ts';
import { caseOpenedHandler, leadAddedHandler } from './handlers/case-events.ts';
import { matchConfirmedHandler } from './handlers/dna-events.ts';
import { acknowledgedHandler } from './handlers/notification-events.ts';
import { alertRoutes } from './routes/alerts.ts';
import { caseRoutes } from './routes/cases.ts';
import { AlertSchedule } from './store/alert-schedule.ts';
import { AlertStore } from './store/alert-store.ts';
import { CaseStore } from './store/case-store.ts';

export const SERVICE_NAME = 'rescue-coordination';
export const SERVICE_VERSION = '0.1.0';

export interface RescueApp extends ServiceParts {
  coordinator: Coordinator;
  scheduler: EscalationScheduler;
  schedule: AlertSchedule;
  locks: RedisLocks;
  cases: CaseStore;
  alerts: AlertStore;
}

/** Wires rescue coordination from a runtime: what `main.ts` starts and what tests build. */
export async function buildApp(rt: ServiceRuntime, config: Static<typeof RescueConfig>): Promise<RescueApp> {
  const policy = parseEscalationPolicy(config.ESCALATION_POLICY);
  const cases = new CaseStore(rt.mongo.db);
  const alerts = new AlertStore(rt.mongo.db);
  rt.relay.watch(cases.cases).watch(alerts.alerts);
  const schedule = new AlertSchedule(rt.redis.redis, rt.config.TOPIC_PREFIX);
  const locks = new RedisLocks(rt.redis.redis, {
    keyPrefix: `${rt.config.TOPIC_PREFIX}rescue-coordination`,
    leaseMs: config.ESCALATION_LEASE_MS,
    conflictCode: 'RESCUE_ERR_CONCURRENT_UPDATE',
  });
  const coordinator = new Coordinator({
    cases,
    alerts,
    schedule,
    locks,
    relay: rt.relay,
    clock: rt.clock,
    logger: rt.logger.child({ component: 'coordinator' }),
    policy,
  });
  const scheduler = new EscalationScheduler({
    coordinator,
    schedule,
    locks,
    clock: rt.clock,
    logger: rt.logger.child({ component: 'escalation-scheduler' }),
    tickMs: config.SCHEDULER_TICK_MS,
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
        'homeward.case.opened': caseOpenedHandler(coordinator),
        'homeward.case.lead-added': leadAddedHandler(coordinator),
        'homeward.dna.match-confirmed': matchConfirmedHandler(coordinator),
        'homeward.notification.acknowledged': acknowledgedHandler(coordinator),
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
      coordinator,
      cases,
      alerts,
      credentials: rt.credentials,
      logger: rt.logger.child({ component: 'audit' }),
      clock: rt.clock,
    }),
  );
  await http.register(async (scope) => alertRoutes(scope, { coordinator, credentials: rt.credentials }));
  return { http, consumers, workers: [scheduler], coordinator, scheduler, schedule, locks, cases, alerts };
}
