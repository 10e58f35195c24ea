import { defineConfig } from 'vitest/config';

// One run over the whole workspace. Integration tests wait on real brokers and databases far
// more than they compute, so a few more workers than cores keeps the 2-core machine busy.
export default defineConfig({
  test: {
    include: [
      'packages/*/test/**/*.test.ts',
      'services/*/test/**/*.test.ts',
      'infra/local/test/**/*.test.ts',
    ],
    pool: 'forks',
    maxWorkers: 4,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default'],
    globalSetup: ['packages/testing/src/global-setup.ts'],
  },
});
