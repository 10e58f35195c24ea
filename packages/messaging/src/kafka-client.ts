import { Kafka, type KafkaConfig, logLevel } from 'kafkajs';
import type { Logger } from 'pino';
import {
  describeKafkaLoginFailure,
  type KafkaLogin,
  KafkaLoginError,
  kafkaAuthConfig,
} from './kafka-auth.ts';

/** Retry defaults for every Kafka client, written down once (kafkajs' own are too short to ride out a broker restart). */
export const KAFKA_RETRY = {
  initialRetryTime: 300,
  maxRetryTime: 10_000,
  retries: 12,
} as const;

const levels: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

export interface KafkaClientOptions {
  brokers: string[];
  clientId: string;
  logger: Logger;
  /** Who connects: every client of the project names its principal (see kafka-access.ts). */
  login: KafkaLogin;
  /** Overrides for tests (short timeouts). */
  config?: Partial<KafkaConfig>;
}

/**
 * A kafkajs client logged in as its principal, whose own logs go through pino, at warn and
 * above by default. The one place a kafkajs client is made: a missing secret throws here,
 * naming the principal.
 */
export function createKafkaClient(opts: KafkaClientOptions): Kafka {
  const log = opts.logger.child({ component: 'kafkajs', principal: opts.login.principal });
  return new Kafka({
    clientId: opts.clientId,
    brokers: opts.brokers,
    ...kafkaAuthConfig(opts.login),
    connectionTimeout: 3000,
    requestTimeout: 30_000,
    retry: { ...KAFKA_RETRY },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, label, namespace, log: entry }) => {
        const {
          message,
          timestamp: _t,
          logger: _l,
          ...extra
        } = entry as { message: string; [k: string]: unknown };
        log[levels[level] ?? 'info']({ namespace, label, ...extra }, message);
      },
    ...opts.config,
  });
}

/** Physical topic names: a prefix isolates tests (and tenants) without changing any code. */
export type TopicResolver = (logical: string) => string;

export function prefixTopics(prefix: string): TopicResolver {
  return prefix ? (logical) => `${prefix}${logical}` : (logical) => logical;
}

/** A cheap, present-tense answer to "does the broker answer?", for readiness. */
export interface KafkaProbe {
  /** One metadata request (no topics) on a connection of its own, failing fast. */
  check(): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * A broker probe with its own client: no retries and one-second timeouts, so a stopped broker
 * is reported at the next readiness check instead of after kafkajs' retries. Concurrent checks
 * share one request.
 */
export function createKafkaProbe(opts: Omit<KafkaClientOptions, 'config'>): KafkaProbe {
  const kafka = createKafkaClient({
    ...opts,
    clientId: `${opts.clientId}-health`,
    // Its failures are the answer, not news: the probe's client logs nothing.
    logger: opts.logger.child({ component: 'kafka-probe' }, { level: 'silent' }),
    config: { connectionTimeout: 1_000, requestTimeout: 1_000, retry: { retries: 0 } },
  });
  const admin = kafka.admin({ retry: { retries: 0 } });
  let inFlight: Promise<boolean> | undefined;
  const once = async (): Promise<boolean> => {
    await admin.connect();
    // describeCluster refreshes the metadata with a real request (for no topics: cheap).
    const { brokers } = await admin.describeCluster();
    return brokers.length > 0;
  };
  return {
    check: () => {
      inFlight ??= once()
        .catch(() => false)
        .finally(() => {
          inFlight = undefined;
        });
      return inFlight;
    },
    close: () => admin.disconnect().catch(() => {}),
  };
}

/**
 * Logs in once and asks for the cluster, at start: a refused login (a wrong secret, an unknown
 * user) fails here with a message naming the principal, instead of as retries at the first
 * message. A broker that is away is left to the clients' own retries (the same error, unchanged).
 */
export async function verifyKafkaLogin(kafka: Kafka, principal: string): Promise<void> {
  const admin = kafka.admin({ retry: { retries: 2 } });
  try {
    await admin.connect();
    await admin.describeCluster();
  } catch (err) {
    const described = describeKafkaLoginFailure(principal, err);
    if (described instanceof KafkaLoginError) throw described;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}
