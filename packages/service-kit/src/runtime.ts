import { readFileSync } from 'node:fs';
import {
  type ConsumerHealthThresholds,
  type ConsumerRunner,
  createKafkaClient,
  createKafkaProbe,
  DEV_KAFKA_SECRETS_FILE,
  EventPublisher,
  type IdempotencyStore,
  type Kafka,
  type KafkaLogin,
  type KafkaProbe,
  MongoIdempotencyStore,
  OutboxRelay,
  prefixTopics,
  type TopicResolver,
  verifyKafkaLogin,
} from '@homeward/messaging';
import type { Static } from '@sinclair/typebox';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { Credentials } from './auth.ts';
import { type Clock, systemClock } from './clock.ts';
import {
  type BaseConfig,
  DEV_CREDENTIALS_FILE,
  DEV_KEY_PREFIX,
  deploymentFile,
  isProduction,
} from './config.ts';
import { connectMongo, connectRedis, type MongoConnection, type RedisConnection } from './connections.ts';
import { addLivenessCheck, type HttpServer } from './http-server.ts';
import { monitorStoreCommands } from './store-metrics.ts';

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
  /** Does the broker answer now? (readiness; a client of its own that fails fast) */
  kafkaProbe: KafkaProbe;
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
  /** The outbox relay's least time between two sends (see `OutboxRelayOptions.minSendIntervalMs`). */
  outboxMinSendIntervalMs?: number;
}

/**
 * Who the service is on the broker, from its configuration: its principal (its name unless
 * KAFKA_PRINCIPAL says otherwise) and its secret, from KAFKA_PASSWORD_FILE, KAFKA_PASSWORD or
 * the secrets file, in that order.
 */
export function kafkaLogin(config: Static<typeof BaseConfig>, name: string): KafkaLogin {
  const principal = config.KAFKA_PRINCIPAL || name;
  const password = config.KAFKA_PASSWORD_FILE
    ? readFileSync(config.KAFKA_PASSWORD_FILE, 'utf8').trim()
    : config.KAFKA_PASSWORD || undefined;
  return {
    principal,
    security: {
      sasl: config.KAFKA_SASL,
      ssl: config.KAFKA_SSL,
      ...(config.KAFKA_CA_FILE ? { caFile: config.KAFKA_CA_FILE } : {}),
      secretsFile: config.KAFKA_SECRETS_FILE || DEV_KAFKA_SECRETS_FILE,
    },
    ...(password === undefined ? {} : { password }),
  };
}

