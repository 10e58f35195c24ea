import { createEvent, type EventData, type EventType, type HomewardEvent, Topics } from '@homeward/events';
import { ownerSource } from '@homeward/messaging';
import type { Clock, ServiceHost } from '@homeward/service-kit';
import {
  createTestTopics,
  deleteTestTopics,
  startServiceForTest,
  TopicCollector,
  uniqueName,
  waitFor,
} from '@homeward/testing';
import { afterAll, beforeAll } from 'vitest';
import { buildApp } from '../src/app.ts';
import { PlacementConfig } from '../src/config.ts';
import type { CaseDoc } from '../src/store/case-store.ts';

// biome-ignore lint/suspicious/noExplicitAny: test responses are asserted field by field
type Json = any;

export interface RunningPlacement {
  host: ServiceHost;
  app: Awaited<ReturnType<typeof buildApp>>;
  rt: ServiceHost['rt'];
  call: (
    method: 'GET' | 'POST' | 'PUT',
    url: string,
    body?: unknown,
    opts?: { role?: string | null },
  ) => Promise<{ status: number; body: Json; headers: Record<string, unknown> }>;
  /** Publishes events as rescue coordination and DNA tracking would. */
  publish: (...events: HomewardEvent[]) => Promise<void>;
  /** Waits until the case's projection satisfies `ready`. */
  caseDoc: (caseId: string, ready?: (d: CaseDoc) => boolean) => Promise<CaseDoc>;
  stop: () => Promise<void>;
}

/**
 * Starts placement on its own topics and database: consumers running (unless told not to),
 * the overdue index rebuilt but the checker not ticking on its own (tests call `check()` with
 * a manual clock), HTTP through inject.
 */
export async function startPlacement(opts: {
  prefix: string;
  dbName?: string;
  clock?: Clock;
  env?: Record<string, string>;
  consumers?: boolean;
}): Promise<RunningPlacement> {
  const svc = await startServiceForTest({
    name: 'placement',
    configSchema: PlacementConfig,
    buildApp,
    prefix: opts.prefix,
    env: { OVERDUE_CHECK_INTERVAL_MS: '3600000', ...opts.env },
    defaultRole: 'civil-affairs',
    ...(opts.dbName ? { dbName: opts.dbName } : {}),
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.consumers === false ? { consumers: false } : {}),
  });
  const { app } = svc;
  const caseDoc: RunningPlacement['caseDoc'] = (caseId, ready = () => true) =>
    waitFor(
      async () => {
        const d = await app.store.get(caseId);
        return d && ready(d) ? d : undefined;
      },
      { what: `case ${caseId} projected`, timeoutMs: 20_000 },
    );
  return {
    host: svc.host,
    app,
    rt: svc.rt,
    call: svc.call,
    publish: svc.publish,
    caseDoc,
    stop: svc.stop,
  };
}

export function placementEventsCollector(prefix: string): Promise<TopicCollector> {
  return new TopicCollector(`${prefix}${Topics.placementEvents}`).start();
}

/** A test file's placement service and the collector of placement's events (set before its tests). */
export interface PlacementUnderTest {
  prefix: string;
  svc: RunningPlacement;
  placementEvents: TopicCollector;
}

/**
 * The placement service of one test file, on topics of its own (`name` prefixes them), with
 * placement's events collected: started before the file's tests; after them nothing is left
 * behind (its database, its overdue index, its topics). The fields are set once the tests run.
 */
export function usePlacement(name: string, clock: Clock): PlacementUnderTest {
  const t = {} as PlacementUnderTest;
  beforeAll(async () => {
    t.prefix = await createTestTopics(name);
    [t.svc, t.placementEvents] = await Promise.all([
      startPlacement({ prefix: t.prefix, clock }),
      placementEventsCollector(t.prefix),
    ]);
  });
  afterAll(async () => {
    await t.svc?.rt.redis.redis.del(t.svc.app.index.key);
    await t.svc?.rt.mongo.db.dropDatabase();
    await t.svc?.stop();
    await t.placementEvents?.stop();
    if (t.prefix) await deleteTestTopics(t.prefix);
  });
  return t;
}

const actor = { agencyId: 'hefei-psb', role: 'police' as const, region: '340100' };

