import { spawnSync } from 'node:child_process';
import { type InfraEndpoints, localEndpoints, up } from '@homeward/infra-local';

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
