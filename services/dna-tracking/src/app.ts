import { Topics } from '@homeward/events';
import type { ConsumerRunner } from '@homeward/messaging';
import {
  AuditLog,
  auditRoutes,
  type DueWorker,
  Histogram,
  RedisDueIndex,
  type ServiceParts,
  type ServiceRuntime,
  serviceConsumer,
  serviceHttpServer,
  servicePersistence,
} from '@homeward/service-kit';
import type { Static } from '@sinclair/typebox';
import { type DnaTrackingConfig, defaultIndexConsumerGroup, relativeThresholdsOf } from './config.ts';
import type { OverduePolicy } from './domain/custody.ts';
import { ProfileIndex } from './domain/matcher.ts';
import { DnaErrors } from './errors.ts';
import { loadFrequencyTableFile } from './frequency-table-file.ts';
import { caseEventHandlers } from './handlers/case-events.ts';
import { profileEnteredHandler } from './handlers/profile-entered.ts';
import { MatchingService } from './matching-service.ts';
import { dutyRoutes } from './routes/duties.ts';
import { frequencyRoutes } from './routes/frequencies.ts';
import { matchRoutes } from './routes/matches.ts';
import { sampleRoutes } from './routes/samples.ts';
import { SampleService } from './sample-service.ts';
import { SamplingService } from './sampling-service.ts';
import { samplingWorker } from './sampling-worker.ts';
import { SearchPool } from './search-pool.ts';
import { DnaStore } from './store/dna-store.ts';

export const SERVICE_NAME = 'dna-tracking';
export const SERVICE_VERSION = '0.1.0';

export interface DnaTrackingApp extends ServiceParts {
  samples: SampleService;
  matching: MatchingService;
  store: DnaStore;
  index: ProfileIndex;
  search: SearchPool;
  sampling: SamplingService;
  samplingClock: DueWorker<number>;
}

/**
 * Wires dna-tracking from a runtime: what `main.ts` starts and what tests build. Reads the
 * frequency table and loads the kinship index from MongoDB (every matchable profile) before
 * anything is served.
 */
export async function buildApp(
  rt: ServiceRuntime,
  config: Static<typeof DnaTrackingConfig>,
): Promise<DnaTrackingApp> {
  const loaded = loadFrequencyTableFile(config);
  // Every store here is insert-once facts; the leases are the persistence layer's requirement.
  const { persistence } = servicePersistence(rt, {
    service: 'dna-tracking',
    waitMs: 5_000,
    conflictCode: DnaErrors.concurrentUpdate.code,
  });
  const store = new DnaStore(persistence);
  const index = new ProfileIndex(loaded.table, {
    matchThreshold: config.MATCH_THRESHOLD,
    inconclusiveThreshold: config.INCONCLUSIVE_THRESHOLD,
    mutationRate: config.MUTATION_RATE,
    relativeThresholds: relativeThresholdsOf(config),
    ...(config.RELATIVE_FLOOR !== undefined ? { relativeFloor: config.RELATIVE_FLOOR } : {}),
    // The search workers scan the index's own arrays in place.
    shared: config.SEARCH_WORKERS !== 0,
  });
  // Started before the index loads (a recovery searches); stopped with the service's workers.
  const search = await SearchPool.start(index, {
    ...(config.SEARCH_WORKERS !== undefined ? { workers: config.SEARCH_WORKERS } : {}),
    parallelFrom: config.SEARCH_PARALLEL_FROM,
    onError: (err) =>
      rt.logger.error(
        { err },
        'kinship search degraded (a worker failed: scanning on the event loop; or the WebAssembly scan did not load: the JavaScript loop scans)',
      ),
  });
  try {
    return await assemble(rt, config, loaded, store, persistence, index, search);
  } catch (err) {
    await search.close();
    throw err;
  }
}

