import { Topics } from '@homeward/events';
import { type ConsumerRunner, HandlersIdempotent } from '@homeward/messaging';
import {
  AuditLog,
  auditRoutes,
  RedisRateLimiter,
  type ServiceParts,
  type ServiceRuntime,
  serviceConsumer,
  serviceHttpServer,
  servicePersistence,
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
  const { leases, persistence } = servicePersistence(rt, {
    service: 'intake',
    // Longer than a lease lives (10 s): a waiter outlasts a holder that died with the lease.
    waitMs: 15_000,
    conflictCode: Errors.concurrentUpdate.code,
  });
  const stores = intakeStores(persistence);
  /** Reads of personal data (a report's contacts), one durable record each. */
  const audit = AuditLog.of(persistence, rt.clock);
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
    serviceConsumer(rt, {
      groupId: 'intake.reports',
      // Each agency system writes its own topic, which only its principal may write: the topic
      // proves the sender. The old shared topic proves nothing; what lands there is dead-lettered.
      topics: [Topics.agencyReports],
      agencyReports: true,
      handlers: {
        'homeward.report.submitted': reportSubmittedHandler({ intake, credentials: rt.credentials }),
      },
    }),
    serviceConsumer(rt, {
      groupId: 'intake.cases',
      topics: [Topics.caseEvents],
      // Both handlers are idempotent on their own (an insert-once; a close that sees its own
      // effect, and frees the key only while it is still the case's): a redelivery does
      // nothing new, so no record of handled events, which cost a read and a write per event.
      idempotency: new HandlersIdempotent(),
      // It needs few of the topic's events and none at once (its own case.opened it recorded
      // already; a close frees its child's key up to half a second later): fetches that wait
      // for 64 KiB or 500 ms, not one fetch per few events: the fetch loop of a consumer that
      // gets a handful of events per fetch costs both sides. In interleaved intake bench runs
      // (load 9-12) intake's CPU per report fell 10-20% and reports per second rose 1.1-1.9x.
      fetch: { minBytes: 64 * 1024, maxWaitTimeInMs: 500 },
      // Its own case.opened (keyed by the case id) comes back on the topic: a case this instance
      // recorded costs no decoding, the handler would return at once.
      seen: { 'homeward.case.opened': (key) => key !== null && intake.hasRecorded(key) },
      handlers: {
        'homeward.case.opened': caseOpenedHandler(intake),
        'homeward.case.closed': caseClosedHandler(intake),
      },
    }),
  ];

  const http = await serviceHttpServer(rt, {
    name: SERVICE_NAME,
    version: SERVICE_VERSION,
    description:
      "Where agencies' systems report to Homeward: missing children, suspected trafficking, children of unknown origin, and sightings. " +
      'Reports are CloudEvents of type homeward.report.submitted, over HTTP (binary, structured, batch) or on Kafka, on the ' +
      "agency system's own topic agency.reports.v1.<agencyId>, which only that agency's principal may write.",
    consumers: () => consumers,
    tags: [{ name: 'reports', description: 'Reports from agencies' }],
  });
  await http.register(async (scope) => reportRoutes(scope, { intake, rateLimiter, audit }));
  await http.register(async (scope) => auditRoutes(scope, { audit }));
  return { http, consumers, intake, stores };
}
