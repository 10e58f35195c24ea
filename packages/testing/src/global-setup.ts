import { detectKafkaSasl, provideInfra } from './infra.ts';

/**
 * Vitest global setup: find or start the infrastructure once per run and hand it to the test
 * workers through the environment (forked workers inherit it), with the broker's security
 * (KAFKA_SASL) when the environment did not say it.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const infra = await provideInfra();
  process.env.KAFKA_BROKERS = infra.endpoints.kafkaBrokers.join(',');
  process.env.MONGO_URL = infra.endpoints.mongoUrl;
  process.env.REDIS_URL = infra.endpoints.redisUrl;
  process.env.HOMEWARD_TEST_INFRA = infra.source;
  if (!process.env.KAFKA_SASL) {
    process.env.KAFKA_SASL = await detectKafkaSasl(infra.endpoints.kafkaBrokers);
    if (process.env.KAFKA_SASL === 'off')
      process.stdout.write(
        `Kafka at ${process.env.KAFKA_BROKERS} authenticates nobody (PLAINTEXT): the tests run without SASL ` +
          'and ACLs; the broker-security tests start a SASL broker of their own.\n',
      );
  }
  return infra.stop;
}
