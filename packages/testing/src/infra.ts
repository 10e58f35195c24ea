import { spawnSync } from 'node:child_process';
import { type InfraEndpoints, localEndpoints, tryKafkaLogin, up } from '@homeward/infra-local';
import {
  ADMIN,
  createKafkaClient,
  type Kafka,
  type KafkaLogin,
  KafkaLoginError,
  type KafkaSecurity,
  kafkaSecurityFromEnv,
  OBSERVER,
} from '@homeward/messaging';
import { pino } from 'pino';

/** How the tests got their infrastructure, for the run's log. */
export type InfraSource = 'environment' | 'testcontainers' | 'local-launcher';

/** The endpoints tests use, from the environment the global setup prepared. */
export function testInfra(): InfraEndpoints {
  const { KAFKA_BROKERS, MONGO_URL, REDIS_URL } = process.env;
  if (!KAFKA_BROKERS || !MONGO_URL || !REDIS_URL) {
    throw new Error(
      'KAFKA_BROKERS, MONGO_URL and REDIS_URL are not set: run the tests through vitest with the global setup (npm test)',
    );
  }
  return { kafkaBrokers: KAFKA_BROKERS.split(','), mongoUrl: MONGO_URL, redisUrl: REDIS_URL };
}

/** True when a Docker engine answers (the client alone is not enough). */
export function dockerEngineAnswers(): boolean {
  const res = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], {
    encoding: 'utf8',
    timeout: 5000,
  });
  return res.status === 0 && res.stdout.trim().length > 0;
}

export interface ProvidedInfra {
  source: InfraSource;
  endpoints: InfraEndpoints;
  stop: () => Promise<void>;
}

/**
 * Finds infrastructure for a test run: the environment's when it names all three, else
 * testcontainers when a Docker engine answers, else the local launcher (which installs and
 * starts Kafka, FerretDB and Redis on this machine).
 */
export async function provideInfra(): Promise<ProvidedInfra> {
  const { KAFKA_BROKERS, MONGO_URL, REDIS_URL } = process.env;
  if (KAFKA_BROKERS && MONGO_URL && REDIS_URL) {
    return { source: 'environment', endpoints: testInfra(), stop: async () => {} };
  }
  if (dockerEngineAnswers()) {
    const { startContainers } = await import('./containers.ts');
    return { source: 'testcontainers', ...(await startContainers()) };
  }
  await up();
  // The launcher's servers outlive the run: the next run reuses them in milliseconds.
  return { source: 'local-launcher', endpoints: localEndpoints, stop: async () => {} };
}

/** The security of the tests' broker, from the environment the global setup prepared. */
export function testKafkaSecurity(): KafkaSecurity {
  return kafkaSecurityFromEnv(process.env);
}

/** A login of the tests' broker as `principal` (its secret from the development file). */
export function testLogin(principal: string): KafkaLogin {
  return { principal, security: testKafkaSecurity() };
}

/**
 * A kafkajs client of the tests' broker (or of `brokers`) logged in as `principal`, the one
 * place tests make one: the observer to read, an agency to report, the administrator to create
 * topics and to inject events as their owner would.
 */
export function testKafka(principal: string, clientId = `test-${principal}`, brokers?: string[]): Kafka {
  return createKafkaClient({
    brokers: brokers ?? testInfra().kafkaBrokers,
    clientId,
    logger: pino({ level: 'silent' }),
    login: testLogin(principal),
    config: { retry: { retries: 5, initialRetryTime: 200 } },
  });
}

/**
 * Whether the broker of a run authenticates (KAFKA_SASL, unless the environment says): a
 * broker the launcher started does; a PLAINTEXT broker given by the environment (the shared one
 * before SASL) does not, and then the tests run without SASL and say so. A broker that refuses
 * the administrator fails the run at once, naming the principal.
 */
export async function detectKafkaSasl(brokers: string[]): Promise<KafkaSecurity['sasl']> {
  const security = kafkaSecurityFromEnv({ ...process.env, KAFKA_SASL: 'scram-sha-512' });
  const outcome = await tryKafkaLogin(brokers, ADMIN, security);
  if (outcome === 'ok') return 'scram-sha-512';
  if (outcome === 'no-sasl') return 'off';
  if (outcome === 'refused')
    throw new KafkaLoginError(
      ADMIN,
      `the broker at ${brokers.join(',')} refused the login: its users are not those of ${security.secretsFile}`,
    );
  throw new Error(`the Kafka broker at ${brokers.join(',')} does not answer`);
}

/** The broker the broker-security tests run on: SASL always. */
export interface SaslTestBroker {
  brokers: string[];
  security: KafkaSecurity;
}

/** Ports of the SASL broker the security tests start when the run's broker is PLAINTEXT. */
export const SASL_TEST_PORTS = { kafka: 29_092, controller: 29_093 } as const;

/**
 * A broker with SASL and the ACL table for the tests that are about them: the run's own when it
 * has SASL (the launcher's default), else one of their own on {@link SASL_TEST_PORTS}, started
 * (or reused) by the launcher and left running for the next run, as the launcher's servers are.
 */
export async function saslTestBroker(): Promise<SaslTestBroker> {
  const security: KafkaSecurity = { ...testKafkaSecurity(), sasl: 'scram-sha-512' };
  if (testKafkaSecurity().sasl !== 'off') return { brokers: testInfra().kafkaBrokers, security };
  const { ensureTopics, startKafka } = await import('@homeward/infra-local');
  await startKafka({
    port: SASL_TEST_PORTS.kafka,
    controllerPort: SASL_TEST_PORTS.controller,
    name: 'kafka-sasl-test',
    heap: '512m',
    security,
  });
  const brokers = [`127.0.0.1:${SASL_TEST_PORTS.kafka}`];
  // The unprefixed table: the observer's own groups, as `npm run infra:up` applies it.
  await ensureTopics(brokers, undefined, { security });
  // A broker just started creates its group coordinator's topic on the first group request:
  // wait for it here (kafkajs retries while it loads), not in the first test that uses a group.
  const observer = createKafkaClient({
    brokers,
    clientId: 'test-warm-up',
    logger: pino({ level: 'silent' }),
    login: { principal: OBSERVER, security },
  }).admin();
  await observer.connect();
  try {
    await observer.fetchOffsets({ groupId: `${OBSERVER}.warm-up`, topics: ['case.events.v1'] });
  } finally {
    await observer.disconnect();
  }
  return { brokers, security };
}
