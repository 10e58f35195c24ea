import { defineConfig } from 'vitest/config';

/**
 * Unit tests by place, not by name: a file under a `test/unit/` or `test/domain/` folder needs
 * no infrastructure; everything else (test/integration/, test/e2e/, the launcher's tests) may.
 */
const unitTests = ['packages/*/test/unit/**/*.test.ts', 'services/*/test/{unit,domain}/**/*.test.ts'];
const allTests = [
  'packages/*/test/**/*.test.ts',
  'services/*/test/**/*.test.ts',
  'infra/local/test/**/*.test.ts',
  'journeys/test/**/*.test.ts',
  'test/e2e/**/*.test.ts',
];

/**
 * The `unit` project: also what mutation testing runs (vitest.mutation.config.ts).
 * A unit test that reaches for a broker or a database by mistake must fail at once with a clear
 * message, not wait for a connection: the endpoints are blanked (the test helpers refuse to run
 * without them) and the setup file refuses network connections. The timeouts are only a
 * backstop, set for a loaded machine: the heaviest pure test (dna-tracking's matcher) takes
 * seconds alone and several times that when the cores are shared.
 */
export const unitProject = {
  name: 'unit',
  include: unitTests,
  // Test files share a worker's modules instead of importing their whole graph each (zod schemas,
  // fastify, the catalogue): the imports were most of the loop's time. Unit tests hold no state
  // at module level that another file could see; a file that mocks a module loads what uses it
  // afresh (vi.resetModules, see dna-tracking's matcher-failed-scan.test.ts).
  isolate: false,
  env: { KAFKA_BROKERS: '', MONGO_URL: '', REDIS_URL: '' },
  setupFiles: ['packages/testing/src/unit-setup.ts'],
  testTimeout: 30_000,
  hookTimeout: 30_000,
};

// Two projects over one workspace. `unit` has no global setup and no infrastructure in its
// environment, so it runs in seconds (`npm run test:unit`); `integration` finds or starts Kafka,
// FerretDB and Redis once. Integration tests wait on real brokers and databases far more than
// they compute, so a few more workers than cores keeps the 2-core machine busy. The unit loop
// alone (`npm run test:unit`) runs two, one per core: its tests compute, and each worker imports
// the modules once (isolate: false), so fewer workers import less.
export default defineConfig({
  test: {
    pool: 'forks',
    maxWorkers: 4,
    reporters: ['default'],
    projects: [
      { extends: true, test: unitProject },
      {
        extends: true,
        test: {
          name: 'integration',
          include: allTests,
          exclude: unitTests,
          globalSetup: ['packages/testing/src/global-setup.ts'],
          setupFiles: ['packages/testing/src/integration-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
