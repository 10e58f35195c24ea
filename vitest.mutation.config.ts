import { defineConfig } from 'vitest/config';
import { QuickFirstSequencer } from './packages/testing/src/mutation/quick-first-sequencer.ts';
import { unitProject } from './vitest.config.ts';

// What Stryker runs (stryker.config.mjs): the unit project alone, as a plain config, because
// Stryker's vitest runner has no option to pick a project. Mutants are checked against unit
// tests only: an integration test per mutant would take hours, and the rules live in domain/.
// Instrumented code runs several times slower, and a mutant that loops is Stryker's to time out
// (its own timeout, from the initial run's times), so vitest's per-test limit only has to be
// generous. Files run quickest first (see QuickFirstSequencer): a killed mutant stops at the first
// failing test, so a cheap known-answer test that kills it spares the slow ones.
// Which tests a mutation run may use: the domain tests (see stryker.config.mjs for why here and
// not in Stryker's `testFiles`), or the comma-separated globs run-mutation.ts passes in
// MUTATION_TEST_FILES when the run mutates some services only.
const mutationTests = process.env.MUTATION_TEST_FILES?.split(',').filter((g) => g.trim() !== '') ?? [
  'services/*/test/domain/**/*.test.ts',
];

export default defineConfig({
  test: {
    ...unitProject,
    include: mutationTests,
    // Unlike the unit loop, every test file imports its modules afresh: a static mutant (a
    // module-level constant) is only active in modules evaluated after it was switched on.
    isolate: true,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    sequence: { sequencer: QuickFirstSequencer },
  },
});
