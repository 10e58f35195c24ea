import { randomUUID } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { Topics } from '@homeward/events';
import {
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
import type { NotificationsConfig } from './config.ts';
import { fanoutMetrics } from './delivery/fanout-metrics.ts';
import { OutcomeBatcher } from './delivery/outcome-batcher.ts';
import { WebhookSender } from './delivery/webhook-sender.ts';
import { DEV_ALLOWED_NETS, parseAllowedNets, type TargetPolicy } from './domain/webhook-target.ts';
import { NotificationsErrors } from './errors.ts';
import { FanoutService } from './fanout-service.ts';
import { alertCancelledHandler, alertEscalatedHandler, alertIssuedHandler } from './handlers/alert-events.ts';
import { alertRoutes } from './routes/alerts.ts';
import { streamRoutes } from './routes/stream.ts';
import { unitRoutes } from './routes/units.ts';
import { ClaimLedger } from './store/claim-ledger.ts';
import { DeliveryStore } from './store/delivery-store.ts';
import { StreamSlots } from './store/stream-slots.ts';
import { type FeedEntry, parseFeedEntry, UnitFeed } from './store/unit-feed.ts';
import { UnitIndex } from './store/unit-index.ts';
import { UnitStore } from './store/unit-store.ts';

export const SERVICE_NAME = 'notifications';
export const SERVICE_VERSION = '0.1.0';

export interface NotificationsApp extends ServiceParts {
  units: UnitStore;
  index: UnitIndex;
  store: DeliveryStore;
  ledger: ClaimLedger;
  fanout: FanoutService;
  /** Serves the units' live channels from one shared Redis reader. */
  hub: SseHub<FeedEntry>;
  /** This instance's id in its claims. */
  owner: string;
}

/**
 * Where webhooks may point, from the configuration: in production https only and no private
 * network unless named; elsewhere http too, and this host and the private networks allowed.
 */
export function webhookTargetPolicy(config: Static<typeof NotificationsConfig>): TargetPolicy {
  const production = config.NODE_ENV === 'production';
  return {
    requireHttps: config.WEBHOOK_REQUIRE_HTTPS ?? production,
    allowed: parseAllowedNets(config.WEBHOOK_ALLOWED_NETS ?? (production ? '' : DEV_ALLOWED_NETS)),
  };
}

/** Wires notifications from a runtime: what `main.ts` starts and what tests build. No I/O here. */
export async function buildApp(
  rt: ServiceRuntime,
  config: Static<typeof NotificationsConfig>,
): Promise<NotificationsApp> {
  // Redis keys share the topic prefix, so tests and tenants on one Redis stay apart.
  const redisPrefix = `${rt.config.TOPIC_PREFIX}notifications:`;
  const redis = rt.redis.redis;
  const { persistence } = servicePersistence(rt, {
    service: 'notifications',
    conflictCode: NotificationsErrors.concurrentUpdate.code,
  });
  const units = new UnitStore(persistence);
  const index = new UnitIndex(redis, units, rt.logger.child({ component: 'unit-index' }), redisPrefix);
  const store = new DeliveryStore(persistence, rt.mongo.db);
  const ledger = new ClaimLedger(redis, redisPrefix);
  const feed = new UnitFeed(redis, redisPrefix, config.STREAM_HISTORY);
  const hub = new SseHub<FeedEntry>({
    redis,
    readerName: `${redisPrefix}sse`,
    parse: parseFeedEntry,
    frame: (e) => sseFrame({ id: e.id, event: e.type, data: e.data }),
    heartbeatMs: config.STREAM_HEARTBEAT_MS,
    maxBufferBytes: config.STREAM_MAX_BUFFER_BYTES,
    backlogScan: config.STREAM_HISTORY,
    logger: rt.logger.child({ component: 'sse' }),
  });
  sseMetrics(rt.registry, hub, 'units');
  const slots = new StreamSlots(redis, redisPrefix, {
    perUnit: config.STREAM_MAX_PER_UNIT,
    perKey: config.STREAM_MAX_PER_KEY,
    ttlMs: config.STREAM_SLOT_TTL_MS,
  });
  const targets = webhookTargetPolicy(config);
  const sender = new WebhookSender({
    targets,
    concurrency: config.WEBHOOK_CONCURRENCY,
    connectionsPerOrigin: config.WEBHOOK_CONNECTIONS_PER_ORIGIN,
    timeoutMs: config.WEBHOOK_TIMEOUT_MS,
    attempts: config.WEBHOOK_ATTEMPTS,
    backoffBaseMs: config.WEBHOOK_BACKOFF_BASE_MS,
    backoffMaxMs: config.WEBHOOK_BACKOFF_MAX_MS,
    breakerThreshold: config.BREAKER_THRESHOLD,
    breakerCooldownMs: config.BREAKER_COOLDOWN_MS,
    perUnitInFlight: config.WEBHOOK_PER_UNIT_IN_FLIGHT,
    deliveryBudgetMs: config.WEBHOOK_DELIVERY_BUDGET_MS,
  });
  const metrics = fanoutMetrics(rt.registry);
  const batcher = new OutcomeBatcher({
    publisher: rt.publisher,
    store,
    ledger,
    clock: rt.clock,
    logger: rt.logger.child({ component: 'outcomes' }),
    flushMs: config.OUTCOME_FLUSH_MS,
    batchSize: config.OUTCOME_BATCH_SIZE,
    // A fan-out under way: its webhooks queued for a slot, or its claims about to queue more.
    isBusy: (): boolean => sender.busy || fanout.claiming,
    maxDeferMs: config.OUTCOME_MAX_DEFER_MS,
    metrics,
  });
  const owner = `${SERVICE_NAME}-${randomUUID()}`;
  const fanout = new FanoutService({
    index,
    ledger,
    store,
    feed,
    sender,
    batcher,
    clock: rt.clock,
    logger: rt.logger.child({ component: 'fanout' }),
    owner,
    leaseMs: config.CLAIM_LEASE_MS,
    metrics,
    window: 2 * config.WEBHOOK_CONCURRENCY,
  });
  const handlerDeps = { store, index, fanout };

  // The runner names the group through TOPIC_PREFIX: prefixed deployments never share it.
  const groupId = 'notifications.alerts';
  const consumers = [
    serviceConsumer(rt, {
      groupId,
      topics: [Topics.alertEvents],
      concurrencyPerPartition: config.ALERT_CONCURRENCY,
      handlers: {
        'homeward.alert.issued': alertIssuedHandler(handlerDeps),
        'homeward.alert.escalated': alertEscalatedHandler(handlerDeps),
        'homeward.alert.cancelled': alertCancelledHandler({
          ...handlerDeps,
          claimsOf: async (alertId) => {
            await fanout.ensureLedger(alertId, 'alert');
            return [...(await ledger.claims(alertId, 'alert')).keys()];
          },
        }),
      },
    }),
  ];

  const http = await serviceHttpServer(rt, {
    name: SERVICE_NAME,
    version: SERVICE_VERSION,
    description:
      'The rapid search fan-out: subscribed units (police and rail stations, bus stations, airports, hospitals), ' +
      'signed webhooks for every alert step inside the radius, acknowledgements, coverage and a live channel per unit.',
    consumers: () => consumers,
    tags: [
      { name: 'units', description: 'Subscribed units and their live channel' },
      { name: 'alerts', description: 'Acknowledgements and coverage' },
    ],
  });
  // SSE responses never end on their own: end them before the server waits for its connections.
  http.addHook('preClose', async () => hub.closeAll());
  const resolveAll = (host: string) => lookup(host, { all: true });
  await http.register(async (scope) =>
    unitRoutes(scope, { units, index, clock: rt.clock, targets: { policy: targets, resolveAll } }),
  );
  await http.register(async (scope) => alertRoutes(scope, { store, units, ledger, fanout, clock: rt.clock }));
  await http.register(async (scope) => streamRoutes(scope, { units, feed, hub, slots }));

  const workers = [
    hub,
    // Channels free their slots as they close (the hub ends them before HTTP closes); stop frees the rest.
    { start: () => slots.start(), stop: () => slots.stop() },
    // The index is checked against MongoDB at start (rebuilt if missing or stale).
    { start: () => index.ensureSynced(), stop: async () => {} },
    // Stopped after the consumers: their in-flight fan-outs settle, then the pool closes.
    {
      start: () => {},
      stop: async () => {
        await batcher.stop();
        await sender.close();
      },
    },
  ];
  return { http, consumers, workers, units, index, store, ledger, fanout, hub, owner };
}
