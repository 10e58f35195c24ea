import { type CloudEvent, Topics } from '@homeward/events';
import type { Clock, Logger, ServiceHost } from '@homeward/service-kit';
import { startServiceForTest, TopicCollector, uniqueName } from '@homeward/testing';
import { buildApp } from '../src/app.ts';
import { DnaTrackingConfig } from '../src/config.ts';
import type { StrProfile } from '../src/domain/profile.ts';
import { caseOpenedData } from './case-opened.ts';

export { caseOpenedData };

// biome-ignore lint/suspicious/noExplicitAny: test responses are asserted field by field
type Json = any;

export interface Answer {
  status: number;
  body: Json;
  headers: Record<string, unknown>;
}

export interface RunningDna {
  host: ServiceHost;
  app: Awaited<ReturnType<typeof buildApp>>;
  dbName: string;
  /** The consumer group through which this instance learns of profiles ('' when derived). */
  group: string;
  call: (method: 'GET' | 'POST', url: string, body?: unknown, role?: string | null) => Promise<Answer>;
  /** Publishes events through the service's producer onto the test's topics (as intake and rescue would). */
  publish: (...events: CloudEvent[]) => Promise<void>;
  stop: () => Promise<void>;
}

/** Starts dna-tracking on its own topics and database (consumers running, HTTP through inject). */
export async function startDna(opts: {
  prefix: string;
  dbName?: string;
  clock?: Clock;
  logger?: Logger;
  env?: Record<string, string>;
  /** Leave the database on stop (another instance still uses it). */
  keepDatabase?: boolean;
  /** Leave INDEX_CONSUMER_GROUP unset, so the instance derives its own (give each a PORT). */
  defaultIndexGroup?: boolean;
}): Promise<RunningDna> {
  // Under the principal's group prefix (dna-tracking): the broker lets it use no other group.
  const group = opts.defaultIndexGroup ? '' : uniqueName('dna-tracking.index');
  const svc = await startServiceForTest({
    name: 'dna-tracking',
    configSchema: DnaTrackingConfig,
    buildApp,
    prefix: opts.prefix,
    env: { ...(group ? { INDEX_CONSUMER_GROUP: group } : {}), ...opts.env },
    dbName: opts.dbName ?? uniqueName('dna').replaceAll('-', '_'),
    defaultRole: 'dna-lab',
    dropDatabaseOnStop: !opts.keepDatabase,
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.logger ? { logger: opts.logger } : {}),
  });
  return {
    host: svc.host,
    app: svc.app,
    dbName: svc.dbName,
    group,
    call: (method, url, body, role) => svc.call(method, url, body, role === undefined ? {} : { role }),
    publish: svc.publish,
    stop: svc.stop,
  };
}

export function dnaEventsCollector(prefix: string): Promise<TopicCollector> {
  return new TopicCollector(`${prefix}${Topics.dnaEvents}`).start();
}

/** A sample registration body. */
export function newSample(
  subject: { kind: string; caseId?: string; relation?: string },
  overrides: Record<string, unknown> = {},
) {
  return {
    subject,
    kitBarcode: uniqueName('KIT').replaceAll('_', '-'),
    collectedAt: '2026-11-27T10:00:00+08:00',
    place: 'Hefei PSB forensic centre',
    region: '340104',
    collector: 'officer-3401-0457',
    ...overrides,
  };
}

const STEPS_TO_LAB = [
  { step: 'sealed', at: '2026-11-27T10:30:00+08:00' },
  { step: 'shipped', at: '2026-11-27T12:00:00+08:00', trackingNumber: 'SF1234567890' },
  { step: 'received', at: '2026-11-27T18:00:00+08:00' },
];

/**
 * Makes a case known to dna-tracking as its case consumer would (a missing child's, by
 * default), so samples may name it; idempotent. The consumer's own path is tested in
 * sampling-duties.test.ts.
 */
export async function knownCase(
  dna: RunningDna,
  caseId: string,
  kind: 'missing-child' | 'unidentified-child' | 'suspected-trafficking' = 'missing-child',
): Promise<void> {
  await dna.app.sampling.recordOpened(caseOpenedData(caseId, kind));
}

/** Registers a sample and walks it to the lab (sealed, shipped, received); returns its id. */
export async function sampleAtLab(
  dna: RunningDna,
  subject: { kind: string; caseId?: string; relation?: string },
): Promise<string> {
  if (subject.caseId) await knownCase(dna, subject.caseId);
  const created = await dna.call('POST', '/v1/samples', newSample(subject), 'police');
  if (created.status !== 201) throw new Error(`sample not created: ${JSON.stringify(created.body)}`);
  const id = created.body.sampleId as string;
  for (const s of STEPS_TO_LAB) {
    const res = await dna.call('POST', `/v1/samples/${id}/custody`, {
      ...s,
      by: 'lab-tech-7',
      place: 'Anhui forensic lab',
    });
    if (res.status !== 201) throw new Error(`custody ${s.step} refused: ${JSON.stringify(res.body)}`);
  }
  return id;
}

/** The HTTP body of a profile. */
export function profileBody(p: StrProfile): { loci: Record<string, string[]> } {
  return { loci: Object.fromEntries(Object.entries(p.loci).map(([l, g]) => [l, [...g!]])) };
}
