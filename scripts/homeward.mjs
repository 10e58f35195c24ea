#!/usr/bin/env node
// The entry point behind the root npm scripts. It must run on a fresh clone with nothing but
// Node and npm, so it has no dependencies: it brings pnpm (pinned, into .cache/tools), installs
// the workspace, then hands over to the TypeScript tooling (launcher, test runner, supervisor).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const toolsDir = join(root, '.cache', 'tools');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const pnpmVersion = pkg.packageManager.split('@')[1];
const pnpmBin = join(toolsDir, 'node_modules', '.bin', 'pnpm');

function run(cmd, args, opts = {}) {
  const res = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
  if (res.status !== 0) {
    process.stderr.write(`homeward: '${cmd} ${args.join(' ')}' failed with exit code ${res.status}\n`);
    process.exit(res.status ?? 1);
  }
}

function ensurePnpm() {
  if (existsSync(pnpmBin)) return;
  mkdirSync(toolsDir, { recursive: true });
  process.stderr.write(`homeward: installing pnpm ${pnpmVersion} into .cache/tools\n`);
  run('npm', [
    'install',
    '--no-save',
    '--no-audit',
    '--no-fund',
    '--prefix',
    toolsDir,
    `pnpm@${pnpmVersion}`,
  ]);
}

function ensureInstalled() {
  ensurePnpm();
  const stamp = join(root, 'node_modules', '.modules.yaml');
  const lock = join(root, 'pnpm-lock.yaml');
  // Reinstall only when the lock changed since the last install: keeps warm runs fast.
  if (existsSync(stamp) && existsSync(lock) && statSync(stamp).mtimeMs >= statSync(lock).mtimeMs) return;
  const frozen = process.env.CI ? ['--frozen-lockfile'] : [];
  run(pnpmBin, ['install', ...frozen, '--reporter=append-only']);
}

function tsx(script, args) {
  const child = spawn(join(root, 'node_modules', '.bin', 'tsx'), [script, ...args], {
    stdio: 'inherit',
    cwd: root,
  });
  // The child owns signal handling (graceful shutdown); we only mirror its exit.
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => {});
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

const [command = 'help', ...rest] = process.argv.slice(2);
switch (command) {
  case 'start':
    ensureInstalled();
    tsx('infra/local/src/start-platform.ts', rest);
    break;
  case 'simulate':
    ensureInstalled();
    tsx('packages/simulator/src/cli.ts', rest);
    break;
  case 'service':
    ensureInstalled();
    tsx('infra/local/src/service-cli.ts', rest);
    break;
  case 'test':
    ensureInstalled();
    tsx('infra/local/src/run-tests.ts', rest);
    break;
  case 'test-other-backend':
    ensureInstalled();
    tsx('infra/local/src/other-backend-tests.ts', rest);
    break;
  case 'infra':
    ensureInstalled();
    tsx('infra/local/src/cli.ts', rest);
    break;
  case 'chaos':
    ensureInstalled();
    tsx('chaos/src/run.ts', rest);
    break;
  case 'bench':
    ensureInstalled();
    tsx('bench/src/run.ts', rest);
    break;
  case 'pnpm':
    ensureInstalled();
    run(pnpmBin, rest);
    break;
  default:
    process.stdout.write(
      'usage: node scripts/homeward.mjs start|service restart NAME|test|test-other-backend|infra up|down|status|bench|chaos [--short]|pnpm ...\n',
    );
}
