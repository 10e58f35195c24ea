import { rmSync } from 'node:fs';
import { allTopics } from '@homeward/events';
import {
  cacheDir,
  ensureTopics,
  repoRoot,
  ServiceSupervisor,
  serviceCommand,
  startFerretDb,
  startKafka,
  startRedis,
  stopProcess,
} from '@homeward/infra-local';
import { Redis } from 'ioredis';

/**
 * The chaos stack's own ports: never the contract's (9092, 27017, 6379, 8080-8085), whose
 * servers other work on this machine relies on and which no experiment may touch.
 */
export const CHAOS_PORTS = {
  kafka: 19_592,
  kafkaController: 19_593,
  mongo: 27_617,
  redis: 6_779,
  http: 28_080,
};

/** The services, each at CHAOS_PORTS.http + its contract port's last digit. */
export const SERVICES = {
  dashboard: 0,
  intake: 1,
  'rescue-coordination': 2,
  placement: 3,
  'dna-tracking': 4,
  notifications: 5,
} as const;
export type ServiceName = keyof typeof SERVICES;

const NAMES = { kafka: 'kafka-chaos', ferretdb: 'ferretdb-chaos', redis: 'redis-chaos' };

export function serviceUrl(name: ServiceName): string {
  return `http://127.0.0.1:${CHAOS_PORTS.http + SERVICES[name]}`;
}

/**
 * Kafka, FerretDB and Redis of its own (fresh data every run) and the six services under the
 * same supervisor `npm start` uses, so a killed service comes back the way it would there.
 */
export class ChaosStack {
  readonly brokers = [`127.0.0.1:${CHAOS_PORTS.kafka}`];
  readonly mongoUrl = `mongodb://127.0.0.1:${CHAOS_PORTS.mongo}/`;
  readonly redisUrl = `redis://127.0.0.1:${CHAOS_PORTS.redis}`;
  private supervisor: ServiceSupervisor | undefined;

  constructor(private readonly log: (line: string) => void) {}

  async start(): Promise<void> {
    // A previous run that was interrupted may have left its servers: stop them, wipe their data.
    for (const name of Object.values(NAMES)) {
      await stopProcess(name);
      rmSync(cacheDir(name), { recursive: true, force: true });
    }
    await Promise.all([this.startStore(), this.startRedis(), this.startKafka()]);
    await ensureTopics(this.brokers, allTopics);
    const controlDir = cacheDir('chaos', 'services');
    this.supervisor = new ServiceSupervisor({
      out: this.log,
      controlDir,
      restart: { initialMs: 1_000, maxMs: 10_000 },
    });
    for (const name of Object.keys(SERVICES) as ServiceName[]) {
      this.supervisor.add({
        name,
        ...serviceCommand(name),
        cwd: repoRoot,
        env: {
          ...process.env,
          PORT: String(CHAOS_PORTS.http + SERVICES[name]),
          KAFKA_BROKERS: this.brokers.join(','),
          MONGO_URL: this.mongoUrl,
          REDIS_URL: this.redisUrl,
          TOPIC_PREFIX: '',
          LOG_LEVEL: process.env.CHAOS_LOG_LEVEL ?? 'warn',
        },
      });
    }
  }

  startKafka(): Promise<unknown> {
    return startKafka({
      port: CHAOS_PORTS.kafka,
      controllerPort: CHAOS_PORTS.kafkaController,
      name: NAMES.kafka,
      heap: '512m',
    });
  }

  stopKafka(): Promise<boolean> {
    return stopProcess(NAMES.kafka);
  }

  startStore(): Promise<unknown> {
    return startFerretDb({ port: CHAOS_PORTS.mongo, name: NAMES.ferretdb });
  }

  stopStore(): Promise<boolean> {
    return stopProcess(NAMES.ferretdb);
  }

  /** Redis as production runs it, with its append-only file (see `--redis-data-loss` in run.ts). */
  startRedis(): Promise<unknown> {
    return startRedis({ port: CHAOS_PORTS.redis, name: NAMES.redis, persistent: true });
  }

  /** Empties Redis, as a restart of a Redis without persistence would. */
  async flushRedis(): Promise<void> {
    const client = new Redis(this.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await client.connect();
      await client.flushall();
    } finally {
      client.disconnect();
    }
  }

  stopRedis(): Promise<boolean> {
    return stopProcess(NAMES.redis);
  }

  /** kill -9: no shutdown at all, as a crash or the OOM killer would do it. */
  kill(name: ServiceName): number {
    const pid = this.supervisor?.pid(name);
    if (pid === undefined) throw new Error(`${name} is not running`);
    process.kill(pid, 'SIGKILL');
    return pid;
  }

  restarts(name: ServiceName): number {
    return this.supervisor?.restartsOf(name) ?? 0;
  }

  async stop(): Promise<void> {
    await this.supervisor?.stopAll();
    for (const name of Object.values(NAMES)) await stopProcess(name);
  }
}

/** The status of a service's `/health/ready` (0 when it does not answer at all). */
export async function readiness(name: ServiceName): Promise<number> {
  try {
    const res = await fetch(`${serviceUrl(name)}/health/ready`, { signal: AbortSignal.timeout(3_000) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}
