import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { cacheDir } from './paths.ts';
import { isAlive } from './processes.ts';

/** Restart backoff of a crashed service: doubling, capped; reset once it has run a while. */
export const SERVICE_RESTART = { initialMs: 1_000, maxMs: 30_000, stableAfterMs: 60_000 } as const;

/** How one service is started: the command and its arguments, run from `cwd`. */
export interface ServiceCommand {
  name: string;
  command: string;
  args: string[];
  cwd: string;
  env?: NodeJS.ProcessEnv;
}

export interface SupervisorOptions {
  /** Where each output line goes (prefixed with the service's name). */
  out: (line: string) => void;
  /** Folder of the pid and restart-request files that `npm run service` uses. */
  controlDir?: string;
  restart?: { initialMs?: number; maxMs?: number; stableAfterMs?: number };
  /** How long a service may take to stop after its SIGTERM before it is killed. */
  stopTimeoutMs?: number;
}

interface Supervised {
  cmd: ServiceCommand;
  child: ChildProcess | undefined;
  startedAt: number;
  attempt: number;
  restarts: number;
  timer: NodeJS.Timeout | undefined;
}

/** Where `npm start` keeps the pid of each service and the restart requests for it. */
export function serviceControlDir(): string {
  return cacheDir('services');
}

const pidFile = (dir: string, name: string) => join(dir, `${name}.pid`);
const requestFile = (dir: string, name: string) => join(dir, `${name}.restart-requested`);

/**
 * Runs services as child processes and keeps them running: a service that exits without
 * being asked to is started again after a backoff, with a line that says so, for as long as
 * the supervisor runs. Each child is the leader of its own process group, so a Ctrl-C in the
 * terminal reaches only the launcher, which then sends each service exactly one SIGTERM.
 */
export class ServiceSupervisor {
  private readonly services = new Map<string, Supervised>();
  private stopping = false;
  private readonly controlDir: string;

  constructor(private readonly opts: SupervisorOptions) {
    this.controlDir = opts.controlDir ?? serviceControlDir();
  }

  /** Starts a service and supervises it from now on. */
  add(cmd: ServiceCommand): void {
    const s: Supervised = { cmd, child: undefined, startedAt: 0, attempt: 0, restarts: 0, timer: undefined };
    this.services.set(cmd.name, s);
    this.spawn(s);
  }

  names(): string[] {
    return [...this.services.keys()];
  }

  pid(name: string): number | undefined {
    return this.services.get(name)?.child?.pid;
  }

  restartsOf(name: string): number {
    return this.services.get(name)?.restarts ?? 0;
  }

  private spawn(s: Supervised): void {
    const { cmd } = s;
    // detached: a process group of its own, out of reach of the terminal's Ctrl-C.
    const child = spawn(cmd.command, cmd.args, {
      cwd: cmd.cwd,
      env: cmd.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    s.child = child;
    s.startedAt = Date.now();
    if (child.pid !== undefined) writeFileSync(pidFile(this.controlDir, cmd.name), String(child.pid));
    for (const stream of [child.stdout, child.stderr]) {
      if (stream)
        createInterface({ input: stream }).on('line', (line) => this.opts.out(`[${cmd.name}] ${line}`));
    }
    child.on('error', (err) => this.opts.out(`[platform] ${cmd.name} could not start: ${err.message}`));
    child.on('exit', (code, signal) => this.onExit(s, child, code, signal));
  }

  private onExit(
    s: Supervised,
    child: ChildProcess,
    code: number | null,
    signal: NodeJS.Signals | null,
  ): void {
    if (s.child !== child) return;
    s.child = undefined;
    rmSync(pidFile(this.controlDir, s.cmd.name), { force: true });
    if (this.stopping) return;
    const name = s.cmd.name;
    const requested = existsSync(requestFile(this.controlDir, name));
    rmSync(requestFile(this.controlDir, name), { force: true });
    s.restarts++;
    if (requested) {
      this.opts.out(
        `[platform] ${name} stopped on request (code ${code}, signal ${signal}); starting it again`,
      );
      s.attempt = 0;
      this.spawn(s);
      return;
    }
    const r = { ...SERVICE_RESTART, ...this.opts.restart };
    s.attempt = Date.now() - s.startedAt > r.stableAfterMs ? 1 : s.attempt + 1;
    const waitMs = Math.min(r.maxMs, r.initialMs * 2 ** (s.attempt - 1));
    this.opts.out(
      `[platform] ${name} exited unexpectedly (code ${code}, signal ${signal}); restarting in ${waitMs} ms (restart #${s.restarts})`,
    );
    s.timer = setTimeout(() => {
      s.timer = undefined;
      if (!this.stopping) this.spawn(s);
    }, waitMs);
  }

  /**
   * Stops every service: one SIGTERM each (they finish their work and leave their consumer
   * groups), then SIGKILL for any still running after the timeout.
   */
  async stopAll(): Promise<void> {
    this.stopping = true;
    const running: Array<Promise<unknown>> = [];
    for (const s of this.services.values()) {
      clearTimeout(s.timer);
      const child = s.child;
      if (!child || child.exitCode !== null || child.signalCode !== null) continue;
      // 'close', not 'exit': the last lines a service writes as it shuts down can reach the pipe
      // after its exit is seen, and they are the lines an operator needs.
      running.push(new Promise((resolve) => child.once('close', resolve)));
      child.kill('SIGTERM');
    }
    const timeout = new Promise((resolve) => setTimeout(resolve, this.opts.stopTimeoutMs ?? 20_000).unref());
    await Promise.race([Promise.all(running), timeout]);
    for (const s of this.services.values()) {
      if (s.child && s.child.exitCode === null && s.child.signalCode === null) {
        this.opts.out(`[platform] ${s.cmd.name} did not stop in time; killing it`);
        s.child.kill('SIGKILL');
      }
    }
  }
}

/**
 * Asks the running launcher to restart a service (`npm run service -- restart NAME`): marks
 * the restart as requested and sends the service one SIGTERM; the launcher starts it again
 * once it has shut down gracefully. Returns the pid that was signalled.
 */
export function requestRestart(name: string, controlDir = serviceControlDir()): number {
  const file = pidFile(controlDir, name);
  const pid = existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) : Number.NaN;
  if (!Number.isInteger(pid) || !isAlive(pid)) {
    throw new Error(`${name} is not running under \`npm start\` (no live pid in ${file})`);
  }
  writeFileSync(requestFile(controlDir, name), new Date().toISOString());
  process.kill(pid, 'SIGTERM');
  return pid;
}

/** The services the running launcher supervises, with their pids. */
export function runningServices(controlDir = serviceControlDir()): Array<{ name: string; pid: number }> {
  const out: Array<{ name: string; pid: number }> = [];
  for (const f of readdirSync(controlDir)) {
    if (!f.endsWith('.pid')) continue;
    const pid = Number(readFileSync(join(controlDir, f), 'utf8').trim());
    if (Number.isInteger(pid) && isAlive(pid)) out.push({ name: f.slice(0, -4), pid });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}