export function ev<T extends EventType>(type: T, data: EventData<T>, id?: string): HomewardEvent<T> {
  return createEvent(type, data, {
    // As its owner sends it: the consumers dead-letter any other source.
    source: ownerSource(type),
    ...(id ? { id } : {}),
  });
}

/** A case opened by a missing-child report (birth date known). */
export function openedMissing(caseId: string, birthDate: string) {
  return ev('homeward.case.opened', {
    caseId,
    kind: 'missing-child',
    region: '340104',
    openedAt: '2026-01-10T09:00:00+08:00',
    reportId: `rpt-${caseId}`,
    reportedBy: actor,
    report: {
      kind: 'missing-child',
      child: { name: 'Test Child', sex: 'female', birthDate },
      parents: [
        { relation: 'mother', name: 'Wang Fang', idNumber: '340104198503035678' },
        { relation: 'father', name: 'Li Jianguo' },
      ],
      lastSeen: {
        at: '2026-01-10T08:00:00+08:00',
        place: 'Hefei South Station',
        lat: 31.79,
        lon: 117.29,
        region: '340104',
      },
    },
  });
}

/** A case opened by an unidentified-child report (apparent age only). */
export function openedUnidentified(caseId: string, apparentAge: number, foundAt: string) {
  return ev('homeward.case.opened', {
    caseId,
    kind: 'unidentified-child',
    region: '340102',
    openedAt: foundAt,
    reportId: `rpt-${caseId}`,
    reportedBy: actor,
    report: {
      kind: 'unidentified-child',
      child: { sex: 'male', apparentAge },
      foundAt: { at: foundAt, place: 'Hefei bus station', lat: 31.86, lon: 117.28, region: '340102' },
    },
  });
}

export const BUYER = {
  headName: 'Zhang  San',
  address: '安徽省合肥市蜀山区，长江西路12号',
  idNumber: '34010419800101123X',
};

export function rescued(
  caseId: string,
  opts: {
    buyer?: { headName: string; address: string; idNumber?: string } | null;
    identified?: boolean;
    region?: string;
  } = {},
) {
  return ev('homeward.case.child-rescued', {
    caseId,
    rescuedAt: '2026-11-20T10:00:00+08:00',
    place: 'a village in Lu an',
    region: opts.region ?? '341500',
    ...(opts.buyer === null ? {} : { buyerHousehold: opts.buyer ?? BUYER }),
    ...(opts.identified
      ? { identification: { method: 'documents' as const, identifiedBy: 'officer 0571' } }
      : {}),
  });
}

export function dnaConfirmed(caseId: string, matchId = uniqueName('match'), childSampleId = `smp-${caseId}`) {
  return ev('homeward.dna.match-confirmed', {
    matchId,
    childSampleId,
    parentSampleIds: [`smp-${caseId}-mother`],
    parents: [{ sampleId: `smp-${caseId}-mother`, relation: 'mother' as const }],
    caseId,
    confirmedAt: '2026-11-22T10:00:00+08:00',
    confirmedBy: 'analyst 7',
  });
}

/** What police documented for a return to a guardian no DNA match identified. */
export const POLICE_REASON = {
  officer: 'officer 0571',
  reason: 'the mother identified by her household register and recognised by the child',
};

/**
 * A decision body; the guardian is someone other than the buyer unless given (Wang Fang, the
 * mother `openedMissing` records, so a return after a DNA match of the mother goes to her).
 */
export function decision(caseId: string, overrides: Record<string, unknown> = {}) {
  const type = (overrides.type as string | undefined) ?? 'foster-family';
  const party =
    type === 'civil-affairs-institution'
      ? { institution: { name: 'Hefei Children Welfare Home', address: 'Hefei, Baohe district' } }
      : type === 'independent-living'
        ? {}
        : {
            guardian: {
              name: 'Wang Fang',
              address: 'Hefei, Luyang district, 8 Huaihe Road',
              relation: 'foster mother',
            },
          };
  return {
    caseId,
    type,
    decisionDate: '2026-11-28',
    handoverPlan: 'handover at the civil-affairs office with a social worker',
    ...party,
    ...overrides,
  };
}

export const newCaseId = () => uniqueName('case');
