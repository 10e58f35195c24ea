// A Stryker test runner: Stryker's own vitest runner, with one correction.
//
// Why: @stryker-mutator/vitest-runner 9.x counts only the tests vitest collected (stryker-js
// issue 6150). A test file that fails to import (a mutant that throws while a module loads, a
// broken import path) collects no tests, so no test fails: in a mutant run the mutant is
// reported as surviving, and in the dry run the file's tests silently vanish (their mutants show
// as "no coverage"). This runner looks at the files vitest ran: a file that failed outside any
// test kills the mutant, and fails the dry run with the file named. Plain JavaScript because
// Stryker loads plugins with Node's own import.
import { commonTokens, declareFactoryPlugin, PluginKind, tokens } from '@stryker-mutator/api/plugin';
import { DryRunStatus, MutantRunStatus } from '@stryker-mutator/api/test-runner';
import { strykerPlugins as vitestPlugins } from '@stryker-mutator/vitest-runner';

const vitestRunner = vitestPlugins.find((p) => p.kind === PluginKind.TestRunner && p.name === 'vitest');
if (!vitestRunner) throw new Error('@stryker-mutator/vitest-runner no longer declares its "vitest" runner');

/**
 * The test files of the last run that failed outside any test (at import, or in a file-level
 * hook), with their first error. Reads the vitest instance the wrapped runner keeps (`ctx`).
 * @param {unknown} inner
 * @returns {Array<{ file: string, error: string }>}
 */
function fileFailures(inner) {
  const ctx = /** @type {{ ctx?: { state: { getFiles(): any[] } } }} */ (inner).ctx;
  if (!ctx)
    throw new Error('the vitest runner keeps no vitest instance: the import guard cannot see its files');
  return ctx.state
    .getFiles()
    .filter((f) => f.result?.state === 'fail' && (f.result.errors?.length ?? 0) > 0)
    .map((f) => ({ file: f.filepath, error: String(f.result.errors[0]?.message ?? 'failed') }));
}

const describeFailures = (failures) => failures.map((f) => `${f.file}: ${f.error}`).join('\n');

class ImportGuardedVitestRunner {
  /** @param {any} inner Stryker's vitest runner */
  constructor(inner) {
    this.inner = inner;
  }

  capabilities() {
    return this.inner.capabilities();
  }

  init() {
    return this.inner.init();
  }

  async dryRun(options) {
    const result = await this.inner.dryRun(options);
    const failures = fileFailures(this.inner);
    if (failures.length === 0) return result;
    return {
      status: DryRunStatus.Error,
      errorMessage: `test files failed outside their tests (fix them before mutating):\n${describeFailures(failures)}`,
    };
  }

  async mutantRun(options) {
    const result = await this.inner.mutantRun(options);
    if (result.status !== MutantRunStatus.Survived) return result;
    const failures = fileFailures(this.inner);
    if (failures.length === 0) return result;
    return {
      status: MutantRunStatus.Killed,
      killedBy: [],
      failureMessage: `a test file failed to load with this mutant:\n${describeFailures(failures)}`,
      nrOfTests: result.nrOfTests,
    };
  }

  dispose() {
    return this.inner.dispose();
  }
}

function createImportGuardedVitestRunner(injector) {
  return new ImportGuardedVitestRunner(injector.injectFunction(vitestRunner.factory));
}
createImportGuardedVitestRunner.inject = tokens(commonTokens.injector);

/** Stryker's plugin list: the runner is named `vitest-import-guard` in stryker.config.mjs. */
export const strykerPlugins = [
  declareFactoryPlugin(PluginKind.TestRunner, 'vitest-import-guard', createImportGuardedVitestRunner),
];
