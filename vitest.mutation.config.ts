import { defineConfig } from 'vitest/config';
import { unitProject } from './vitest.config.ts';

// What Stryker runs (stryker.config.mjs): the unit project alone, as a plain config, because
// Stryker's vitest runner has no option to pick a project. Mutants are checked against unit
// tests only: an integration test per mutant would take hours, and the rules live in domain/.
export default defineConfig({ test: unitProject });
