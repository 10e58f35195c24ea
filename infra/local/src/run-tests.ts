// `npm test`: lint and format check, type check, then the unit tests (no infrastructure: a broken
// rule fails in seconds), then the integration tests (whose global setup finds or starts Kafka,
// MongoDB and Redis). Each phase is timed; the first failure stops. With arguments (paths or
// filters), one vitest run over both projects takes them instead: a filter that matches files of
// one project only would otherwise fail the other's run for finding no test files.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './paths.ts';

const bin = (name: string) => join(repoRoot, 'node_modules', '.bin', name);
// Browser code (a service's web/ folder) has its own tsconfig (DOM, JSX); check it too.
const webProjects = readdirSync(join(repoRoot, 'services'))
  .map((s) => join('services', s, 'web', 'tsconfig.json'))
  .filter((p) => existsSync(join(repoRoot, p)));
const phases: Array<[string, string, string[]]> = [
  ['lint and format (biome)', bin('biome'), ['check', '.']],
  ['type check (tsc)', bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']],
  ...webProjects.map((p): [string, string, string[]] => [
    `type check ${p}`,
    bin('tsc'),
    ['-p', p, '--noEmit'],
  ]),
  ...testPhases(process.argv.slice(2)),
];

function testPhases(args: string[]): Array<[string, string, string[]]> {
  if (args.length > 0) return [['tests (vitest)', bin('vitest'), ['run', ...args]]];
  return [
    ['unit tests (vitest project unit)', bin('vitest'), ['run', '--project', 'unit']],
    [
      'tools the integration tests use (promtool)',
      bin('tsx'),
      [join('infra', 'local', 'src', 'ensure-tools.ts')],
    ],
    ['integration tests (vitest project integration)', bin('vitest'), ['run', '--project', 'integration']],
  ];
}

const out = (line: string) => process.stdout.write(`${line}\n`);
const t0 = performance.now();
for (const [name, cmd, args] of phases) {
  const start = performance.now();
  out(`\n── ${name}`);
  const res = spawnSync(cmd, args, { stdio: 'inherit', cwd: repoRoot });
  const secs = ((performance.now() - start) / 1000).toFixed(1);
  if (res.status !== 0) {
    out(`── ${name} FAILED after ${secs} s`);
    process.exit(res.status ?? 1);
  }
  out(`── ${name} passed in ${secs} s`);
}
out(`\nall checks passed in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
