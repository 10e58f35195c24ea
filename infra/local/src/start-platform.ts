// `npm start`: the infrastructure, then every service that exists under services/, each in its
// own process (and process group) with its output prefixed, supervised: a service that exits
// unexpectedly is started again after a backoff. Ctrl-C reaches only this launcher, which sends
// each service exactly one SIGTERM (they finish in-flight work and leave their consumer
// groups), then stops the infrastructure this launcher started.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { bannerLines, operatorKey, servicePort, waitForServices } from './banner.ts';
import { deleteOldTestTopics, down, up } from './launcher.ts';
import { repoRoot } from './paths.ts';
import { LauncherError } from './processes.ts';
import { serviceCommand } from './service-command.ts';
import { ServiceSupervisor } from './supervisor.ts';

const out = (line: string) => process.stdout.write(`${line}\n`);

function discoverServices(): string[] {
  const dir = join(repoRoot, 'services');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => existsSync(join(dir, name, 'src', 'main.ts')))
    .sort();
}

/** `--demo [scenario]`: after start-up, the simulator plays a scenario (campaign-day by default). */
function demoScenario(args: string[]): string | undefined {
  const i = args.indexOf('--demo');
  if (i < 0) return undefined;
  const next = args[i + 1];
  return next && !next.startsWith('--') ? next : 'campaign-day';
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const demo = demoScenario(process.argv.slice(2));
  // Readable lines when a person watches this terminal; JSON for a collector or a file.
  const logFormat = (process.env.LOG_FORMAT ?? (process.stdout.isTTY ? 'pretty' : 'json')) as
    | 'json'
    | 'pretty';
  for (const r of await up()) out(`[infra] ${r.component} ${r.outcome} in ${r.ms} ms`);
  out(`[infra] ready in ${Math.round(performance.now() - t0)} ms`);
  // Housekeeping beside the platform, never before it: on a broker with thousands of old test
  // partitions it takes minutes.
  deleteOldTestTopics().then(
    (n) => n > 0 && out(`[infra] deleted the topics of ${n} old test runs`),
    (err: unknown) => out(`[infra] old test topics not deleted: ${String(err)}`),
  );

  const supervisor = new ServiceSupervisor({ out });
  for (const name of discoverServices()) {
    // One process per service (see serviceCommand), so the SIGTERM it gets is the only one.
    supervisor.add({
      name,
      ...serviceCommand(name),
      cwd: repoRoot,
      env: { ...process.env, LOG_FORMAT: logFormat },
    });
  }
  out(
    `[platform] started: ${supervisor.names().join(', ') || 'no services yet'}; ` +
      '`npm run service -- restart NAME` restarts one; Ctrl-C stops everything',
  );

  // The dashboard first, then the others as discovered.
  const services = Object.fromEntries(
    supervisor
      .names()
      .sort((a, b) => Number(b === 'dashboard') - Number(a === 'dashboard'))
      .flatMap((n) => {
        const port = servicePort(n);
        return port === undefined ? [] : [[n, `http://127.0.0.1:${port}`]];
      }),
  );
  const slow = await waitForServices(services, 180_000);
  if (slow.length > 0)
    out(`[platform] not ready after 180 s: ${slow.join(', ')} (their lines above say why)`);
  for (const line of bannerLines({
    services,
    operatorKey: operatorKey(),
    logFormat,
    ...(demo ? { demo } : {}),
  }))
    out(line);
  if (demo) {
    // The simulator as one more supervised process: agency systems and units, from outside.
    supervisor.add({
      name: 'simulator',
      command: process.execPath,
      args: ['--import', 'tsx', join('packages', 'simulator', 'src', 'cli.ts'), '--scenario', demo, '--hold'],
      cwd: repoRoot,
    });
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    // The terminal's SIGINT may arrive twice (directly and relayed by the npm wrapper): once is enough.
    if (stopping) return;
    stopping = true;
    out(`[platform] ${signal}: stopping services`);
    await supervisor.stopAll();
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
