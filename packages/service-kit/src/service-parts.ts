import {
  agencyReportsSubscription,
  allowedSources,
  type BatchHandler,
  ConsumerRunner,
  type ConsumerRunnerOptions,
  type EventHandlers,
  type IdempotencyStore,
  type SeenChecks,
} from '@homeward/messaging';
import { MongoPersistence } from '@homeward/persistence';
import { buildHttpServer, type HttpServer, type HttpServerOptions } from './http-server.ts';
import { RedisRateLimiter } from './rate-limit.ts';
import { RedisLocks } from './redis-locks.ts';
import { readinessChecks, type ServiceRuntime } from './runtime.ts';

/**
 * The parts every service's `buildApp` makes the same way, written once: its leases and
 * persistence, its consumers, its HTTP server. A service's app.ts then says only what is its
 * own (stores, application services, handlers, routes).
 */

export interface ServicePersistenceOptions {
  /** The service's name: its leases live under `<TOPIC_PREFIX><service>:lock:…`. */
  service: string;
  /** The retriable 409 a caller gets when a lease stays taken past `waitMs`. */
  conflictCode: string;
  leaseMs?: number;
  waitMs?: number;
}

/** The service's aggregate leases (Redis) and its MongoDB persistence writing through the outbox relay. */
export function servicePersistence(
  rt: ServiceRuntime,
  opts: ServicePersistenceOptions,
): { leases: RedisLocks; persistence: MongoPersistence } {
  const leases = new RedisLocks(rt.redis.redis, {
    keyPrefix: `${rt.config.TOPIC_PREFIX}${opts.service}`,
    conflictCode: opts.conflictCode,
    ...(opts.leaseMs !== undefined ? { leaseMs: opts.leaseMs } : {}),
    ...(opts.waitMs !== undefined ? { waitMs: opts.waitMs } : {}),
  });
  return { leases, persistence: new MongoPersistence({ db: rt.mongo.db, leases, relay: rt.relay }) };
}

export interface ServiceConsumerOptions {
  /** The group's logical name; the runner prefixes it (TOPIC_PREFIX), so deployments never share one. */
  groupId: string;
  /** Logical topic names. */
  topics: string[];
  handlers: EventHandlers;
  /** What the consumer can tell it has seen from a message's key and headers (the runner's `seen`). */
  seen?: SeenChecks;
  /** The redelivery guard; the runtime's by default. */
  idempotency?: IdempotencyStore;
  /** Partitions handled at once (each still in order); the runner's default otherwise. */
  partitionsConcurrently?: number;
  /** Messages of one partition handled at once, in order per key (the runner's `concurrencyPerPartition`). */
  concurrencyPerPartition?: number;
  /** Each fetched batch of a partition in one call (the runner's `batchHandler`). */
  batchHandler?: BatchHandler;
  /** How its fetches wait (the runner's `fetch`). */
  fetch?: ConsumerRunnerOptions['fetch'];
  /** Also every agency system's own report topic (`agency.reports.v1.<agencyId>`), by pattern. */
  agencyReports?: boolean;
  /**
   * Dead-letter an event whose `ce_source` is not its owner's (kafka-access.ts): true by
   * default. Only a read-only projection that shows what is on the topics (the dashboard)
   * turns it off.
   */
  checkSources?: boolean;
}

/** A consumer on the runtime's client, publisher, guard, metrics and clock, logging as its group. */
export function serviceConsumer(rt: ServiceRuntime, opts: ServiceConsumerOptions): ConsumerRunner {
  return new ConsumerRunner({
    kafka: rt.kafka,
    groupId: opts.groupId,
    topics: opts.topics,
    topicResolver: rt.topics,
    handlers: opts.handlers,
    ...(opts.seen ? { seen: opts.seen } : {}),
    publisher: rt.publisher,
    idempotency: opts.idempotency ?? rt.idempotency,
    logger: rt.logger.child({ consumer: opts.groupId }),
    registry: rt.registry,
    now: () => rt.clock.now(),
    ...(opts.agencyReports ? { topicPattern: agencyReportsSubscription(rt.config.TOPIC_PREFIX) } : {}),
    ...(opts.checkSources === false ? {} : { allowedSources }),
    ...(opts.partitionsConcurrently !== undefined
      ? { partitionsConcurrently: opts.partitionsConcurrently }
      : {}),
    ...(opts.concurrencyPerPartition !== undefined
      ? { concurrencyPerPartition: opts.concurrencyPerPartition }
      : {}),
    ...(opts.batchHandler ? { batchHandler: opts.batchHandler } : {}),
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
  });
}

export type ServiceHttpOptions = Pick<HttpServerOptions, 'name' | 'version' | 'description' | 'tags'> & {
  /** The service's consumers, read at each readiness check (they may be replaced in tests). */
  consumers: () => ConsumerRunner[];
};

/**
 * The HTTP server on the runtime's logger, metrics and body limit, ready only while Kafka,
 * MongoDB, Redis and every consumer are, and accepting only between start and shutdown; each
 * route's access declaration enforced with the runtime's credentials and a per-agency limit of
 * HTTP_RATE_LIMIT_PER_MINUTE (shared in Redis by the service's instances).
 */
export function serviceHttpServer(rt: ServiceRuntime, opts: ServiceHttpOptions): Promise<HttpServer> {
  const { consumers, ...described } = opts;
  return buildHttpServer({
    ...described,
    access: {
      credentials: rt.credentials,
      // Every /v1 route says who may call it: a route without a declaration does not register.
      requireDeclaration: true,
      limiter: new RedisRateLimiter(rt.redis.redis, {
        prefix: `${rt.config.TOPIC_PREFIX}${rt.name}:agency-rate`,
        limit: rt.config.HTTP_RATE_LIMIT_PER_MINUTE,
        windowMs: 60_000,
      }),
    },
    logger: rt.logger,
    registry: rt.registry,
    bodyLimit: rt.config.BODY_LIMIT_BYTES,
    readiness: readinessChecks(rt, consumers),
    isAccepting: () => rt.lifecycle.accepting,
  });
}
