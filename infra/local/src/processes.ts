import { type SpawnOptions, spawn, spawnSync } from 'node:child_process';
import { existsSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { cacheDir } from './paths.ts';

/** A failure the launcher explains: which component, why, and where its log is. */
export class LauncherError extends Error {
  constructor(
    readonly component: string,
    message: string,
    readonly logFile?: string,
  ) {
    super(`${component}: ${message}${logFile ? ` (log: ${logFile})` : ''}`);
    this.name = 'LauncherError';
  }
}

export function logPath(name: string): string {
  return join(cacheDir('logs'), `${name}.log`);
}

function pidPath(name: string): string {
  return join(cacheDir('pids'), `${name}.pid`);
}

export function readPid(name: string): number | undefined {
  const file = pidPath(name);
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').trim());
  return Number.isInteger(pid) && isAlive(pid) ? pid : undefined;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts a long-running server detached from this process (it outlives `up`), with its output
 * appended to its log file and its pid recorded for `down`.
 */
export function spawnDetached(name: string, cmd: string, args: string[], opts: SpawnOptions = {}): number {
  const log = openSync(logPath(name), 'a');
  const child = spawn(cmd, args, { ...opts, detached: true, stdio: ['ignore', log, log] });
  if (child.pid === undefined) throw new LauncherError(name, `could not start ${cmd}`, logPath(name));
  child.unref();
  writeFileSync(pidPath(name), String(child.pid));
  return child.pid;
}

/** Stops a server started by {@link spawnDetached}: SIGTERM, then SIGKILL after the grace period. */
export async function stopProcess(name: string, graceMs = 30_000): Promise<boolean> {
  const pid = readPid(name);
  rmSync(pidPath(name), { force: true });
  if (pid === undefined) return false;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(100);
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  while (isAlive(pid)) await sleep(50);
  return true;
}

/**
 * Runs a setup command to completion (an install or a build) without blocking the event loop,
 * so the components' setups run side by side; fails with its output in a log file.
 */
export function runSetup(
  component: string,
  cmd: string,
  args: string[],
  env?: NodeJS.ProcessEnv,
  opts: { input?: string; display?: string } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      env: { ...process.env, ...env },
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    // Secrets go in on standard input, never in argv (which `ps` shows).
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (b: Buffer) => out.push(b));
    child.stderr?.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => reject(new LauncherError(component, `${cmd} could not run: ${e.message}`)));
    child.on('close', (code) => {
      const stdout = Buffer.concat(out).toString('utf8');
      if (code === 0) return resolve(stdout);
      const log = logPath(`${component}-setup`);
      writeFileSync(log, `${stdout}\n${Buffer.concat(err).toString('utf8')}`);
      reject(
        new LauncherError(
          component,
          `'${opts.display ?? `${cmd} ${args.join(' ')}`}' exited with ${code}`,
          log,
        ),
      );
    });
  });
}

export function which(cmd: string): string | undefined {
  const res = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return res.status === 0 ? res.stdout.trim() : undefined;
}

/** Polls `probe` until it resolves true, or fails with the probe's last error. */
export async function waitUntil(
  component: string,
  probe: () => Promise<boolean>,
  opts: { timeoutMs: number; pid?: number; logFile?: string },
): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (opts.pid !== undefined && !isAlive(opts.pid)) {
      throw new LauncherError(component, 'the process exited during start-up', opts.logFile);
    }
    try {
      if (await probe()) return;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    await sleep(200);
  }
  throw new LauncherError(component, `did not answer within ${opts.timeoutMs} ms (${last})`, opts.logFile);
}
