// `npm run bench [-- NAME... [-- ARGS]]`: runs the named benchmarks (all of them without a name)
// one after another, each in its own process so one's load never overlaps another's, and stops
// at the first that fails. NAME is a file's stem: intake-throughput, notifications-fanout, ...
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineSpeedLine } from './machine-speed.ts';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..', '..');
const available = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.slice(0, -'.bench.ts'.length))
  .sort();

const argv = process.argv.slice(2);
const split = argv.indexOf('--');
const names = split === -1 ? argv : argv.slice(0, split);
const passThrough = split === -1 ? [] : argv.slice(split + 1);
const chosen = names.length === 0 ? available : names;
const unknown = chosen.filter((n) => !available.includes(n));
if (unknown.length > 0) {
  process.stderr.write(`unknown benchmark ${unknown.join(', ')}; available: ${available.join(', ')}\n`);
  process.exit(2);
}
for (const name of chosen) {
  process.stdout.write(`\n── bench ${name}\n`);
  // The machine's speed beside each benchmark (see machine-speed.ts): before and after it.
  process.stdout.write(`before: ${await machineSpeedLine()}\n`);
  const res = spawnSync(
    join(repoRoot, 'node_modules', '.bin', 'tsx'),
    [join(here, `${name}.bench.ts`), ...passThrough],
    // gc() for the memory figures.
    {
      stdio: 'inherit',
      cwd: repoRoot,
      env: { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --expose-gc`.trim() },
    },
  );
  if (res.status !== 0) {
    process.stderr.write(`bench ${name} failed with exit code ${res.status}\n`);
    process.exit(res.status ?? 1);
  }
  process.stdout.write(`after: ${await machineSpeedLine()}\n`);
}
