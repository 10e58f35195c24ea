import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { cacheDir, repoRoot } from './paths.ts';

/** The contract's HTTP ports (DESIGN.md), the dashboard first. */
export const SERVICE_PORTS: Record<string, number> = {
  dashboard: 8080,
  intake: 8081,
  'rescue-coordination': 8082,
  placement: 8083,
  'dna-tracking': 8084,
  notifications: 8085,
};

/**
 * A service's port: the default its own `src/config.ts` declares (so a service added later is
 * in the banner without a second list to keep), else the contract's.
 */
export function servicePort(name: string): number | undefined {
  try {
    const text = readFileSync(join(repoRoot, 'services', name, 'src', 'config.ts'), 'utf8');
    const m = /PORT:\s*Type\.Integer\(\{\s*default:\s*(\d+)/.exec(text);
    if (m) return Number(m[1]);
  } catch {
    // no config file: the contract's list
  }
  return SERVICE_PORTS[name];
}

/** Every address the banner names: the dashboard's page and each service's API docs. */
export function bannerUrls(services: Record<string, string>): Array<{ label: string; url: string }> {
  const out: Array<{ label: string; url: string }> = [];
  if (services.dashboard) out.push({ label: 'dashboard', url: `${services.dashboard}/` });
  for (const [name, base] of Object.entries(services))
    out.push({ label: `${name} API`, url: `${base}/docs` });
  return out;
}

/** The development operator key, read from the credentials file at run time (never copied). */
export function operatorKey(
  credentialsFile = join(repoRoot, 'infra/local/dev-credentials.json'),
): string | undefined {
  try {
    const creds = JSON.parse(readFileSync(credentialsFile, 'utf8')) as Array<{
      key: string;
      role: string;
      region: string;
    }>;
    const ops = creds.filter((c) => c.role === 'operator').sort((a, b) => a.region.localeCompare(b.region));
    // The broadest operator (the province's office) sees the whole story.
    return ops.find((c) => c.region.endsWith('0000'))?.key ?? ops[0]?.key;
  } catch {
    return undefined;
  }
}

/**
 * The lines `npm start` ends its start-up with: where the page is, the key to sign in with,
 * where each service's API is described, how to play the demo, where logs go.
 */
export function bannerLines(opts: {
  services: Record<string, string>;
  operatorKey: string | undefined;
  logFormat: 'json' | 'pretty';
  demo?: string;
}): string[] {
  const urls = bannerUrls(opts.services);
  const width = Math.max(...urls.map((u) => u.label.length)) + 2;
  const logs = relative(repoRoot, cacheDir('logs')) || cacheDir('logs');
  return [
    '',
    '──────────────── Homeward is running ────────────────',
    ...urls.map((u) => `  ${u.label.padEnd(width)}${u.url}`),
    '',
    `  sign in to the dashboard with the development operator key:`,
    `    ${opts.operatorKey ?? '(no operator in infra/local/dev-credentials.json)'}`,
    '    (every development key, by role and agency: infra/local/dev-credentials.json)',
    '',
    opts.demo
      ? `  demo: the simulator is playing "${opts.demo}"; watch the dashboard`
      : '  demo: `npm run demo` starts the platform with a province playing a campaign day;',
    opts.demo
      ? ''
      : '        with the platform up, `npm run simulate -- --scenario drill` plays a short drill',
    `  logs: services here (${opts.logFormat === 'pretty' ? 'readable lines' : 'JSON lines'}, LOG_FORMAT=json|pretty, LOG_LEVEL);`,
    `        Kafka, FerretDB and Redis in ${logs}/<name>.log`,
    '  Ctrl-C stops everything',
    '─────────────────────────────────────────────────────',
    '',
  ].filter((l, i, all) => !(l === '' && all[i - 1] === ''));
}

/** Waits until each service answers `/health/ready` 200, or the timeout passes; returns those not ready. */
export async function waitForServices(
  services: Record<string, string>,
  timeoutMs: number,
): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let waiting = Object.keys(services);
  while (waiting.length > 0 && Date.now() < deadline) {
    const still: string[] = [];
    for (const name of waiting) {
      try {
        const res = await fetch(`${services[name]}/health/ready`, { signal: AbortSignal.timeout(2_000) });
        await res.arrayBuffer();
        if (res.status !== 200) still.push(name);
      } catch {
        still.push(name);
      }
    }
    waiting = still;
    if (waiting.length > 0) await sleep(1_000);
  }
  return waiting;
}
