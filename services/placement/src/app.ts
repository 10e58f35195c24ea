import { Topics } from '@homeward/events';
import { ConsumerRunner, type EventHandlers } from '@homeward/messaging';
import { MongoPersistence } from '@homeward/persistence';
import {
  buildHttpServer,
  RedisDueIndex,
  RedisLocks,
  readinessChecks,
  type ServiceParts,
  type ServiceRuntime,
} from '@homeward/service-kit';
import type { Static } from '@sinclair/typebox';
import { followupPolicy, type PlacementConfig } from './config.ts';
import { PlacementErrors } from './errors.ts';
import { caseEventHandlers } from './handlers/case-events.ts';
import { dnaEventHandlers } from './handlers/dna-events.ts';
import { OverdueWorker } from './overdue-worker.ts';
import { PlacementService } from './placement-service.ts';
import { followupRoutes } from './routes/followups.ts';
import { placementRoutes } from './routes/placements.ts';
import { CaseStore } from './store/case-store.ts';

export const SERVICE_NAME = 'placement';
export const SERVICE_VERSION = '0.1.0';

export interface PlacementApp extends ServiceParts {
  placements: PlacementService;
  store: CaseStore;
  index: RedisDueIndex;
  overdue: OverdueWorker;
}

/** Wires placement from a runtime: what `main.ts` starts and what tests build. No I/O here. */
export async function buildApp(
  rt: ServiceRuntime,
  config: Static<typeof PlacementConfig>,
): Promise<PlacementApp> {
  const locks = new RedisLocks(rt.redis.redis, {
    keyPrefix: `${rt.config.TOPIC_PREFIX}placement`,
    waitMs: 5_000,
    conflictCode: PlacementErrors.concurrentUpdate.code,
  });
  const store = new CaseStore(new MongoPersistence({ db: rt.mongo.db, leases: locks, relay: rt.relay }));
  const index = new RedisDueIndex(rt.redis.redis, {
    prefix: rt.config.TOPIC_PREFIX,
    name: 'placement:followups-due',
  });
  const placements = new PlacementService({
    store,
    index,
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

  // The runner names the group through the topic resolver (TOPIC_PREFIX), so deployments and
  // test runs sharing one broker never share a group.
  const consumer = (groupId: string, topic: string, handlers: EventHandlers) => {
    return new ConsumerRunner({
      kafka: rt.kafka,
      groupId,
      topics: [topic],
      topicResolver: rt.topics,
      handlers,
      publisher: rt.publisher,
      idempotency: rt.idempotency,
      logger: rt.logger.child({ consumer: groupId }),
      registry: rt.registry,
      now: () => rt.clock.now(),
    });
  };
  const consumers: ConsumerRunner[] = [
    consumer('placement.cases', Topics.caseEvents, caseEventHandlers({ store }) as EventHandlers),
    consumer('placement.dna', Topics.dnaEvents, dnaEventHandlers({ store }) as EventHandlers),
  ];

  const http = await buildHttpServer({
    name: SERVICE_NAME,
    version: SERVICE_VERSION,
    description:
      "Civil affairs' side of a rescue: where a rescued child goes (placement decisions and their revisions), " +
      'and the schooling, care, training and escorted handover that must follow, with overdue follow-ups raised once.',
    logger: rt.logger,
    registry: rt.registry,
    bodyLimit: rt.config.BODY_LIMIT_BYTES,
    readiness: readinessChecks(rt, () => consumers),
    isAccepting: () => rt.lifecycle.accepting,
    tags: [
      { name: 'placements', description: 'Placement decisions and their history' },
      { name: 'followups', description: 'Follow-ups scheduled by age on the decision date' },
    ],
  });
  await http.register(async (scope) => {
    await placementRoutes(scope, { placements, store, credentials: rt.credentials });
    await followupRoutes(scope, { placements, store, credentials: rt.credentials });
  });
  return { http, consumers, workers: [overdue], placements, store, index, overdue };
}
