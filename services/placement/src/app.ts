import { Topics } from '@homeward/events';
import type { ConsumerRunner, EventHandlers } from '@homeward/messaging';
import {
  AuditLog,
  auditRoutes,
  DueWorker,
  RedisDueIndex,
  type ServiceParts,
  type ServiceRuntime,
  serviceConsumer,
  serviceHttpServer,
  servicePersistence,
} from '@homeward/service-kit';
import type { Static } from '@sinclair/typebox';
import { clockPolicy, followupPolicy, type PlacementConfig } from './config.ts';
import { PlacementErrors } from './errors.ts';
import { caseEventHandlers } from './handlers/case-events.ts';
import { dnaEventHandlers } from './handlers/dna-events.ts';
import { OverdueWorker } from './overdue-worker.ts';
import { PlacementService } from './placement-service.ts';
import { followupRoutes } from './routes/followups.ts';
import { overdueRoutes } from './routes/overdue.ts';
import { placementRoutes } from './routes/placements.ts';
import { CaseStore } from './store/case-store.ts';

export const SERVICE_NAME = 'placement';
export const SERVICE_VERSION = '0.1.0';

export interface PlacementApp extends ServiceParts {
  placements: PlacementService;
  store: CaseStore;
  index: RedisDueIndex;
  overdue: OverdueWorker;
  clocks: DueWorker<number>;
}

/** Wires placement from a runtime: what `main.ts` starts and what tests build. No I/O here. */
export async function buildApp(
  rt: ServiceRuntime,
  config: Static<typeof PlacementConfig>,
): Promise<PlacementApp> {
  const { persistence } = servicePersistence(rt, {
    service: 'placement',
    waitMs: 5_000,
    conflictCode: PlacementErrors.concurrentUpdate.code,
  });
  const store = new CaseStore(persistence);
  const index = new RedisDueIndex(rt.redis.redis, {
    prefix: rt.config.TOPIC_PREFIX,
    name: 'placement:followups-due',
  });
  const clockIndex = new RedisDueIndex(rt.redis.redis, {
    prefix: rt.config.TOPIC_PREFIX,
    name: 'placement:clocks-due',
  });
  const placements = new PlacementService({
    store,
    index,
    clockIndex,
    clockPolicy: clockPolicy(config),
    clock: rt.clock,
    logger: rt.logger,
    policy: followupPolicy(config),
    utcOffsetMinutes: config.UTC_OFFSET_MINUTES,
  });
  const overdue = new OverdueWorker({
    placements,
    store,
    index,
    clock: rt.clock,
    logger: rt.logger.child({ component: 'overdue-checker' }),
    intervalMs: config.OVERDUE_CHECK_INTERVAL_MS,
    batchSize: config.OVERDUE_CHECK_BATCH,
  });

  // The clocks on "as soon as possible": case → when its next clock runs out, rebuilt from the
  // store at start; a look with nothing due is one ZRANGEBYSCORE.
  const clocks = new DueWorker<number>({
    name: 'placement clocks',
    index: clockIndex,
    clock: rt.clock,
    logger: rt.logger.child({ component: 'placement-clocks' }),
    intervalMs: config.OVERDUE_CHECK_INTERVAL_MS,
    batchSize: config.OVERDUE_CHECK_BATCH,
    handle: (caseId) => placements.raiseClocks(caseId),
    rebuild: () => placements.rebuildClocks(),
  });
  const onChange = (doc: Parameters<PlacementService['touchClocks']>[0]) => placements.touchClocks(doc);

  // The runner names the group through the topic resolver (TOPIC_PREFIX), so deployments and
  // test runs sharing one broker never share a group.
  const consumer = (groupId: string, topic: string, handlers: EventHandlers) => {
    return serviceConsumer(rt, {
      groupId,
      topics: [topic],
      handlers,
    });
  };
  const consumers: ConsumerRunner[] = [
    consumer('placement.cases', Topics.caseEvents, caseEventHandlers({ store, onChange }) as EventHandlers),
    consumer('placement.dna', Topics.dnaEvents, dnaEventHandlers({ store, onChange }) as EventHandlers),
  ];

  const http = await serviceHttpServer(rt, {
    name: SERVICE_NAME,
    version: SERVICE_VERSION,
    description:
      "Civil affairs' side of a rescue: where a rescued child goes (placement decisions and their revisions), " +
      'and the schooling, care, training and escorted handover that must follow, with overdue follow-ups raised once.',
    consumers: () => consumers,
    tags: [
      { name: 'placements', description: 'Placement decisions and their history' },
      { name: 'followups', description: 'Follow-ups scheduled by age on the decision date' },
      { name: 'audit', description: 'Who read which personal data' },
    ],
  });
  const audit = AuditLog.of(persistence, rt.clock);
  await http.register(async (scope) => {
    await placementRoutes(scope, { placements, audit });
    await followupRoutes(scope, { placements, store, audit });
    await overdueRoutes(scope, { placements });
    await auditRoutes(scope, { audit });
  });
  return { http, consumers, workers: [overdue, clocks], placements, store, index, overdue, clocks };
}
