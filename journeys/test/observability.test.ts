/**
 * The operations files name only metrics that exist (issue 21): every service started together on
 * one set of test topics, each scraped through its own GET /metrics, and every metric that an
 * alert rule (infra/observability/rules) or a Grafana panel (infra/observability/grafana) uses
 * must be among what they expose. A renamed metric fails here, not silently on a dashboard.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServiceParts } from '@homeward/service-kit';
import {
  createTestTopics,
  deleteTestTopics,
  type ServiceUnderTest,
  startServiceForTest,
  uniqueName,
} from '@homeward/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp as buildCoordination } from '../../services/coordination/src/app.ts';
import { CoordinationConfig } from '../../services/coordination/src/config.ts';
import { buildApp as buildDashboard } from '../../services/dashboard/src/app.ts';
import { DashboardConfig } from '../../services/dashboard/src/config.ts';
import { buildApp as buildDna } from '../../services/dna-tracking/src/app.ts';
import { DnaTrackingConfig } from '../../services/dna-tracking/src/config.ts';
import { buildApp as buildIntake } from '../../services/intake/src/app.ts';
import { IntakeConfig } from '../../services/intake/src/config.ts';
import { buildApp as buildNotifications } from '../../services/notifications/src/app.ts';
import { NotificationsConfig } from '../../services/notifications/src/config.ts';
import { buildApp as buildPlacement } from '../../services/placement/src/app.ts';
import { PlacementConfig } from '../../services/placement/src/config.ts';
import { buildApp as buildRescue } from '../../services/rescue-coordination/src/app.ts';
import { RescueConfig } from '../../services/rescue-coordination/src/config.ts';

const observability = fileURLToPath(new URL('../../infra/observability', import.meta.url));
const HOUR = '3600000';
let prefix: string;
const services: ServiceUnderTest<ServiceParts>[] = [];

beforeAll(async () => {
  prefix = await createTestTopics('journey-metrics');
  const common = { prefix, dropDatabaseOnStop: true };
  // One after another: seven starting at once on a loaded machine can outlast a plugin's start
  // timeout, and what this test checks does not depend on how they start.
  const starts = [
    () =>
      startServiceForTest({
        ...common,
        name: 'intake',
        defaultRole: 'police',
        configSchema: IntakeConfig,
        buildApp: buildIntake,
      }),
    () =>
      startServiceForTest({
        ...common,
        name: 'rescue-coordination',
        defaultRole: 'police',
        configSchema: RescueConfig,
        buildApp: buildRescue,
        env: { SCHEDULER_TICK_MS: HOUR, TEAM_CHECK_INTERVAL_MS: HOUR },
      }),
    () =>
      startServiceForTest({
        ...common,
        name: 'placement',
        defaultRole: 'civil-affairs',
        configSchema: PlacementConfig,
        buildApp: buildPlacement,
        env: { OVERDUE_CHECK_INTERVAL_MS: HOUR },
      }),
    () =>
      startServiceForTest({
        ...common,
        name: 'dna-tracking',
        defaultRole: 'dna-lab',
        configSchema: DnaTrackingConfig,
        buildApp: buildDna,
        env: { INDEX_CONSUMER_GROUP: uniqueName('dna-tracking.index'), SAMPLING_CHECK_INTERVAL_MS: HOUR },
      }),
    () =>
      startServiceForTest({
        ...common,
        name: 'notifications',
        defaultRole: 'admin',
        configSchema: NotificationsConfig,
        buildApp: buildNotifications,
      }),
    () =>
      startServiceForTest({
        ...common,
        name: 'coordination',
        defaultRole: 'coordination-office',
        configSchema: CoordinationConfig,
        buildApp: buildCoordination,
        env: { REMINDER_CHECK_INTERVAL_MS: HOUR },
      }),
    () =>
      startServiceForTest({
        ...common,
        name: 'dashboard',
        defaultRole: 'operator',
        configSchema: DashboardConfig,
        buildApp: buildDashboard,
        env: { HEALTH_TARGETS: 'intake=http://127.0.0.1:9', HEALTH_POLL_MS: '60000' },
      }),
  ];
  for (const start of starts) services.push(await start());
}, 400_000);

afterAll(async () => {
  await Promise.all(services.map((s) => s.stop()));
  await deleteTestTopics(prefix);
});

/** Metric families a Prometheus text exposition declares (`# TYPE name kind`), with their kinds. */
function families(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) out.set(m[1]!, m[2]!);
  return out;
}

