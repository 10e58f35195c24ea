// A phase of `npm test` before the integration tests: tools they need that are built rather
// than installed (promtool, from its Go module), built here once into the cache so the build
// never runs inside a test's timeout while other tests share the cores. Prints what it cost.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePromtool, PROMTOOL_VERSION } from './components/promtool.ts';
import { cacheDir } from './paths.ts';

const cached = existsSync(join(cacheDir('bin'), `promtool-${PROMTOOL_VERSION}`));
const t0 = performance.now();
const bin = await ensurePromtool();
const secs = ((performance.now() - t0) / 1000).toFixed(1);
process.stdout.write(
  `promtool ${PROMTOOL_VERSION}: ${cached ? 'cached' : `built from its Go module in ${secs} s`} (${bin})\n`,
);
