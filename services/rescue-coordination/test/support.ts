import { type Actor, type CloudEvent, createEvent, type HomewardEvent, Topics } from '@homeward/events';
import type { Clock, ServiceHost } from '@homeward/service-kit';
import {
  createTestTopics,
  deleteTestTopics,
  startServiceForTest,
  TopicCollector,
  testInfra,
  testRedis,
  uniqueName,
} from '@homeward/testing';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll } from 'vitest';
import { buildApp } from '../src/app.ts';
import { RescueConfig } from '../src/config.ts';

// biome-ignore lint/suspicious/noExplicitAny: test responses are asserted field by field
type Json = any;

export interface RunningRescue {
  host: ServiceHost;
  app: Awaited<ReturnType<typeof buildApp>>;
  rt: ServiceHost['rt'];
  call: (
    method: 'GET' | 'POST',
    url: string,
    body?: unknown,
    opts?: { role?: string | null; region?: string; key?: string },
  ) => Promise<{ status: number; body: Json }>;
  /** Publishes events onto the test's topics as their owners would (not as this service). */
  publish: (...events: CloudEvent[]) => Promise<void>;
  stop: () => Promise<void>;
  dbName: string;
}

/**
 * Starts rescue coordination on its own topics and database (consumers running, the scheduler
 * rebuilt but not ticking on its own: tests tick it with a manual clock), HTTP through inject.
 */
export async function startRescue(opts: {
  prefix: string;
  dbName?: string;
  clock?: Clock;
  env?: Record<string, string>;
  consumers?: boolean;
}): Promise<RunningRescue> {
  const svc = await startServiceForTest({
    name: 'rescue-coordination',
    configSchema: RescueConfig,
    buildApp,
    prefix: opts.prefix,
    env: { SCHEDULER_TICK_MS: '3600000', ...opts.env },
    dbName: opts.dbName ?? uniqueName('rescue').replaceAll('-', '_'),
    defaultRole: 'police',
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.consumers === false ? { consumers: false } : {}),
  });
  return {
    host: svc.host,
    app: svc.app,
    rt: svc.rt,
    call: svc.call,
    publish: svc.publish,
    stop: svc.stop,
    dbName: svc.dbName,
  };
}

/** Drops the databases a test file's instances used (after they stopped). */
export async function dropDatabases(names: Iterable<string>): Promise<void> {
  const client = await MongoClient.connect(testInfra().mongoUrl);
  try {
    for (const name of new Set(names)) await client.db(name).dropDatabase();
  } finally {
    await client.close();
  }
}

