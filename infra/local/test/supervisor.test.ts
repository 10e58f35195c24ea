import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { requestRestart, runningServices, ServiceSupervisor } from '../src/index.ts';

const fake = new URL('./fixtures/fake-service.mjs', import.meta.url).pathname;

async function until(probe: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

let supervisor: ServiceSupervisor | undefined;
afterEach(async () => {
  await supervisor?.stopAll();
  supervisor = undefined;
});

function start() {
  const lines: string[] = [];
  const controlDir = mkdtempSync(join(tmpdir(), 'supervisor-'));
  supervisor = new ServiceSupervisor({
    out: (l) => lines.push(l),
    controlDir,
    restart: { initialMs: 100, maxMs: 400 },
    stopTimeoutMs: 5_000,
  });
  supervisor.add({ name: 'fake', command: process.execPath, args: [fake], cwd: process.cwd() });
  return { lines, controlDir, sup: supervisor };
}

describe('the service supervisor behind npm start', () => {
  it('starts a killed service again after a backoff, saying so', async () => {
    const { lines, sup } = start();
    await until(() => lines.some((l) => l.startsWith('[fake] started')), 'the first start');
    const first = sup.pid('fake')!;
    process.kill(first, 'SIGKILL');
    await until(() => lines.filter((l) => l.startsWith('[fake] started')).length === 2, 'the restart');
    expect(lines).toContain(
      '[platform] fake exited unexpectedly (code null, signal SIGKILL); restarting in 100 ms (restart #1)',
    );
    expect(sup.pid('fake')).not.toBe(first);
    process.kill(sup.pid('fake')!, 'SIGKILL');
    await until(() => lines.filter((l) => l.startsWith('[fake] started')).length === 3, 'the second restart');
    // The backoff doubles while the service keeps crashing.
    expect(lines.some((l) => l.includes('restarting in 200 ms (restart #2)'))).toBe(true);
    expect(sup.restartsOf('fake')).toBe(2);
  });

  it('runs each service in a process group of its own, out of reach of the terminal Ctrl-C', async () => {
    const { lines, sup } = start();
    await until(() => lines.some((l) => l.startsWith('[fake] started')), 'the start');
    const pid = sup.pid('fake')!;
    const pgid = Number(execFileSync('ps', ['-o', 'pgid=', '-p', String(pid)], { encoding: 'utf8' }).trim());
    expect(pgid).toBe(pid);
    expect(pgid).not.toBe(
      Number(execFileSync('ps', ['-o', 'pgid=', '-p', String(process.pid)], { encoding: 'utf8' }).trim()),
    );
  });

  it('stops each service with exactly one SIGTERM', async () => {
    const { lines, sup } = start();
    await until(() => lines.some((l) => l.startsWith('[fake] started')), 'the start');
    await sup.stopAll();
    supervisor = undefined;
    expect(lines.filter((l) => l.startsWith('[fake] got'))).toEqual(['[fake] got SIGTERM 1']);
    expect(lines.some((l) => l.includes('exited unexpectedly'))).toBe(false);
  });

  it('restarts a service on request (npm run service -- restart NAME) at once', async () => {
    const { lines, controlDir, sup } = start();
    await until(() => lines.some((l) => l.startsWith('[fake] started')), 'the start');
    expect(runningServices(controlDir)).toEqual([{ name: 'fake', pid: sup.pid('fake') }]);
    requestRestart('fake', controlDir);
    await until(() => lines.filter((l) => l.startsWith('[fake] started')).length === 2, 'the restart');
    expect(lines).toContain('[fake] got SIGTERM 1');
    expect(lines).toContain('[platform] fake stopped on request (code 0, signal null); starting it again');
    expect(() => requestRestart('nothing', controlDir)).toThrow(/not running under `npm start`/);
  });
});
