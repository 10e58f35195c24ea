import { ferretBackendFromEnv, pingMongo, startFerretDb } from './components/ferretdb.ts';
import { probeKafka, startKafka } from './components/kafka.ts';
import { postgresUrl, startPostgres } from './components/postgresql.ts';
import { pingRedis, startRedis } from './components/redis.ts';
import { logPath, readPid, stopProcess } from './processes.ts';
import { deleteStaleTestTopics, ensureTopics } from './topics.ts';

/** Ports of the contract's infrastructure. */
export const DEFAULT_PORTS = {
  kafka: 9092,
  kafkaController: 9093,
  mongo: 27017,
  redis: 6379,
  /** FerretDB's PostgreSQL, when HOMEWARD_FERRETDB_BACKEND=postgresql. */
  postgres: 5432,
} as const;

export interface InfraEndpoints {
  kafkaBrokers: string[];
  mongoUrl: string;
  redisUrl: string;
}

export const localEndpoints: InfraEndpoints = {
  kafkaBrokers: [`127.0.0.1:${DEFAULT_PORTS.kafka}`],
  mongoUrl: `mongodb://127.0.0.1:${DEFAULT_PORTS.mongo}/`,
  redisUrl: `redis://127.0.0.1:${DEFAULT_PORTS.redis}`,
};

export interface UpReport {
  component: string;
  outcome: 'reused' | 'started';
  ms: number;
}

async function timed(component: string, fn: () => Promise<'reused' | 'started'>): Promise<UpReport> {
  const t0 = performance.now();
  const outcome = await fn();
  return { component, outcome, ms: Math.round(performance.now() - t0) };
}

/**
 * Brings up Redis, FerretDB and Kafka (installing what is missing), then the contract's topics.
 * Idempotent: a component that already answers on its port is reused.
 */
export async function up(): Promise<UpReport[]> {
  // FerretDB's storage: SQLite by default; HOMEWARD_FERRETDB_BACKEND=postgresql puts it on a
  // PostgreSQL server of its own (README, "Infrastructure notes", for why SQLite is the default).
  const backend = ferretBackendFromEnv();
  // Redis and FerretDB start fast and in parallel; Kafka's JVM is the long pole.
  const results = await Promise.all([
    timed('redis', () => startRedis({ port: DEFAULT_PORTS.redis })),
    timed('ferretdb', async () => {
      if (backend === 'sqlite') return startFerretDb({ port: DEFAULT_PORTS.mongo });
      await startPostgres({ port: DEFAULT_PORTS.postgres });
      return startFerretDb({
        port: DEFAULT_PORTS.mongo,
        backend,
        postgresUrl: postgresUrl(DEFAULT_PORTS.postgres),
      });
    }),
    timed('kafka', () =>
      startKafka({ port: DEFAULT_PORTS.kafka, controllerPort: DEFAULT_PORTS.kafkaController }),
    ),
  ]);
  const t0 = performance.now();
  await ensureTopics(localEndpoints.kafkaBrokers);
  results.push({ component: 'topics', outcome: 'started', ms: Math.round(performance.now() - t0) });
  return results;
}

/**
 * Test and benchmark topics older than this are deleted by `deleteOldTestTopics`: a session's own
 * runs are younger; a killed run's would otherwise stay.
 */
const STALE_TEST_TOPICS_MS = 6 * 60 * 60 * 1000;

/**
 * Deletes the local broker's test and benchmark topics left behind by killed runs (each test
 * file's prefix is ~80 partitions; with thousands of them the broker takes minutes to start).
 * Not part of `up`: on such a broker it takes minutes itself, so `npm start` runs it beside the
 * platform and `infra up` after reporting ready. Returns how many prefixes went.
 */
export async function deleteOldTestTopics(): Promise<number> {
  const prefixes = await deleteStaleTestTopics(localEndpoints.kafkaBrokers, {
    olderThanMs: STALE_TEST_TOPICS_MS,
  });
  return prefixes.length;
}

/** Stops what `up` started (and only that: a server it reused is not ours to stop). */
export async function down(): Promise<string[]> {
  const stopped: string[] = [];
  // Kafka first, while its clients' coordinators still exist; then the stores.
  for (const name of ['kafka', 'ferretdb', 'postgresql', 'redis']) {
    if (await stopProcess(name)) stopped.push(name);
  }
  return stopped;
}

export interface ComponentStatus {
  component: string;
  answering: boolean;
  pid: number | undefined;
  endpoint: string;
  log: string;
}

export async function status(): Promise<ComponentStatus[]> {
  const probe = (p: Promise<boolean>) => p.catch(() => false);
  const [kafka, mongo, redis] = await Promise.all([
    probe(probeKafka(DEFAULT_PORTS.kafka)),
    probe(pingMongo(DEFAULT_PORTS.mongo)),
    probe(pingRedis(DEFAULT_PORTS.redis)),
  ]);
  return [
    {
      component: 'kafka',
      answering: kafka,
      pid: readPid('kafka'),
      endpoint: localEndpoints.kafkaBrokers[0]!,
      log: logPath('kafka'),
    },
    {
      component: 'ferretdb',
      answering: mongo,
      pid: readPid('ferretdb'),
      endpoint: localEndpoints.mongoUrl,
      log: logPath('ferretdb'),
    },
    {
      component: 'redis',
      answering: redis,
      pid: readPid('redis'),
      endpoint: localEndpoints.redisUrl,
      log: logPath('redis'),
    },
  ];
}
