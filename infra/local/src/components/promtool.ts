import { existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir } from '../paths.ts';
import { LauncherError, runSetup, which } from '../processes.ts';

/**
 * Prometheus's module version whose `cmd/promtool` checks the observability files
 * (infra/observability): v0.316.0 is Prometheus 3.x's Go module line.
 */
export const PROMTOOL_MODULE = 'github.com/prometheus/prometheus/cmd/promtool';
export const PROMTOOL_VERSION = 'v0.316.0';

/**
 * promtool, built once from its Go module on the Go module proxy into the cache, as the
 * launcher builds FerretDB. The build compiles Prometheus's service-discovery clients too
 * (cloud SDKs, Kubernetes): on the 2-core development machine it took 9 min 49 s of CPU
 * (55 min of wall time while seven sessions shared the machine); later runs reuse the binary,
 * and Go's build cache makes a rebuild short.
 */
export async function ensurePromtool(): Promise<string> {
  const binDir = cacheDir('bin');
  const bin = join(binDir, `promtool-${PROMTOOL_VERSION}`);
  if (existsSync(bin)) return bin;
  if (!which('go'))
    throw new LauncherError('promtool', 'Go is needed to build promtool and was not found on PATH');
  const gobin = cacheDir('build', `promtool-${PROMTOOL_VERSION}`);
  await runSetup('promtool', 'go', ['install', '-trimpath', `${PROMTOOL_MODULE}@${PROMTOOL_VERSION}`], {
    GOBIN: gobin,
  });
  renameSync(join(gobin, 'promtool'), bin);
  return bin;
}
