// `npm start`: the infrastructure, then every service that exists under services/, each in its
// own process with its output prefixed. Ctrl-C stops the services gracefully (they get SIGTERM
// and finish in-flight work), then the infrastructure this launcher started.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { down, up } from './launcher.ts';
import { repoRoot } from './paths.ts';
import { LauncherError } from './processes.ts';

const out = (line: string) => process.stdout.write(`${line}\n`);

function discoverServices(): string[] {
  const dir = join(repoRoot, 'services');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => existsSync(join(dir, name, 'src', 'main.ts')))
    .sort();
}

async function main(): Promise<void> {
  const t0 = performance.now();
  for (const r of await up()) out(`[infra] ${r.component} ${r.outcome} in ${r.ms} ms`);
  out(`[infra] ready in ${Math.round(performance.now() - t0)} ms`);

  const children = new Map<string, ChildProcess>();
  let stopping = false;
  for (const name of discoverServices()) {
    const child = spawn(
      join(repoRoot, 'node_modules', '.bin', 'tsx'),
      [join('services', name, 'src', 'main.ts')],
      {
        cwd: repoRoot,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: process.env,
      },
    );
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream! }).on('line', (line) => out(`[${name}] ${line}`));
    }
    child.on('exit', (code, signal) => {
      children.delete(name);
      if (!stopping) out(`[${name}] exited unexpectedly (code ${code}, signal ${signal})`);
    });
    children.set(name, child);
  }
  out(`[platform] started: ${[...children.keys()].join(', ') || 'no services yet'}; Ctrl-C stops everything`);

  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    out(`[platform] ${signal}: stopping services`);
    const exits = [...children.values()].map((c) => new Promise((r) => c.once('exit', r)));
    for (const c of children.values()) c.kill('SIGTERM');
    await Promise.race([Promise.all(exits), new Promise((r) => setTimeout(r, 20_000))]);
    for (const c of children.values()) c.kill('SIGKILL');
    out(
      `[platform] stopping infrastructure: ${(await down()).join(', ') || 'nothing this launcher started'}`,
    );
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  process.stderr.write(
    `[platform] ${err instanceof LauncherError ? err.message : String((err as Error)?.stack ?? err)}\n`,
  );
  process.exit(1);
});
