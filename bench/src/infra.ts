import { type InfraEndpoints, localEndpoints, up } from '@homeward/infra-local';
import {
  ADMIN,
  createKafkaClient,
  type Kafka,
  type KafkaSecurity,
  kafkaSecurityFromEnv,
} from '@homeward/messaging';
import { pino } from 'pino';

/** Where a benchmark runs, and the broker's security. */
export interface BenchInfra extends InfraEndpoints {
  security: KafkaSecurity;
}

/**
 * The launcher's infrastructure (brought up if need be, SASL on), or, when KAFKA_BROKERS is
 * set, that broker with KAFKA_SASL's security and MONGO_URL/REDIS_URL (or the launcher's
 * addresses): one benchmark run with and one without SASL, to state what SASL costs.
 */
export async function benchInfra(): Promise<BenchInfra> {
  if (!process.env.KAFKA_BROKERS) await up();
  return benchInfraSync();
}

/** The same endpoints without bringing anything up (a benchmark's child process). */
export function benchInfraSync(): BenchInfra {
  const security = kafkaSecurityFromEnv(process.env);
  const brokers = process.env.KAFKA_BROKERS;
  if (!brokers) return { ...localEndpoints, security };
  return {
    kafkaBrokers: brokers.split(','),
    mongoUrl: process.env.MONGO_URL || localEndpoints.mongoUrl,
    redisUrl: process.env.REDIS_URL || localEndpoints.redisUrl,
    security,
  };
}

/**
 * A kafkajs client of the benchmark's broker, logged in as `principal`: the administrator by
 * default (a benchmark creates its topics and plays the producers the service under test reads).
 */
export function benchKafka(infra: BenchInfra, clientId: string, principal = ADMIN): Kafka {
  return createKafkaClient({
    brokers: infra.kafkaBrokers,
    clientId,
    logger: pino({ level: 'silent' }),
    login: { principal, security: infra.security },
  });
}
