import type { HomewardEvent } from '@homeward/events';
import type { Clock, ServiceHost } from '@homeward/service-kit';
import { deleteRedisKeys, startServiceForTest, SseClient as TestingSseClient } from '@homeward/testing';
import { buildApp } from '../src/app.ts';
import { DashboardConfig } from '../src/config.ts';

// biome-ignore lint/suspicious/noExplicitAny: test responses are asserted field by field
type Json = any;

export interface RunningDashboard {
  host: ServiceHost;
  app: Awaited<ReturnType<typeof buildApp>>;
  rt: ServiceHost['rt'];
  /** The real port (SSE needs one; inject cannot stream). */
  baseUrl: string;
  get: (
    url: string,
    opts?: { role?: string | null; headers?: Record<string, string> },
  ) => Promise<{ status: number; body: Json; text: string; headers: Record<string, unknown> }>;
  publish: (...events: HomewardEvent[]) => Promise<void>;
  stop: () => Promise<void>;
}

/**
 * Starts the dashboard on its own topics, database and Redis namespace, listening on a free
 * port. `consumers: false` starts a second instance that only serves (same Redis namespace).
 */
export async function startDashboard(opts: {
  prefix: string;
  dbName?: string;
  clock?: Clock;
  env?: Record<string, string>;
  consumers?: boolean;
}): Promise<RunningDashboard> {
  const svc = await startServiceForTest({
    name: 'dashboard',
    configSchema: DashboardConfig,
    buildApp,
    prefix: opts.prefix,
    env: { HEALTH_TARGETS: 'intake=http://127.0.0.1:9', HEALTH_POLL_MS: '60000', ...opts.env },
    defaultRole: 'operator',
    listen: 0,
    // Leave nothing behind: each instance's database, and (from the instance that consumed)
    // the Redis keys of the test's prefix, which the instances share.
    dropDatabaseOnStop: true,
    ...(opts.consumers === false
      ? { consumers: false }
      : { cleanup: (rt) => deleteRedisKeys(rt, `${opts.prefix}dashboard:*`) }),
    ...(opts.dbName ? { dbName: opts.dbName } : {}),
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  return {
    host: svc.host,
    app: svc.app,
    rt: svc.rt,
    baseUrl: svc.baseUrl!,
    get: (url, o = {}) => svc.call('GET', url, undefined, o),
    publish: svc.publish,
    stop: svc.stop,
  };
}

/** The stream's SSE client: each event is the platform event's JSON, with its SSE id as `streamId`. */
export class SseClient extends TestingSseClient<Json> {
  constructor(url: string, headers: Record<string, string> = {}) {
    super(url, headers, (m) => ({ ...JSON.parse(m.data), streamId: m.id }));
  }
}

export * from './events.ts';
