import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Topics } from '@homeward/events';
import { ManualClock } from '@homeward/service-kit';
import { createTestTopics, deleteTestTopics, type TopicCollector, waitFor } from '@homeward/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LeadRecord, leadRowId, RECENT_LEADS } from '../../src/domain/case.ts';
import { newLead } from '../../src/domain/case-leads.ts';
import {
  collector,
  dropDatabases,
  dropRedisKeys,
  leadAdded,
  MINUTE,
  missingChildOpened,
  type RunningRescue,
  startRescue,
} from '../support.ts';

// A case with 10,000 sightings. The first ones are written as the service writes them (their
// own rows, the case's count and newest leads) straight into MongoDB: consuming all 10,000
// through Kafka takes 10 to 25 minutes on the shared 2-core machine (measured: 6 to 15 leads a
// second, each under the case's lease with a handful of FerretDB round trips). The last
// CONSUMED are real lead-added events, consumed as in production, on top of them.
const SIGHTINGS = Number(process.env.MANY_LEADS ?? 10_000);
const CONSUMED = 200;

// The development credentials plus police of another prefecture (Lu'an), for the region rule.
const LUAN_POLICE = 'hw_test_police_luan_0123456789abcdef0123abcd';
const credentialsFile = join(mkdtempSync(join(tmpdir(), 'rescue-leads-')), 'credentials.json');
writeFileSync(
  credentialsFile,
  JSON.stringify([
    ...(JSON.parse(
      readFileSync(new URL('../../../../infra/local/dev-credentials.json', import.meta.url), 'utf8'),
    ) as unknown[]),
    { key: LUAN_POLICE, agencyId: 'luan-psb', role: 'police', region: '341500' },
  ]),
);

let prefix: string;
let svc: RunningRescue;
let alertEvents: TopicCollector;
const clock = new ManualClock('2026-11-28T08:00:00Z');

beforeAll(async () => {
  prefix = await createTestTopics('rescue-many-leads');
  svc = await startRescue({ prefix, clock, env: { CREDENTIALS_FILE: credentialsFile } });
  alertEvents = await collector(prefix, Topics.alertEvents);
});

afterAll(async () => {
  await alertEvents.stop();
  await svc.stop();
  await dropDatabases([svc.dbName]);
  await dropRedisKeys(prefix);
  await deleteTestTopics(prefix);
});

describe('a case with 10,000 sightings', () => {
  it('keeps its leads in their own rows: the case stays small, the leads page, police move the centre to the last', async () => {
    const opened = missingChildOpened({ lastSeenAt: new Date(clock.now().getTime() - 10 * MINUTE) });
    const caseId = opened.data.caseId;
    await svc.rt.publisher.publish(opened);
    await waitFor(async () => (await svc.call('GET', `/v1/cases/${caseId}`)).status === 200, {
      what: 'the case',
    });

    const leadId = (i: number) => `lead-${String(i).padStart(5, '0')}`;
    const seeded: LeadRecord[] = Array.from({ length: SIGHTINGS - CONSUMED }, (_, i) => ({
      _id: leadRowId(caseId, i + 1),
      seq: i + 1,
      ...newLead(leadAdded(caseId, leadId(i))),
    }));
    const db = svc.rt.mongo.db;
    for (let i = 0; i < seeded.length; i += 1000)
      await db.collection<LeadRecord>('case_leads').insertMany(seeded.slice(i, i + 1000));
    await db
      .collection('cases')
      .updateOne(
        { _id: caseId as never },
        { $set: { leadCount: seeded.length, recentLeads: seeded.slice(-RECENT_LEADS) } },
      );

    const started = performance.now();
    for (let i = SIGHTINGS - CONSUMED; i < SIGHTINGS; i += 100)
      await svc.rt.publisher.publish(
        ...Array.from({ length: Math.min(100, SIGHTINGS - i) }, (_, k) => leadAdded(caseId, leadId(i + k))),
      );
    await waitFor(
      async () =>
        (await svc.app.service.getCase(caseId, { agencyId: 'test', role: 'operator', region: '000000' }))
          .leadCount === SIGHTINGS,
      {
        what: `${SIGHTINGS} leads counted`,
        timeoutMs: 240_000,
        intervalMs: 500,
      },
    );
    const consumedMs = performance.now() - started;

    // The case document holds the count and the newest 20, whatever the number of sightings.
    const raw = await svc.rt.mongo.db.collection('cases').findOne({ _id: caseId as never });
    const size = Buffer.byteLength(JSON.stringify(raw));
    expect(size).toBeLessThan(64 * 1024);
    expect(raw?.timeline).toHaveLength(1); // opened (the alert keeps its own history): no line per sighting

    const t0 = performance.now();
    const detail = await svc.call('GET', `/v1/cases/${caseId}`);
    const readMs = performance.now() - t0;
    expect(detail.status).toBe(200);
    expect(detail.body.leadCount).toBe(SIGHTINGS);
    expect(detail.body.leads).toHaveLength(20);
    expect(detail.body.leads.at(-1).leadId).toBe(leadId(SIGHTINGS - 1));

    const t1 = performance.now();
    const last = await svc.call('GET', `/v1/cases/${caseId}/leads?limit=100&offset=${SIGHTINGS - 100}`);
    const pageMs = performance.now() - t1;
    expect(last.status).toBe(200);
    expect(last.body).toMatchObject({ total: SIGHTINGS, limit: 100, offset: SIGHTINGS - 100 });
    expect(last.body.items).toHaveLength(100);
    expect(last.body.items[0].leadId).toBe(leadId(SIGHTINGS - 100));
    expect(last.body.items.at(-1).leadId).toBe(leadId(SIGHTINGS - 1));
    expect(last.body.items[0]._id).toBeUndefined();
    expect(last.body.items.map((l: { seq: number }) => l.seq)).toEqual(
      Array.from({ length: 100 }, (_, i) => SIGHTINGS - 99 + i),
    );
    expect(pageMs).toBeLessThan(5_000);
    expect((await svc.call('GET', `/v1/cases/${caseId}/leads?limit=1000`)).status).toBe(400);
    expect((await svc.call('GET', '/v1/cases/no-such-case/leads')).status).toBe(404);
    expect(
      (await svc.call('GET', `/v1/cases/${caseId}/leads`, undefined, { role: 'volunteer' })).status,
    ).toBe(403);
    expect((await svc.call('GET', `/v1/cases/${caseId}/leads`, undefined, { role: 'operator' })).status).toBe(
      200,
    );
    // Police of another prefecture: as if the case did not exist.
    const outside = await svc.app.http.inject({
      method: 'GET',
      url: `/v1/cases/${caseId}/leads`,
      headers: { authorization: `Bearer ${LUAN_POLICE}` },
    });
    expect([outside.statusCode, JSON.parse(outside.body).code]).toEqual([404, 'RESCUE_ERR_CASE_NOT_FOUND']);

    // A lead far back (not among the newest) is still one police can move the alert to.
    const moved = await svc.call('POST', `/v1/alerts/${caseId}.alert-1/centre`, { leadId: leadId(7) });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ step: 1, center: { lat: 31.85, lon: 117.2 } });
    expect(await svc.rt.mongo.db.collection('case_leads').countDocuments({ caseId })).toBe(SIGHTINGS);

    process.stdout.write(
      `last ${CONSUMED} of ${SIGHTINGS} sightings consumed in ${(consumedMs / 1000).toFixed(1)} s; case document ${size} bytes; ` +
        `case read ${readMs.toFixed(0)} ms; last page of leads ${pageMs.toFixed(0)} ms\n`,
    );
  }, 300_000);
});
