// `npm run test:other-backend`: the persistence contract suite and the guarantee tests (intake's
// idempotency per agency and event id, the duplicate-child rule, the outbox's exactly-once
// publication, durability before the 202) against FerretDB on the backend that is NOT the
// local default (PostgreSQL while SQLite is the default, and the other way round), on ports of
// its own beside the running infrastructure, which it leaves as it found it. A CI step
// (.ci/run), so the selectable backend keeps the guarantees the default is tested for.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ferretBackendFromEnv, startFerretDb } from './components/ferretdb.ts';
import { postgresUrl, startPostgres } from './components/postgresql.ts';
import { localEndpoints, up } from './launcher.ts';
import { repoRoot } from './paths.ts';
import { stopProcess } from './processes.ts';

/** Ports of the second FerretDB and its PostgreSQL: away from the contract's. */
const PORTS = { mongo: 27027, postgres: 55432 } as const;

/** The tests whose guarantees the services rely on, whatever the backend. */
export const GUARANTEE_TESTS = [
  'infra/local/test/ferretdb-patches.test.ts',
  'packages/persistence/test',
  'packages/messaging/test/integration/outbox.test.ts',
  'services/intake/test/integration/http-reports.test.ts',
  'services/intake/test/integration/kafka-reports.test.ts',
  'services/intake/test/integration/restart.test.ts',
  'services/intake/test/integration/shutdown.test.ts',
];

const out = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<number> {
  const other = ferretBackendFromEnv() === 'sqlite' ? 'postgresql' : 'sqlite';
  // Kafka and Redis are the shared ones (started if need be); only the store is the other.
  await up();
  const ferret = `ferretdb-${other}`;
  const started: string[] = [];
  try {
    if (other === 'postgresql') {
      if ((await startPostgres({ port: PORTS.postgres, name: 'postgresql-other' })) === 'started')
        started.push('postgresql-other');
    }
    const outcome = await startFerretDb({
      port: PORTS.mongo,
      name: ferret,
      backend: other,
      ...(other === 'postgresql' ? { postgresUrl: postgresUrl(PORTS.postgres) } : {}),
    });
    if (outcome === 'started') started.unshift(ferret);
    out(`── guarantee tests against FerretDB on ${other} (mongodb://127.0.0.1:${PORTS.mongo})`);
    const res = spawnSync(
      join(repoRoot, 'node_modules', '.bin', 'vitest'),
      ['run', '--project', 'unit', '--project', 'integration', ...GUARANTEE_TESTS],
      {
        stdio: 'inherit',
        cwd: repoRoot,
        env: {
          ...process.env,
          KAFKA_BROKERS: localEndpoints.kafkaBrokers.join(','),
          MONGO_URL: `mongodb://127.0.0.1:${PORTS.mongo}/`,
          REDIS_URL: localEndpoints.redisUrl,
        },
      },
    );
    return res.status ?? 1;
  } finally {
    // FerretDB before its PostgreSQL; only what this run started.
    for (const name of started) await stopProcess(name);
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`test:other-backend: ${String((err as Error)?.stack ?? err)}\n`);
    process.exit(1);
  },
);
