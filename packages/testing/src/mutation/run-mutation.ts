// `npm run test:mutation`: Stryker over every service's domain/ modules with the unit tests
// (stryker.config.mjs), then one row per module and a non-zero exit if any module has less than
// the minimum share of its covered mutants killed.
//
//   npm run test:mutation                          every domain module, minimum 90%
//   npm run test:mutation -- --min 85              another minimum (or MUTATION_MIN_SCORE=85)
//   npm run test:mutation -- --mutate 'services/placement/src/domain/**/*.ts'
//                                                  one service (any other Stryker option passes on)
//   npm run test:mutation -- --report-only         the table of the last run, without running
//
// With --mutate naming services' domain modules and no --testFiles, only those services' domain
// tests run (stryker.config.mjs runs every service's): the initial run with coverage then takes
// one service's tests, not the whole unit suite's. The test files reach vitest as
// MUTATION_TEST_FILES (vitest.mutation.config.ts's include), never as Stryker's own `testFiles`
// option, under which Stryker 9.6.1 lets every static mutant survive (see stryker.config.mjs):
// a --testFiles given here is passed on that way too.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatTable, type MutationReport, modulesBelow, scoreModules } from './score-table.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const reportFile = join(root, 'reports', 'mutation', 'mutation.json');
const out = (line: string) => process.stdout.write(`${line}\n`);

let minScore = Number(process.env.MUTATION_MIN_SCORE ?? 90);
let reportOnly = false;
const strykerArgs: string[] = [];
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  const arg = args[i]!;
  if (arg === '--min') minScore = Number(args[++i]);
  else if (arg.startsWith('--min=')) minScore = Number(arg.slice('--min='.length));
  else if (arg === '--report-only') reportOnly = true;
  else strykerArgs.push(arg);
}
const mutateAt = strykerArgs.findIndex((a) => a === '--mutate' || a === '-m');
const mutate = mutateAt >= 0 ? (strykerArgs[mutateAt + 1] ?? '') : '';
const services = [...mutate.matchAll(/services\/([a-z0-9-]+)\/src\/domain\//g)].map((m) => m[1]!);
const testFilesAt = strykerArgs.findIndex((a) => a === '--testFiles' || a === '-t');
let testFiles: string | undefined;
if (testFilesAt >= 0) [, testFiles] = strykerArgs.splice(testFilesAt, 2);
else if (services.length > 0)
  testFiles = [...new Set(services)].map((s) => `services/${s}/test/domain/**/*.test.ts`).join(',');

if (!Number.isFinite(minScore) || minScore < 0 || minScore > 100) {
  out(`test:mutation: the minimum score must be a percentage, not ${minScore}`);
  process.exit(2);
}

if (!reportOnly) {
  const t0 = performance.now();
  const res = spawnSync(join(root, 'node_modules', '.bin', 'stryker'), ['run', ...strykerArgs], {
    stdio: 'inherit',
    cwd: root,
    env: testFiles === undefined ? process.env : { ...process.env, MUTATION_TEST_FILES: testFiles },
  });
  out(`\n── stryker finished in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  if (res.status !== 0) {
    out(`── stryker FAILED (exit code ${res.status})`);
    process.exit(res.status ?? 1);
  }
}
if (!existsSync(reportFile)) {
  out(`test:mutation: no report at ${reportFile}: run without --report-only first`);
  process.exit(2);
}

const scores = scoreModules(JSON.parse(readFileSync(reportFile, 'utf8')) as MutationReport);
out(`\n${formatTable(scores)}\n`);
const below = modulesBelow(scores, minScore);
if (below.length > 0) {
  out(`── ${below.length} module(s) under ${minScore}% of covered mutants killed:`);
  for (const s of below) out(`   ${s.module}`);
  out('   (reports/mutation/mutation.html shows each surviving mutant)');
  process.exit(1);
}
out(`── every module at or above ${minScore}% of covered mutants killed`);
