// The six services started in this process on free ports, each on the test's topics and a
// database of its own: a platform of its own for the simulator to play against from outside,
// over HTTP and the agency topic only.

import type { ServiceParts } from '@homeward/service-kit';
import { deleteRedisKeys, type ServiceUnderTest, startServiceForTest, uniqueName } from '@homeward/testing';
import { buildApp as dashboardApp } from '../../../../services/dashboard/src/app.ts';
import { DashboardConfig } from '../../../../services/dashboard/src/config.ts';
import { buildApp as dnaApp } from '../../../../services/dna-tracking/src/app.ts';
import { DnaTrackingConfig } from '../../../../services/dna-tracking/src/config.ts';
import { buildApp as intakeApp } from '../../../../services/intake/src/app.ts';
import { IntakeConfig } from '../../../../services/intake/src/config.ts';
import { buildApp as notificationsApp } from '../../../../services/notifications/src/app.ts';
import { NotificationsConfig } from '../../../../services/notifications/src/config.ts';
import { buildApp as placementApp } from '../../../../services/placement/src/app.ts';
import { PlacementConfig } from '../../../../services/placement/src/config.ts';
import { buildApp as rescueApp } from '../../../../services/rescue-coordination/src/app.ts';
import { RescueConfig } from '../../../../services/rescue-coordination/src/config.ts';
import type { ServiceName } from '../../src/index.ts';

export interface TestPlatform {
  urls: Record<ServiceName | 'dashboard', string>;
  stop: () => Promise<void>;
}

type Started = ServiceUnderTest<ServiceParts>;

export async function startPlatform(prefix: string): Promise<TestPlatform> {
  const common = { prefix, listen: 0, dropDatabaseOnStop: true } as const;
  // biome-ignore lint/suspicious/noExplicitAny: each service's own config type, passed through
  const start = (o: any) => startServiceForTest({ ...common, ...o }) as Promise<Started>;
  const started = await Promise.all([
    start({ name: 'intake', configSchema: IntakeConfig, buildApp: intakeApp, defaultRole: 'police' }),
    start({
      name: 'rescue-coordination',
      configSchema: RescueConfig,
      buildApp: rescueApp,
      defaultRole: 'police',
    }),
    start({
      name: 'notifications',
      configSchema: NotificationsConfig,
      buildApp: notificationsApp,
      defaultRole: 'admin',
      // A broken unit's deliveries fail after three quick attempts instead of four slow ones.
      env: {
        WEBHOOK_TIMEOUT_MS: '1000',
        WEBHOOK_ATTEMPTS: '3',
        WEBHOOK_BACKOFF_BASE_MS: '20',
        WEBHOOK_BACKOFF_MAX_MS: '100',
      },
    }),
    start({
      name: 'dna-tracking',
      configSchema: DnaTrackingConfig,
      buildApp: dnaApp,
      defaultRole: 'dna-lab',
      env: { INDEX_CONSUMER_GROUP: uniqueName('dna-tracking.index') },
    }),
    start({
      name: 'placement',
      configSchema: PlacementConfig,
      buildApp: placementApp,
      defaultRole: 'civil-affairs',
      env: { OVERDUE_CHECK_INTERVAL_MS: '500' },
    }),
  ]);
  const [intake, rescue, notifications, dna, placement] = started;
  const dashboard = await start({
    name: 'dashboard',
    configSchema: DashboardConfig,
    buildApp: dashboardApp,
    defaultRole: 'operator',
    cleanup: (rt: Parameters<typeof deleteRedisKeys>[0]) => deleteRedisKeys(rt, `${prefix}dashboard:*`),
    env: {
      // The page is built when missing or older than its sources (the browser step needs it).
      WEB_BUILD: 'true',
      HEALTH_POLL_MS: '60000',
      HEALTH_TARGETS: `intake=${intake!.baseUrl}`,
    },
  });
  return {
    urls: {
      dashboard: dashboard.baseUrl!,
      intake: intake!.baseUrl!,
      'rescue-coordination': rescue!.baseUrl!,
      notifications: notifications!.baseUrl!,
      'dna-tracking': dna!.baseUrl!,
      placement: placement!.baseUrl!,
    },
    stop: async () => {
      await Promise.allSettled([dashboard, ...started].map((s) => s.stop()));
    },
  };
}
