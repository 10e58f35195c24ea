import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, found from this file's place in it. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/**
 * Everything the launcher downloads, builds or writes lives under `.cache/infra` (git-ignored),
 * overridable with HOMEWARD_CACHE so several checkouts can share one download.
 */
export function cacheDir(...parts: string[]): string {
  const base = process.env.HOMEWARD_CACHE ?? join(repoRoot, '.cache', 'infra');
  const dir = join(base, ...parts);
  mkdirSync(dir, { recursive: true });
  return dir;
}