/** Connects to Kafka, MongoDB and Redis and builds the producer, relay and guards. */
export async function createRuntime(opts: RuntimeOptions): Promise<ServiceRuntime> {
  const { config, logger, name } = opts;
  const registry = new Registry();
  registry.setDefaultLabels({ service: name });
  const topics = prefixTopics(config.TOPIC_PREFIX);
  const brokers = config.KAFKA_BROKERS.split(',').map((b) => b.trim());
  const login = kafkaLogin(config, name);
  const kafka = createKafkaClient({ brokers, clientId: `homeward-${name}`, logger, login });
  // A wrong or unknown secret stops the start here, naming the principal.
  await verifyKafkaLogin(kafka, login.principal);
  const [mongo, redis] = await Promise.all([
    connectMongo(config.MONGO_URL, opts.dbName ?? name.replaceAll('-', '_')),
    connectRedis(config.REDIS_URL, logger),
  ]);
  monitorStoreCommands(mongo.client, registry);
  const publisher = new EventPublisher({ kafka, topics, logger, registry });
  await publisher.connect();
  const relay = new OutboxRelay({
    db: mongo.db,
    publisher,
    logger: logger.child({ component: 'outbox' }),
    registry,
    sweepIntervalMs: opts.outboxSweepMs ?? 2_000,
    ...(opts.outboxMinSendIntervalMs ? { minSendIntervalMs: opts.outboxMinSendIntervalMs } : {}),
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
    kafkaProbe: createKafkaProbe({ brokers, clientId: `homeward-${name}`, logger, login }),
    publisher,
    relay,
    idempotency: new MongoIdempotencyStore(mongo.db),
    credentials: opts.credentials ?? loadCredentials(config),
    topics,
    lifecycle: { accepting: false },
  };
}

/**
 * The deployment's credentials: CREDENTIALS_FILE (required in production), and in production
 * no key with the development prefix.
 */
export function loadCredentials(
  config: Pick<Static<typeof BaseConfig>, 'NODE_ENV' | 'CREDENTIALS_FILE'>,
): Credentials {
  const path = deploymentFile(config, 'CREDENTIALS_FILE', config.CREDENTIALS_FILE, DEV_CREDENTIALS_FILE);
  return Credentials.fromFile(path, { refuseKeyPrefix: isProduction(config) ? DEV_KEY_PREFIX : undefined });
}

/** The consumer thresholds a deployment configured (CONSUMER_NOT_READY_AFTER_MS, ...). */
export function consumerThresholds(rt: ServiceRuntime): ConsumerHealthThresholds {
  return {
    notReadyAfterMs: rt.config.CONSUMER_NOT_READY_AFTER_MS,
    notLiveAfterMs: rt.config.CONSUMER_NOT_LIVE_AFTER_MS,
  };
}

/**
 * Readiness checks for `buildHttpServer`, each asked afresh on every request: the broker
 * answers a metadata request, the document store a ping, Redis a PING, and every consumer has
 * made progress within CONSUMER_NOT_READY_AFTER_MS (and has joined its group once).
 */
export function readinessChecks(
  rt: ServiceRuntime,
  consumers: () => ConsumerRunner[] = () => [],
): Record<string, () => Promise<boolean>> {
  const checks: Record<string, () => Promise<boolean>> = {
    kafka: () => rt.kafkaProbe.check(),
    mongodb: () => rt.mongo.ping(),
    redis: () => rt.redis.ping(),
  };
  if (consumers().length > 0) {
    checks.consumers = async () => consumers().every((c) => c.health(consumerThresholds(rt)).ready);
  }
  return checks;
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
 * Starts and stops a service's parts in a fixed order. On start the HTTP port opens first (not
 * ready), so a restarted service answers at once while its consumers wait to join their groups
 * (which can take a session timeout after a crash); then consumers, relay and workers, and only
 * then ready. On stop: not ready, close HTTP (finish requests), stop consumers (finish
 * in-flight, commit, leave the group), stop workers and the relay, flush and close the
 * producer, close MongoDB and Redis.
 */
export class ServiceHost {
  private stopped = false;

  constructor(
    readonly rt: ServiceRuntime,
    readonly parts: ServiceParts,
  ) {
    // Not live once a consumer has made no progress for CONSUMER_NOT_LIVE_AFTER_MS: a restart may help.
    addLivenessCheck(parts.http, 'consumers', () =>
      parts.consumers.every((c) => c.health(consumerThresholds(rt)).live),
    );
  }

  async start(port: number): Promise<string> {
    const address = await this.parts.http.listen({ port, host: this.rt.config.HOST });
    this.rt.logger.info({ address }, `${this.rt.name} listening, not ready until its consumers have joined`);
    // No deadline here: while the broker is away the consumers keep trying and readiness says so.
    await this.startParts(Number.POSITIVE_INFINITY);
    if (!this.stopped) this.rt.logger.info({ address }, `${this.rt.name} started`);
    return address;
  }

  /**
   * Everything but the port: consumers (once they own their partitions), the relay and the
   * workers, and the HTTP app ready for `inject`. What tests use.
   */
  async startInProcess(): Promise<void> {
    await this.parts.http.ready();
    await this.startParts(60_000);
  }

  private async startParts(assignmentTimeoutMs: number): Promise<void> {
    await Promise.all(this.parts.consumers.map((c) => c.start()));
    await Promise.all(this.parts.consumers.map((c) => c.waitForAssignment(assignmentTimeoutMs)));
    // A stop that came while the consumers were joining wins: nothing more starts.
    if (this.stopped) return;
    this.rt.relay.start();
    for (const w of this.parts.workers ?? []) await w.start();
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
    await step('close kafka probe', () => this.rt.kafkaProbe.close());
    await step('close mongodb', () => this.rt.mongo.close());
    await step('close redis', () => this.rt.redis.close());
    log.info(`${this.rt.name} stopped`);
  }
}
