import type { InfraEndpoints } from '@homeward/infra-local';
import { ensureTopics } from '@homeward/infra-local';
import { kafkaSecurityFromEnv } from '@homeward/messaging';
import { GenericContainer, Wait } from 'testcontainers';

/**
 * The stack of docker-compose.yml from the official images, for machines with a Docker engine.
 * (The project's own machines have none; there the local launcher serves.) Its broker is
 * PLAINTEXT: the image cannot be given SCRAM users before its first start without a script of
 * its own, so these runs have no SASL and no ACLs (the global setup sees it and says so), and
 * the broker-security tests start a SASL broker with the launcher.
 */
export async function startContainers(): Promise<{ endpoints: InfraEndpoints; stop: () => Promise<void> }> {
  const [kafka, mongo, redis] = await Promise.all([
    new GenericContainer('apache/kafka:3.9.1')
      .withExposedPorts({ container: 9092, host: 9092 })
      .withEnvironment({
        KAFKA_NODE_ID: '1',
        KAFKA_PROCESS_ROLES: 'broker,controller',
        KAFKA_LISTENERS: 'PLAINTEXT://:9092,CONTROLLER://:9093',
        KAFKA_ADVERTISED_LISTENERS: 'PLAINTEXT://127.0.0.1:9092',
        KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
        KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
        KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
        KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
        KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
        KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
        KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
        KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
      })
      .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
      .start(),
    new GenericContainer('mongo:7')
      .withExposedPorts(27017)
      .withWaitStrategy(Wait.forLogMessage(/Waiting for connections/))
      .start(),
    new GenericContainer('redis:7')
      .withExposedPorts(6379)
      .withWaitStrategy(Wait.forLogMessage(/Ready to accept connections/))
      .start(),
  ]);
  const endpoints: InfraEndpoints = {
    kafkaBrokers: ['127.0.0.1:9092'],
    mongoUrl: `mongodb://${mongo.getHost()}:${mongo.getMappedPort(27017)}/`,
    redisUrl: `redis://${redis.getHost()}:${redis.getMappedPort(6379)}`,
  };
  await ensureTopics(endpoints.kafkaBrokers, undefined, {
    security: { ...kafkaSecurityFromEnv(process.env), sasl: 'off' },
  });
  return {
    endpoints,
    stop: async () => {
      await Promise.all([kafka.stop(), mongo.stop(), redis.stop()]);
    },
  };
}