async function assemble(
  rt: ServiceRuntime,
  config: Static<typeof DnaTrackingConfig>,
  loaded: ReturnType<typeof loadFrequencyTableFile>,
  store: DnaStore,
  persistence: ReturnType<typeof servicePersistence>['persistence'],
  index: ProfileIndex,
  search: SearchPool,
): Promise<DnaTrackingApp> {
  const matching = new MatchingService({
    store,
    clock: rt.clock,
    logger: rt.logger.child({ component: 'kinship' }),
    index,
    search,
    searchSeconds: new Histogram({
      name: 'homeward_match_search_seconds',
      help: 'Kinship search time for one entered profile, by the side it searches from (child, parent, relative)',
      labelNames: ['side'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [rt.registry],
    }),
  });
  const overduePolicy: OverduePolicy = {
    collected: config.OVERDUE_COLLECTED_HOURS,
    sealed: config.OVERDUE_SEALED_HOURS,
    shipped: config.OVERDUE_SHIPPED_HOURS,
    received: config.OVERDUE_RECEIVED_HOURS,
    profiled: config.OVERDUE_PROFILED_HOURS,
  };
  const samples = new SampleService({
    store,
    clock: rt.clock,
    logger: rt.logger,
    matching,
    overduePolicy,
    minimumLoci: config.MINIMUM_LOCI,
  });
  const samplingIndex = new RedisDueIndex(rt.redis.redis, {
    prefix: rt.config.TOPIC_PREFIX,
    name: 'dna-tracking:sampling-due',
  });
  const sampling = new SamplingService({
    store,
    index: samplingIndex,
    clock: rt.clock,
    logger: rt.logger.child({ component: 'sampling' }),
    limitHours: config.SAMPLING_OVERDUE_HOURS,
  });
  const samplingClock = samplingWorker({
    sampling,
    index: samplingIndex,
    clock: rt.clock,
    logger: rt.logger.child({ component: 'sampling-clock' }),
    intervalMs: config.SAMPLING_CHECK_INTERVAL_MS,
    batchSize: config.SAMPLING_CHECK_BATCH,
  });
  await matching.load();

  const consumers: ConsumerRunner[] = [
    serviceConsumer(rt, {
      groupId: config.INDEX_CONSUMER_GROUP ?? defaultIndexConsumerGroup(config),
      topics: [Topics.dnaEvents],
      handlers: { 'homeward.dna.profile-entered': profileEnteredHandler({ store, matching }) },
    }),
    // Shared by the instances: what each case owes is one document per case, not per process.
    serviceConsumer(rt, {
      groupId: config.CASE_CONSUMER_GROUP,
      topics: [Topics.caseEvents],
      handlers: caseEventHandlers(sampling),
    }),
  ];

  const http = await serviceHttpServer(rt, {
    name: SERVICE_NAME,
    version: SERVICE_VERSION,
    description:
      'Blood samples of children of unknown origin and of parents of missing children: chain of custody, STR profiles, kinship matching and its review. ' +
      'Genotypes never leave this service; events carry ids and counts.',
    consumers: () => consumers,
    tags: [
      { name: 'samples', description: 'Sample registration' },
      { name: 'custody', description: 'Chain of custody' },
      { name: 'profiles', description: 'STR profiles (dna-lab)' },
      { name: 'matches', description: 'Kinship candidates and review' },
      { name: 'population data', description: 'Allele frequencies in use' },
      { name: 'sampling duties', description: 'DNA samples the cases owe, and the clock on them' },
      { name: 'audit', description: 'Who read which personal data' },
    ],
  });
  const audit = AuditLog.of(persistence, rt.clock);
  await http.register(async (scope) => sampleRoutes(scope, { samples, store, audit }));
  await http.register(async (scope) =>
    matchRoutes(scope, {
      matching,
      store,
      audit,
      sampleIdsInScope: (principal) => samples.sampleIdsInScope(principal),
    }),
  );
  await http.register(async (scope) => frequencyRoutes(scope, { loaded }));
  await http.register(async (scope) =>
    dutyRoutes(scope, { sampling, limitHours: config.SAMPLING_OVERDUE_HOURS }),
  );
  await http.register(async (scope) => auditRoutes(scope, { audit }));
  return {
    http,
    consumers,
    workers: [samplingClock, { start: () => {}, stop: () => search.close() }],
    samples,
    matching,
    store,
    index,
    search,
    sampling,
    samplingClock,
  };
}
