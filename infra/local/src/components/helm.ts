import { existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir } from '../paths.ts';
import { LauncherError, runSetup, which } from '../processes.ts';

/** The Helm release the chart is checked with (infra/helm/homeward). */
export const HELM_VERSION = 'v3.22.0';

/**
 * Builds helm from its Go module (helm.sh/helm/v3, through the Go module proxy), once, into the
 * cache, and answers its path. The machines have Go and no other route to a helm binary.
 * Measured on the 2-core development machine with the module cache cold: 16 min wall clock at a
 * load average of 25 (other builds and tests beside it), 183 s of user CPU; the binary is
 * 105 MB. With Go's module and build caches warm (a fresh clone on a machine that built it
 * before, as CI's is), 16 s. `version.version` is set as helm's own release build sets it, so `helm version`
 * names the release.
 */
export async function ensureHelm(): Promise<string> {
  const binDir = cacheDir('bin');
  const bin = join(binDir, `helm-${HELM_VERSION}`);
  if (existsSync(bin)) return bin;
  if (!which('go')) throw new LauncherError('helm', 'Go is needed to build helm and was not found on PATH');
  // go install names the binary after its package; a folder per build keeps a half-finished
  // build (or two at once) from ever sitting at `bin`.
  const gobin = cacheDir('build', `helm-${HELM_VERSION}-${process.pid}`);
  await runSetup(
    'helm',
    'go',
    [
      'install',
      '-trimpath',
      `-ldflags=-s -w -X helm.sh/helm/v3/internal/version.version=${HELM_VERSION}`,
      `helm.sh/helm/v3/cmd/helm@${HELM_VERSION}`,
    ],
    { GOBIN: gobin, CGO_ENABLED: '0' },
  );
  renameSync(join(gobin, 'helm'), bin);
  rmSync(gobin, { recursive: true, force: true });
  return bin;
}
