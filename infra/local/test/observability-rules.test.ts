/**
 * The Prometheus files in infra/observability, checked by promtool (built from its Go module
 * into the cache by the launcher's `ensurePromtool`, once): both scrape configurations load with
 * the rules they name, the rules parse, and the rules' own unit tests pass (every alert fires on
 * what should fire it, when it should, and not before). That the metrics they name exist is
 * journeys/test/observability.test.ts, against the running services.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensurePromtool } from '../src/components/promtool.ts';
import { repoRoot } from '../src/paths.ts';

const dir = join(repoRoot, 'infra', 'observability');
let promtool: string;

/** Runs promtool in infra/observability; its output on failure. */
function run(...args: string[]): { status: number | null; output: string } {
  const res = spawnSync(promtool, args, { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  return { status: res.status, output: `${res.stdout}\n${res.stderr}` };
}

beforeAll(async () => {
  // A fresh machine builds it here (minutes, once); later runs find it in the cache.
  promtool = await ensurePromtool();
}, 1_800_000);

describe('Prometheus configuration and alert rules (promtool)', () => {
  it.each(['prometheus.yml', 'prometheus.compose.yml'])(
    '%s is a valid configuration with its rules',
    (file) => {
      const r = run('check', 'config', file);
      expect(r.status, r.output).toBe(0);
      expect(r.output).toContain('SUCCESS: 1 rule files found');
    },
  );

  it('the rules parse, and name every alert the operations brief asks for', () => {
    const r = run('check', 'rules', 'rules/homeward.rules.yml');
    expect(r.status, r.output).toBe(0);
    const names = spawnSync('grep', ['-o', 'alert: [A-Za-z]*', 'rules/homeward.rules.yml'], {
      cwd: dir,
      encoding: 'utf8',
    })
      .stdout.split('\n')
      .filter(Boolean)
      .map((l) => l.slice('alert: '.length))
      .sort();
    expect(names).toEqual([
      'HomewardAlertFanoutSlow',
      'HomewardConsumerDown',
      'HomewardConsumerLag',
      'HomewardDeadLetters',
      'HomewardFollowupsOverdue',
      'HomewardServiceDown',
      'HomewardWebhookFailureRate',
    ]);
  });

  it('the rules pass their unit tests (promtool test rules)', () => {
    const r = run('test', 'rules', 'rules/homeward.rules.test.yml');
    expect(r.status, r.output).toBe(0);
    expect(r.output).toContain('SUCCESS');
  });

  it('a rule test that expects the wrong alert fails (the tests can fail)', async () => {
    const { mkdtempSync, readFileSync, writeFileSync, copyFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const tmp = mkdtempSync(join(tmpdir(), 'homeward-rules-'));
    copyFileSync(join(dir, 'rules', 'homeward.rules.yml'), join(tmp, 'homeward.rules.yml'));
    const tests = readFileSync(join(dir, 'rules', 'homeward.rules.test.yml'), 'utf8');
    writeFileSync(
      join(tmp, 'broken.test.yml'),
      tests.replace('severity: page, job: homeward', 'severity: info, job: homeward'),
    );
    const res = spawnSync(promtool, ['test', 'rules', 'broken.test.yml'], { cwd: tmp, encoding: 'utf8' });
    expect(res.status).not.toBe(0);
    expect(`${res.stdout}${res.stderr}`).toContain('HomewardServiceDown');
  });
});
