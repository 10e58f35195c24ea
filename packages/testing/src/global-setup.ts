import { provideInfra } from './infra.ts';

/**
 * Vitest global setup: find or start the infrastructure once per run and hand it to the test
 * workers through the environment (forked workers inherit it).
 */
export default async function setup(): Promise<() => Promise<void>> {
  const infra = await provideInfra();
  process.env.KAFKA_BROKERS = infra.endpoints.kafkaBrokers.join(',');
  process.env.MONGO_URL = infra.endpoints.mongoUrl;
  process.env.REDIS_URL = infra.endpoints.redisUrl;
  process.env.HOMEWARD_TEST_INFRA = infra.source;
  return infra.stop;
}