/** Removes the Redis keys (the schedule, any leases) of a test topic prefix. */
export async function dropRedisKeys(prefix: string): Promise<void> {
  const redis = testRedis();
  try {
    const keys = await redis.keys(`${prefix}rescue-coordination:*`);
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}

export function collector(prefix: string, topic: string): Promise<TopicCollector> {
  return new TopicCollector(`${prefix}${topic}`).start();
}

/** A test file's rescue service and the collectors of its alert and case topics (set before its tests). */
export interface RescueUnderTest {
  prefix: string;
  svc: RunningRescue;
  alertEvents: TopicCollector;
  caseEvents: TopicCollector;
}

/**
 * The rescue service of one test file, on topics of its own (`name` prefixes them), with the
 * alert and case topics collected: started before the file's tests, stopped after them with its
 * database, Redis keys and topics removed. The fields are set once the file's tests run.
 */
export function useRescue(name: string, clock: Clock): RescueUnderTest {
  const t = {} as RescueUnderTest;
  beforeAll(async () => {
    t.prefix = await createTestTopics(name);
    t.svc = await startRescue({ prefix: t.prefix, clock });
    t.alertEvents = await collector(t.prefix, Topics.alertEvents);
    t.caseEvents = await collector(t.prefix, Topics.caseEvents);
  });
  afterAll(async () => {
    await t.alertEvents.stop();
    await t.caseEvents.stop();
    await t.svc.stop();
    await dropDatabases([t.svc.dbName]);
    await dropRedisKeys(t.prefix);
    await deleteTestTopics(t.prefix);
  });
  return t;
}

/** An event's data, to read its fields in a test. */
export const dataOf = (e: CloudEvent) => e.data as Record<string, unknown>;
/** Whether an event concerns the case. */
export const ofCase = (caseId: string) => (e: CloudEvent) => dataOf(e).caseId === caseId;

export const HOUR = 3_600_000;
export const MINUTE = 60_000;

const police: Actor = { agencyId: 'hefei-psb', role: 'police', region: '340100' };
const hotline: Actor = { agencyId: 'anhui-12355-hotline', role: 'hotline', region: '340000' };

/** A `homeward.case.opened` for a missing child last seen at `lastSeenAt`, as intake sends it. */
export function missingChildOpened(opts: {
  lastSeenAt: Date;
  by?: 'police' | 'hotline';
  region?: string;
  caseId?: string;
}): HomewardEvent<'homeward.case.opened'> {
  const caseId = opts.caseId ?? uniqueName('case');
  const region = opts.region ?? '340104';
  return createEvent(
    'homeward.case.opened',
    {
      caseId,
      kind: 'missing-child',
      region,
      openedAt: opts.lastSeenAt.toISOString(),
      reportId: `rpt-${caseId}`,
      reportedBy: opts.by === 'hotline' ? hotline : police,
      report: {
        kind: 'missing-child',
        child: {
          name: 'Li Xiaoming',
          sex: 'male',
          birthDate: '2019-05-01',
          description: 'red jacket, blue backpack',
          photoUrl: 'https://photos.example.org/c/1.jpg',
        },
        lastSeen: {
          at: opts.lastSeenAt.toISOString(),
          place: 'Hefei South Station, east exit',
          lat: 31.7979,
          lon: 117.2906,
          region,
        },
        reporter: { name: 'Li Wei', phone: '+86 138 0000 0000' },
      },
    },
    { source: 'homeward/intake', subject: caseId, id: `rpt-${caseId}.case-opened` },
  );
}

export function suspectedTraffickingOpened(region = '340104'): HomewardEvent<'homeward.case.opened'> {
  const caseId = uniqueName('case');
  return createEvent(
    'homeward.case.opened',
    {
      caseId,
      kind: 'suspected-trafficking',
      region,
      openedAt: '2026-11-26T10:00:00+08:00',
      reportId: `rpt-${caseId}`,
      reportedBy: { agencyId: 'shushan-school-12', role: 'education', region: '340104' },
      report: {
        kind: 'suspected-trafficking',
        description: 'a pupil has been absent for two weeks',
        observedAt: '2026-11-26T10:00:00+08:00',
        location: { place: 'Shushan No. 12 primary school', region },
      },
    },
    { source: 'homeward/intake', subject: caseId, id: `rpt-${caseId}.case-opened` },
  );
}

export function leadAdded(
  caseId: string,
  leadId = uniqueName('lead'),
): HomewardEvent<'homeward.case.lead-added'> {
  return createEvent(
    'homeward.case.lead-added',
    {
      caseId,
      leadId,
      reportId: leadId,
      addedAt: '2026-11-28T08:30:00Z',
      reportedBy: { agencyId: 'baby-come-home-volunteers', role: 'volunteer', region: '340104' },
      origin: 'sighting',
      seenAt: {
        at: '2026-11-28T08:25:00Z',
        place: 'Hefei West bus terminal',
        lat: 31.85,
        lon: 117.2,
        region: '340104',
      },
      description: 'a boy in a red jacket boarding a bus to Lu an',
    },
    { source: 'homeward/intake', subject: caseId, id: `${leadId}.lead-added` },
  );
}

export const officer = (region: string, id = 'officer') => ({
  officerId: `${id}-${region}`,
  name: `Officer ${id}`,
  agencyId: 'hefei-psb',
  region,
  contact: '+86 551 0000 0000',
});

/** The head of each region on the development roster (infra/local/dev-roster.json). */
export const DEV_CHIEFS: Record<string, string> = {
  '340000': 'ah-prov-0001',
  '340100': 'hf-psb-0001',
  '340104': 'hf-shushan-0001',
  '340102': 'hf-yaohai-0001',
  '341500': 'la-psb-0001',
  '341502': 'la-jinan-0001',
};

/** A team request naming the development roster's head of `chiefRegion` and three Hefei officers. */
export const team = (chiefRegion: string) => ({
  chiefId: DEV_CHIEFS[chiefRegion] ?? `no-head-of-${chiefRegion}`,
  investigationLeadId: 'hf-psb-0101',
  rescueLeadId: 'hf-psb-0102',
  familyLiaisonLeadId: 'hf-psb-0103',
});

export { Topics };

/** A national caller: reaches every case (service calls in tests that are not about scope). */
export const national = {
  agencyId: 'ministry-of-public-security',
  role: 'police',
  region: '000000',
} as const;
