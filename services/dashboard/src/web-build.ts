import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '@homeward/service-kit';

/** The page's sources, and where Vite writes the built page (git-ignored). */
export const WEB_ROOT = fileURLToPath(new URL('../web/', import.meta.url));
export const WEB_DIST = join(WEB_ROOT, 'dist');

/** The newest modification time among the page's sources. */
function newestSource(dir = join(WEB_ROOT, 'src')): number {
  let newest = statSync(join(WEB_ROOT, 'index.html')).mtimeMs;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Whether `web/dist` holds a page built from the current sources. */
export function webBuildIsFresh(): boolean {
  const index = join(WEB_DIST, 'index.html');
  return existsSync(index) && statSync(index).mtimeMs >= newestSource();
}

/**
 * Builds the page with Vite when `web/dist` is missing or older than its sources (a fresh
 * checkout, CI, an edited page). The build goes to a folder of its own and is renamed into
 * place, so two processes starting at once never serve a half-written page: the first rename
 * wins, the other build is discarded.
 */
export async function ensureWebBuild(logger: Logger): Promise<string> {
  if (webBuildIsFresh()) return WEB_DIST;
  const cache = fileURLToPath(new URL('../.cache/', import.meta.url));
  mkdirSync(cache, { recursive: true });
  const outDir = join(cache, `web-${process.pid}-${Date.now()}`);
  const t0 = performance.now();
  const { build } = await import('vite');
  await build({
    root: WEB_ROOT,
    configFile: false,
    logLevel: 'warn',
    base: '/',
    oxc: { jsx: { runtime: 'automatic' } },
    build: { outDir, emptyOutDir: true, sourcemap: false },
  });
  // A stale build is removed first; if another process has just put a fresh one in place,
  // it is left alone, the rename below fails and this build is discarded.
  if (existsSync(WEB_DIST) && !webBuildIsFresh()) rmSync(WEB_DIST, { recursive: true, force: true });
  try {
    renameSync(outDir, WEB_DIST);
    logger.info({ ms: Math.round(performance.now() - t0) }, 'web page built');
  } catch {
    rmSync(outDir, { recursive: true, force: true });
  }
  return WEB_DIST;
}
