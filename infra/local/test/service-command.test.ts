import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from '../src/paths.ts';
import { SERVICE_NODE_OPTIONS, serviceCommand } from '../src/service-command.ts';

const SERVICES = readdirSync(join(repoRoot, 'services')).filter((s) =>
  existsSync(join(repoRoot, 'services', s, 'src', 'main.ts')),
);

describe('how a service is started', () => {
  it("runs node with the service's V8 flags, then the caller's, then tsx's loader and its main", () => {
    const { command, args } = serviceCommand('intake', ['--cpu-prof']);
    expect(command).toBe(process.execPath);
    expect(args).toEqual([
      '--max-semi-space-size=64',
      '--cpu-prof',
      '--import',
      'tsx',
      join(repoRoot, 'services', 'intake', 'src', 'main.ts'),
    ]);
    expect(existsSync(args.at(-1)!)).toBe(true);
    // A service with no flags of its own gets node's defaults.
    expect(serviceCommand('dashboard').args).toEqual([
      '--import',
      'tsx',
      join(repoRoot, 'services', 'dashboard', 'src', 'main.ts'),
    ]);
  });

  it('names only services that exist', () => {
    for (const name of Object.keys(SERVICE_NODE_OPTIONS)) expect(SERVICES).toContain(name);
  });

  it('gives docker-compose the same V8 flags per service, as NODE_OPTIONS', () => {
    const compose = parse(readFileSync(join(repoRoot, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
      services: Record<string, { environment?: Record<string, unknown> }>;
    };
    for (const name of SERVICES) {
      const env = compose.services[name]?.environment;
      expect(env?.SERVICE, name).toBe(name);
      expect(env?.NODE_OPTIONS, name).toBe(SERVICE_NODE_OPTIONS[name]);
    }
  });
});
