// Mutation testing of the pure modules (`npm run test:mutation`; minutes, so not in `npm test`).
// StrykerJS 9.x: version 10 needs Node 22, the project runs on Node 20.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  // Every service's domain/ folder, whatever pure modules it grows.
  mutate: ['services/*/src/domain/**/*.ts'],
  // Stryker's vitest runner wrapped so that a test file that fails to load kills the mutant
  // and fails the dry run, instead of counting as a survivor (stryker-js issue 6150): see the
  // plugin's header.
  plugins: ['@stryker-mutator/vitest-runner', './packages/testing/src/mutation/import-guard-runner.js'],
  testRunner: 'vitest-import-guard',
  vitest: { configFile: 'vitest.mutation.config.ts' },
  // A domain module's mutants are checked against the domain tests alone (pure, fast, each test
  // the module's own): the application-service tests under test/unit/ reach the same code
  // through stores, worker threads and whole searches, so a mutant covered by them would cost
  // seconds of tests that add no rule the domain tests do not already state. That choice lives in
  // vitest.mutation.config.ts's `include`, NOT in Stryker's `testFiles` option: with `testFiles`,
  // Stryker 9.6.1 activates a static mutant (a module-level constant, evaluated once at import)
  // only after the module has been imported (stryker-js issues 6144 and 6209), so every such
  // mutant survived whatever the tests asserted. Without `testFiles` Stryker runs a static mutant
  // with the mutant active from before the first import, in a reloaded environment.
  // Per-test coverage: each mutant runs only the tests that reached it.
  coverageAnalysis: 'perTest',
  // The initial run takes every unit test with coverage; on a loaded machine it needs more than
  // Stryker's default five minutes.
  dryRunTimeoutMinutes: 20,
  // The machine has two cores.
  concurrency: 2,
  reporters: ['progress', 'json', 'html'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  // The per-module threshold is enforced by packages/testing/src/mutation/run-mutation.ts.
  thresholds: { high: 90, low: 80, break: null },
  ignorePatterns: ['.cache', 'test-artifacts', 'reports', 'bench', '**/dist'],
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
