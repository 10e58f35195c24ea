import { existsSync } from 'node:fs';
import { LauncherError, runSetup } from '../processes.ts';

/** Where Debian's `chromium` package puts the browser. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * The headless browser for end-to-end tests: Debian's `chromium`, never a browser that a
 * test tool downloads (those builds are not reachable from the project's machines). Installs
 * the package with apt-get when it is missing (a fresh CI machine starts without it; the
 * first install takes minutes) and returns its path.
 */
export async function ensureChromium(): Promise<string> {
  if (existsSync(CHROMIUM_PATH)) return CHROMIUM_PATH;
  // The package lists of a fresh machine are empty or stale: update first.
  await runSetup('chromium', 'apt-get', ['update', '-qq']);
  await runSetup('chromium', 'apt-get', ['install', '-y', '-qq', 'chromium'], {
    DEBIAN_FRONTEND: 'noninteractive',
  });
  if (!existsSync(CHROMIUM_PATH))
    throw new LauncherError('chromium', `${CHROMIUM_PATH} is still missing after apt-get install`);
  return CHROMIUM_PATH;
}
