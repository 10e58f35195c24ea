import { type CloudEvent, encodeHttpStructured, Topics } from '@homeward/events';
import type { Clock, ServiceHost } from '@homeward/service-kit';
import { startServiceForTest, TopicCollector, uniqueName } from '@homeward/testing';
import { buildApp } from '../src/app.ts';
import { IntakeConfig } from '../src/config.ts';

// biome-ignore lint/suspicious/noExplicitAny: test responses are asserted field by field
type Json = any;

export interface RunningIntake {
  host: ServiceHost;
  app: Awaited<ReturnType<typeof buildApp>>;
  post: (
    body: unknown,
    opts?: { role?: string; headers?: Record<string, string>; raw?: string },
  ) => Promise<{ status: number; body: Json; headers: Record<string, unknown> }>;
  stop: () => Promise<void>;
}

/**
 * Starts intake on its own topics and database (consumers running, HTTP through inject). A
 * database of its own is dropped when it stops; one named by the caller (a restart's) only with
 * `dropDatabaseOnStop`, by its last instance.
 */
export async function startIntake(opts: {
  prefix: string;
  dbName?: string;
  dropDatabaseOnStop?: boolean;
  clock?: Clock;
  env?: Record<string, string>;
}): Promise<RunningIntake> {
  const svc = await startServiceForTest({
    name: 'intake',
    configSchema: IntakeConfig,
    buildApp,
    prefix: opts.prefix,
    defaultRole: 'police',
    dropDatabaseOnStop: opts.dropDatabaseOnStop ?? opts.dbName === undefined,
    ...(opts.env ? { env: opts.env } : {}),
    ...(opts.dbName ? { dbName: opts.dbName } : {}),
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  const post: RunningIntake['post'] = (body, o = {}) => {
    const encoded =
      o.raw === undefined ? encodeHttpStructured(body as CloudEvent) : { headers: {}, body: o.raw };
    return svc.call('POST', '/v1/reports', encoded.body, {
      ...(o.role ? { role: o.role } : {}),
      headers: { ...encoded.headers, ...o.headers },
    });
  };
  return { host: svc.host, app: svc.app, post, stop: svc.stop };
}

export function caseEventsCollector(prefix: string): Promise<TopicCollector> {
  return new TopicCollector(`${prefix}${Topics.caseEvents}`).start();
}

const AGENCY_OF: Record<string, string> = {
  police: 'hefei-psb',
  hotline: 'anhui-12355-hotline',
  education: 'shushan-school-12',
  volunteer: 'baby-come-home-volunteers',
  unit: 'hefei-south-station-police-post',
  'civil-affairs': 'hefei-civil-affairs',
  'womens-federation': 'anhui-womens-federation',
};

/** A report event as an agency system would send it. */
export function reportEvent(
  data: Record<string, unknown>,
  opts: { id?: string; role?: string } = {},
): CloudEvent {
  return {
    specversion: '1.0',
    id: opts.id ?? uniqueName('ce'),
    source: `agency/${AGENCY_OF[opts.role ?? 'police'] ?? 'hefei-psb'}`,
    type: 'homeward.report.submitted',
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    data,
  };
}

export function missingChild(
  overrides: { name?: string; birthDate?: string; at?: string; region?: string } = {},
) {
  return {
    kind: 'missing-child',
    child: {
      name: overrides.name ?? 'Li Xiaoming',
      sex: 'male',
      birthDate: overrides.birthDate ?? '2019-05-01',
      description: 'red jacket, blue backpack',
    },
    lastSeen: {
      at: overrides.at ?? '2026-11-28T08:50:00+08:00',
      place: 'Hefei South Station, east exit',
      lat: 31.7979,
      lon: 117.2906,
      region: overrides.region ?? '340104',
    },
    reporter: { name: 'Li Wei', phone: '+86 138 0000 0000' },
  };
}

export const unidentifiedChild = () => ({
  kind: 'unidentified-child',
  child: { sex: 'female', apparentAge: 4, description: 'found alone at the bus station' },
  foundAt: {
    at: '2026-11-27T17:00:00+08:00',
    place: 'Hefei bus station',
    lat: 31.86,
    lon: 117.28,
    region: '340102',
  },
});

export const suspectedTrafficking = () => ({
  kind: 'suspected-trafficking',
  description: 'a pupil has been absent for two weeks; the family gives contradictory accounts',
  observedAt: '2026-11-26T10:00:00+08:00',
  location: { place: 'Shushan No. 12 primary school', region: '340104' },
});

export const sighting = (caseId: string) => ({
  kind: 'sighting',
  caseId,
  seenAt: {
    at: '2026-11-28T09:40:00+08:00',
    place: 'Hefei West bus terminal',
    lat: 31.85,
    lon: 117.2,
    region: '340104',
  },
  description: 'a boy in a red jacket with an adult man, boarding a bus to Lu an',
});
