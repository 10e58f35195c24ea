import {
  AuditLog,
  auditRoutes,
  RedisDueIndex,
  type ServiceParts,
  type ServiceRuntime,
  serviceConsumer,
  serviceHttpServer,
  servicePersistence,
} from '@homeward/service-kit';
import { type CoordinationSettings, calendar, dutyLimits } from './config.ts';
import { CoordinationErrors } from './errors.ts';
import { CONSUMED_TOPICS, projectionHandlers } from './handlers/project-event.ts';
import { OversightService } from './oversight-service.ts';
import { ReminderWorker } from './reminder-worker.ts';
import { memberRoutes } from './routes/members.ts';
import { oversightRoutes } from './routes/oversight.ts';
import { submissionRoutes } from './routes/submissions.ts';
import { CoordinationStore } from './store/coordination-store.ts';
import { SubmissionService } from './submission-service.ts';

export const SERVICE_NAME = 'coordination';
export const SERVICE_VERSION = '0.1.0';

export interface CoordinationApp extends ServiceParts {
  store: CoordinationStore;
  submissions: SubmissionService;
  oversight: OversightService;
  index: RedisDueIndex;
  reminders: ReminderWorker;
}

/** Wires coordination from a runtime: what `main.ts` starts and what tests build. No I/O here. */
export async function buildApp(rt: ServiceRuntime, config: CoordinationSettings): Promise<CoordinationApp> {
  const { persistence } = servicePersistence(rt, {
    service: 'coordination',
    waitMs: 5_000,
    conflictCode: CoordinationErrors.concurrentUpdate.code,
  });
  const store = new CoordinationStore(persistence);
  const audit = AuditLog.of(persistence, rt.clock);
  const index = new RedisDueIndex(rt.redis.redis, {
    prefix: rt.config.TOPIC_PREFIX,
    name: 'coordination:reminders-due',
  });
  const submissions = new SubmissionService({ store, index, clock: rt.clock, calendar: calendar(config) });
  const oversight = new OversightService({
    store,
    clock: rt.clock,
    limits: dutyLimits(config),
    utcOffsetMinutes: config.UTC_OFFSET_MINUTES,
  });
  const reminders = new ReminderWorker({
    submissions,
    index,
    clock: rt.clock,
    logger: rt.logger.child({ component: 'reminders' }),
    intervalMs: config.REMINDER_CHECK_INTERVAL_MS,
    batchSize: config.REMINDER_CHECK_BATCH,
  });

  // Its own group (as the dashboard has its own): every platform event is projected once into
  // the figures and the supervised records, whichever instance handles it.
  const consumers = [
    serviceConsumer(rt, {
      groupId: 'coordination',
      topics: CONSUMED_TOPICS,
      handlers: projectionHandlers({ store, utcOffsetMinutes: config.UTC_OFFSET_MINUTES }),
    }),
  ];

  const http = await serviceHttpServer(rt, {
    name: SERVICE_NAME,
    version: SERVICE_VERSION,
    description:
      'The anti-trafficking coordination office of each level: member departments submit their annual report (pre-filled from the platform’s figures) ' +
      'by 31 January, offices return or accept them and roll them up the hierarchy, and see the duties being missed and the year’s assessment.',
    consumers: () => consumers,
    tags: [
      { name: 'submissions', description: 'Annual reports of member departments and offices' },
      { name: 'oversight', description: 'Late departments, roll-up, supervision, assessment (offices)' },
      { name: 'members', description: 'The member departments of each coordination body (offices)' },
      { name: 'audit', description: 'Who read which supervised records' },
    ],
  });
  await http.register(async (scope) => {
    await submissionRoutes(scope, {
      submissions,
      credentials: rt.credentials,
      clock: rt.clock,
      pdfFontFile: config.PDF_FONT_FILE || undefined,
    });
    await oversightRoutes(scope, { oversight, submissions, credentials: rt.credentials, audit });
    await memberRoutes(scope, { submissions, credentials: rt.credentials });
    await auditRoutes(scope, { audit });
  });
  return { http, consumers, workers: [reminders], store, submissions, oversight, index, reminders };
}
