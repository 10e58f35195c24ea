import fastifyStatic from '@fastify/static';
import { Topics } from '@homeward/events';
import { FiguresLedger } from '@homeward/figures';
import { DeadLetterReader } from '@homeward/messaging';
import {
  readinessChecks,
  type ServiceParts,
  type ServiceRuntime,
  SseHub,
  serviceConsumer,
  serviceHttpServer,
  servicePersistence,
  sseFrame,
  sseMetrics,
} from '@homeward/service-kit';
import type { Static } from '@sinclair/typebox';
import type { DashboardConfig } from './config.ts';
import { reported } from './domain/annual.ts';
import { liveKeys } from './domain/live-ops.ts';
import { deploymentTimeZone } from './domain/time-zone.ts';
import { DashboardErrors } from './errors.ts';
import { projectionBatchHandler, projectionHandlers } from './handlers/project-event.ts';
import { projectRefusedReport } from './handlers/project-refused-report.ts';
import { HealthWorker, parseHealthTargets, type ServiceHealth } from './health-worker.ts';
import { dashboardRoutes } from './routes/dashboard.ts';
import { type HistoryEntry, LiveStore, ProjectionGuard, parseEntry } from './store/live-store.ts';
import { ensureWebBuild, WEB_DIST } from './web-build.ts';

export const SERVICE_NAME = 'dashboard';
export const SERVICE_VERSION = '0.1.0';

export interface DashboardApp extends ServiceParts {
  hub: SseHub<HistoryEntry>;
  live: LiveStore;
  annual: FiguresLedger;
  health: HealthWorker;
}

/**
 * Wires the dashboard from a runtime: what `main.ts` starts and what tests build. The one
 * I/O here is building the page when it is missing (it must exist before it is served).
 */
export async function buildApp(
  rt: ServiceRuntime,
  config: Static<typeof DashboardConfig>,
): Promise<DashboardApp> {
  const keys = liveKeys(`${rt.config.TOPIC_PREFIX}dashboard:`);
  const live = new LiveStore(rt.redis.redis, keys, config.SEEN_TTL_SECONDS);
  // Only insert-once facts today, which take no lease; an aggregate added later would.
  const { persistence } = servicePersistence(rt, {
    service: 'dashboard',
    conflictCode: DashboardErrors.concurrentUpdate.code,
  });
  // The annual aggregate and the facts that place events: projections of the topics, rebuilt by
  // consuming them from the beginning under a new consumer group if lost.
  const annual = new FiguresLedger(persistence, {
    contributions: 'annual_contributions',
    refs: 'refs',
    keep: reported,
  });
  const hub = new SseHub<HistoryEntry>({
    redis: rt.redis.redis,
    readerName: `${rt.config.TOPIC_PREFIX}dashboard:sse`,
    parse: (id, fields) => parseEntry([id, fields]),
    frame: (e) => sseFrame({ id: e.id, data: e.json }),
    heartbeatMs: config.SSE_HEARTBEAT_MS,
    maxBufferBytes: config.SSE_MAX_BUFFER_BYTES,
    backlogScan: config.HISTORY_MAX_LEN,
    flushIntervalMs: config.SSE_FLUSH_INTERVAL_MS,
    retryMs: 3_000,
    logger: rt.logger.child({ component: 'sse' }),
  });
  sseMetrics(rt.registry, hub, 'operators');
  const health = new HealthWorker(
    parseHealthTargets(config.HEALTH_TARGETS),
    config.HEALTH_POLL_MS,
    rt.logger.child({ component: 'health' }),
    () => rt.clock.now(),
  );

  // One group for every instance: each event is projected once (history, counters, annual
  // aggregate), and every instance's SSE hub tails the shared Redis history for its own clients.
  const projector = {
    annual,
    live,
    topicPrefix: rt.config.TOPIC_PREFIX,
    historyMaxLen: config.HISTORY_MAX_LEN,
    utcOffsetMinutes: config.REPORT_UTC_OFFSET_MINUTES,
  };
  const consumers = [
    serviceConsumer(rt, {
      // The runner names the group through TOPIC_PREFIX: prefixed deployments never share it.
      groupId: 'dashboard',
      topics: Object.values(Topics),
      // Reports arrive on each agency system's own topic.
      agencyReports: true,
      // A projection of what is on the topics (the broker's ACLs say who wrote them); it acts
      // on nothing, so it shows even what the acting consumers dead-letter for its source.
      checkSources: false,
      handlers: projectionHandlers(projector),
      // A fetched batch projected at once: its MongoDB rounds and one Redis pipeline for all its
      // events, instead of each event's round trips one after another (the handlers above are
      // the runner's fallback when a batch fails for good).
      batchHandler: projectionBatchHandler(projector),
      idempotency: new ProjectionGuard(live),
      partitionsConcurrently: 6,
    }),
  ];

  // What intake refused of the agencies' reports (its dead letters, which the ACL table lets the
  // dashboard read): shown as refused. Its own group, so the projection's group is not held up.
  const refused = new DeadLetterReader({
    kafka: rt.kafka,
    groupId: 'dashboard.refused-reports',
    topic: Topics.agencyReports,
    topicResolver: rt.topics,
    handle: projectRefusedReport({
      live,
      historyMaxLen: config.HISTORY_MAX_LEN,
      log: rt.logger.child({ component: 'refused-reports' }),
    }),
    logger: rt.logger.child({ component: 'refused-reports' }),
  });

  const readiness = readinessChecks(rt, () => consumers);
  const http = await serviceHttpServer(rt, {
    name: SERVICE_NAME,
    version: SERVICE_VERSION,
    description:
      'The operators’ page: every topic live over server-sent events, the board of cases, alerts, DNA samples, placements and follow-ups, ' +
      'service health, and the annual report per department and region.',
    consumers: () => consumers,
    tags: [{ name: 'dashboard', description: 'Operators only' }],
  });
  // SSE responses never end on their own: end them before the server waits for its connections.
  http.addHook('preClose', async () => hub.closeAll());

  const self = async (): Promise<ServiceHealth> => {
    const t0 = performance.now();
    const entries = await Promise.all(
      Object.entries(readiness).map(async ([k, check]) => [k, await check().catch(() => false)] as const),
    );
    const ok = rt.lifecycle.accepting && entries.every(([, v]) => v);
    return {
      name: SERVICE_NAME,
      url: 'self',
      status: ok ? 'ready' : 'not-ready',
      httpStatus: ok ? 200 : 503,
      latencyMs: Math.round(performance.now() - t0),
      checkedAt: rt.clock.now().toISOString(),
      checks: Object.fromEntries(entries),
    };
  };
  await http.register(async (scope) =>
    dashboardRoutes(scope, {
      credentials: rt.credentials,
      live,
      annual,
      hub,
      health,
      self,
      clock: rt.clock,
      sessionTtlSeconds: config.SESSION_TTL_SECONDS,
      timeZone: deploymentTimeZone(config.TIME_ZONE),
      sampleOverdueHours: config.SAMPLE_OVERDUE_HOURS,
    }),
  );

  if (config.WEB_BUILD) await ensureWebBuild(rt.logger);
  // Files are listed once here (wildcard off), so unknown paths still get problem details.
  await http.register(fastifyStatic, { root: WEB_DIST, prefix: '/', wildcard: false, index: 'index.html' });

  return {
    http,
    consumers,
    workers: [hub, health, refused],
    hub,
    live,
    annual,
    health,
  };
}
