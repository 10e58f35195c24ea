import { Topics } from '@homeward/events';
import { ConsumerRunner } from '@homeward/messaging';
import { MongoPersistence } from '@homeward/persistence';
import {
  buildHttpServer,
  RedisLocks,
  RedisRateLimiter,
  readinessChecks,
  type ServiceParts,
  type ServiceRuntime,
} from '@homeward/service-kit';
import type { Static } from '@sinclair/typebox';
import type { IntakeConfig } from './config.ts';
import { Errors } from './errors.ts';
import { caseClosedHandler, caseOpenedHandler } from './handlers/case-events.ts';
import { reportSubmittedHandler } from './handlers/report-submitted.ts';
import { IntakeService } from './intake-service.ts';
import { reportRoutes } from './routes/reports.ts';
import { type IntakeStores, intakeStores } from './store/report-store.ts';

export const SERVICE_NAME = 'intake';
export const SERVICE_VERSION = '0.1.0';

export interface IntakeApp extends ServiceParts {
  intake: IntakeService;
  stores: IntakeStores;
}

/** Wires intake from a runtime: what `main.ts` starts and what tests build. No I/O here. */
export async function buildApp(rt: ServiceRuntime, config: Static<typeof IntakeConfig>): Promise<IntakeApp> {
  const leases = new RedisLocks(rt.redis.redis, {
    keyPrefix: `${rt.config.TOPIC_PREFIX}intake`,
    // Longer than a lease lives (10 s): a waiter outlasts a holder that died with the lease.
    waitMs: 15_000,
    conflictCode: Errors.concurrentUpdate.code,
  });
  const stores = intakeStores(new MongoPersistence({ db: rt.mongo.db, leases, relay: rt.relay }));
  const intake = new IntakeService({
    stores,
    leases,
    clock: rt.clock,
    duplicateWindowDays: config.DUPLICATE_CHILD_WINDOW_DAYS,
  });
  const rateLimiter = new RedisRateLimiter(rt.redis.redis, {
    prefix: `${rt.config.TOPIC_PREFIX}intake:rate`,
    limit: config.RATE_LIMIT_PER_MINUTE,
    windowMs: 60_000,
  });

  const consumers: ConsumerRunner[] = [
    new ConsumerRunner({
      kafka: rt.kafka,
      groupId: 'intake.reports',
      topics: [Topics.agencyReports],
      topicResolver: rt.topics,
      handlers: {
        'homeward.report.submitted': reportSubmittedHandler({ intake, credentials: rt.credentials }),
      },
      publisher: rt.publisher,
      idempotency: rt.idempotency,
      logger: rt.logger.child({ consumer: 'intake.reports' }),
      registry: rt.registry,
      now: () => rt.clock.now(),
    }),
    new ConsumerRunner({
      kafka: rt.kafka,
      groupId: 'intake.cases',
      topics: [Topics.caseEvents],
      topicResolver: rt.topics,
      handlers: {
        'homeward.case.opened': caseOpenedHandler(intake),
        'homeward.case.closed': caseClosedHandler(intake),
      },
      publisher: rt.publisher,
      idempotency: rt.idempotency,
      logger: rt.logger.child({ consumer: 'intake.cases' }),
      registry: rt.registry,
      now: () => rt.clock.now(),
    }),
  ];

  const http = await buildHttpServer({
    name: SERVICE_NAME,
    version: SERVICE_VERSION,
    description:
      "Where agencies' systems report to Homeward: missing children, suspected trafficking, children of unknown origin, and sightings. " +
      'Reports are CloudEvents of type homeward.report.submitted, over HTTP (binary, structured, batch) or on the Kafka topic agency.reports.v1.',
    logger: rt.logger,
    registry: rt.registry,
    bodyLimit: rt.config.BODY_LIMIT_BYTES,
    readiness: readinessChecks(rt, () => consumers),
    isAccepting: () => rt.lifecycle.accepting,
    tags: [{ name: 'reports', description: 'Reports from agencies' }],
  });
  await http.register(async (scope) =>
    reportRoutes(scope, { intake, credentials: rt.credentials, rateLimiter }),
  );
  return { http, consumers, intake, stores };
}
