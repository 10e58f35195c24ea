import {
  type ConsumerRunner,
  createKafkaClient,
  EventPublisher,
  type IdempotencyStore,
  type Kafka,
  MongoIdempotencyStore,
  OutboxRelay,
  prefixTopics,
  type TopicResolver,
} from '@homeward/messaging';
import type { Static } from '@sinclair/typebox';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { Credentials } from './auth.ts';
import { type Clock, systemClock } from './clock.ts';
import type { BaseConfig } from './config.ts';
import { connectMongo, connectRedis, type MongoConnection, type RedisConnection } from './connections.ts';
import type { HttpServer } from './http-server.ts';

/**
 * Everything a service's app is built from: its connections, its producer and outbox relay,
 * its credentials, its metrics registry and its clock. Made once by `main.ts` (or by a test)
 * and passed in explicitly; nothing here is a module singleton.
 */
export interface ServiceRuntime {
  name: string;
  config: Static<typeof BaseConfig>;
  logger: Logger;
  registry: Registry;
  clock: Clock;
  mongo: MongoConnection;
  redis: RedisConnection;
  kafka: Kafka;
  publisher: EventPublisher;
  relay: OutboxRelay;
  idempotency: IdempotencyStore;
  credentials: Credentials;
  topics: TopicResolver;
  /** False while starting and from the first moment of shutdown: readiness reports it. */
  lifecycle: { accepting: boolean };
}

export interface RuntimeOptions {
  name: string;
  config: Static<typeof BaseConfig>;
  logger: Logger;
  /** The database name; by default the service's name. Tests pass their own. */
  dbName?: string;
  clock?: Clock;
  credentials?: Credentials;
  outboxSweepMs?: number;
}

/** Connects to Kafka, MongoDB and Redis and builds the producer, relay and guards. */
export async function createRuntime(opts: RuntimeOptions): Promise<ServiceRuntime> {
  const { config, logger, name } = opts;
  const registry = new Registry();
  registry.setDefaultLabels({ service: name });
  const topics = prefixTopics(config.TOPIC_PREFIX);
  const kafka = createKafkaClient({
    brokers: config.KAFKA_BROKERS.split(',').map((b) => b.trim()),
    clientId: `homeward-${name}`,
    logger,
  });
  const [mongo, redis] = await Promise.all([
    connectMongo(config.MONGO_URL, opts.dbName ?? name.replaceAll('-', '_')),
    connectRedis(config.REDIS_URL, logger),
  ]);
  const publisher = new EventPublisher({ kafka, topics, logger, registry });
  await publisher.connect();
  const relay = new OutboxRelay({
    db: mongo.db,
    publisher,
    logger: logger.child({ component: 'outbox' }),
    registry,
    sweepIntervalMs: opts.outboxSweepMs ?? 2_000,
  });
  return {
    name,
    config,
    logger,
    registry,
    clock: opts.clock ?? systemClock,
    mongo,
    redis,
    kafka,
    publisher,
    relay,
    idempotency: new MongoIdempotencyStore(mongo.db),
    credentials: opts.credentials ?? Credentials.fromFile(config.CREDENTIALS_FILE),
    topics,
    lifecycle: { accepting: false },
  };
}

/** Readiness checks for the three connections, for `buildHttpServer`. */
export function readinessChecks(
  rt: ServiceRuntime,
  consumers: () => ConsumerRunner[] = () => [],
): Record<string, () => Promise<boolean>> {
  return {
    kafka: async () => rt.publisher.isConnected && consumers().every((c) => c.isRunning),
    mongodb: () => rt.mongo.ping(),
    redis: () => rt.redis.ping(),
  };
}

/** Something with its own start and graceful stop (a scheduler, a sweeper). */
export interface Worker {
  start(): Promise<void> | void;
  stop(): Promise<void>;
}

export interface ServiceParts {
  http: HttpServer;
  consumers: ConsumerRunner[];
  workers?: Worker[];
}

/**
 * Starts and stops a service's parts in the fixed order: consumers, relay and workers before
 * the HTTP port opens; on stop, not ready, close HTTP (finish requests), stop consumers
 * (finish in-flight, commit), stop workers and the relay, flush and close the producer, close
 * MongoDB and Redis.
 */
export class ServiceHost {
  private stopped = false;

  constructor(
    readonly rt: ServiceRuntime,
    readonly parts: ServiceParts,
  ) {}

  async start(port: number): Promise<string> {
    await this.startInProcess();
    const address = await this.parts.http.listen({ port, host: this.rt.config.HOST });
    this.rt.logger.info({ address }, `${this.rt.name} started`);
    return address;
  }

  /**
   * Everything but the port: consumers (once they own their partitions), the relay and the
   * workers, and the HTTP app ready for `inject`. What `start` does first, and what tests use.
   */
  async startInProcess(): Promise<void> {
    for (const c of this.parts.consumers) await c.start();
    await Promise.all(this.parts.consumers.map((c) => c.waitForAssignment()));
    this.rt.relay.start();
    for (const w of this.parts.workers ?? []) await w.start();
    await this.parts.http.ready();
    this.rt.lifecycle.accepting = true;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const log = this.rt.logger;
    this.rt.lifecycle.accepting = false;
    const step = async (what: string, fn: () => Promise<unknown>) => {
      const t0 = performance.now();
      try {
        await fn();
        log.info({ ms: Math.round(performance.now() - t0) }, `shutdown: ${what}`);
      } catch (err) {
        log.error({ err }, `shutdown: ${what} failed`);
      }
    };
    await step('close http', () => this.parts.http.close());
    await step('stop consumers', () => Promise.all(this.parts.consumers.map((c) => c.stop())));
    await step('stop workers', () => Promise.all((this.parts.workers ?? []).map((w) => w.stop())));
    await step('stop outbox relay', () => this.rt.relay.stop());
    await step('close producer', () => this.rt.publisher.disconnect());
    await step('close mongodb', () => this.rt.mongo.close());
    await step('close redis', () => this.rt.redis.close());
    log.info(`${this.rt.name} stopped`);
  }
}