/** The series names a scrape yields for a family: a histogram's buckets, sums and counts. */
function seriesNames(name: string, kind: string): string[] {
  if (kind === 'histogram') return [`${name}_bucket`, `${name}_sum`, `${name}_count`];
  if (kind === 'summary') return [name, `${name}_sum`, `${name}_count`];
  return [name];
}

/** Metric names in a PromQL expression: identifiers outside label matchers and strings. */
function metricsIn(expr: string): string[] {
  const bare = expr.replace(/\{[^}]*\}/g, '{}').replace(/"[^"]*"/g, '""');
  return [...bare.matchAll(/\b(homeward_[a-z0-9_]+|up)\b/g)].map((m) => m[1]!);
}

function ruleExprs(): string[] {
  const text = readFileSync(join(observability, 'rules', 'homeward.rules.yml'), 'utf8');
  // Each rule's `expr:` is one line or a `|` block indented under it.
  const exprs: string[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^(\s*)expr:\s*(.*)$/.exec(lines[i]!);
    if (!m) continue;
    if (m[2] !== '|') {
      exprs.push(m[2]!);
      continue;
    }
    const block: string[] = [];
    while (i + 1 < lines.length && /^\s{10,}\S/.test(lines[i + 1]!)) block.push(lines[++i]!.trim());
    exprs.push(block.join(' '));
  }
  return exprs;
}

interface Panel {
  title: string;
  targets?: Array<{ expr: string }>;
}

function dashboards(): Array<{ file: string; uid: string; panels: Panel[] }> {
  const dir = join(observability, 'grafana');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((file) => ({ file, ...JSON.parse(readFileSync(join(dir, file), 'utf8')) }));
}

describe('the operations files and the services', () => {
  it('every metric a rule or a panel uses is exposed by the running services', async () => {
    const exposed = new Set<string>(['up']);
    const byService = new Map<string, string[]>();
    for (const s of services) {
      const res = await s.call('GET', '/metrics', undefined, { role: null });
      expect(res.status, `${s.rt.name} /metrics`).toBe(200);
      const fams = families(res.text);
      byService.set(s.rt.name, [...fams.keys()]);
      for (const [name, kind] of fams) for (const n of seriesNames(name, kind)) exposed.add(n);
    }
    // The service-specific families are where their services are.
    expect(byService.get('notifications')).toEqual(
      expect.arrayContaining([
        'homeward_webhook_deliveries_total',
        'homeward_alert_fanout_seconds',
        'homeward_sse_clients',
      ]),
    );
    expect(byService.get('dashboard')).toContain('homeward_sse_clients');
    expect(byService.get('dna-tracking')).toContain('homeward_match_search_seconds');
    for (const s of byService.values()) expect(s).toContain('homeward_dead_letters_total');

    const rules = ruleExprs();
    expect(rules.length).toBeGreaterThanOrEqual(7);
    const used = new Map<string, string>();
    for (const e of rules) for (const m of metricsIn(e)) used.set(m, `rule: ${e}`);
    const boards = dashboards();
    expect(boards.map((b) => b.file).sort()).toEqual(['notifications.json', 'platform.json', 'service.json']);
    for (const b of boards) {
      expect(b.panels.length, b.file).toBeGreaterThan(0);
      for (const p of b.panels) {
        expect(p.targets?.length, `${b.file}: ${p.title}`).toBeGreaterThan(0);
        for (const t of p.targets ?? [])
          for (const m of metricsIn(t.expr)) used.set(m, `${b.file}: ${p.title}`);
      }
    }
    const missing = [...used].filter(([m]) => !exposed.has(m)).map(([m, where]) => `${m} (${where})`);
    expect(missing).toEqual([]);
  });
});
