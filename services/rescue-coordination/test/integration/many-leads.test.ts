import { Topics } from '@homeward/events';
import { ManualClock } from '@homeward/service-kit';
import { createTestTopics, deleteTestTopics, type TopicCollector, waitFor } from '@homeward/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

// A case with 10,000 sightings: each a lead-added on case.events.v1, consumed as in production.
const SIGHTINGS = 10_000;

let prefix: string;
let svc: RunningRescue;
let alertEvents: TopicCollector;
const clock = new ManualClock('2026-11-28T08:00:00Z');

beforeAll(async () => {
  prefix = await createTestTopics('rescue-many-leads');
  svc = await startRescue({ prefix, clock });
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
    const started = performance.now();
    for (let i = 0; i < SIGHTINGS; i += 500) {
      const batch = Array.from({ length: Math.min(500, SIGHTINGS - i) }, (_, k) =>
        leadAdded(caseId, leadId(i + k)),
      );
      await svc.rt.publisher.publish(...batch);
    }
    await waitFor(async () => (await svc.app.service.getCase(caseId)).leadCount === SIGHTINGS, {
      what: `${SIGHTINGS} leads counted`,
      timeoutMs: 600_000,
      intervalMs: 2_000,
    });
    const consumedMs = performance.now() - started;

    // The case document holds the count and the newest 20, whatever the number of sightings.
    const raw = await svc.rt.mongo.db.collection('cases').findOne({ _id: caseId as never });
    const size = Buffer.byteLength(JSON.stringify(raw));
    expect(size).toBeLessThan(64 * 1024);
    expect(raw?.timeline).toHaveLength(2); // opened, alert issued: no line per sighting

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
    expect((await svc.call('GET', `/v1/cases/${caseId}/leads?limit=1000`)).status).toBe(400);
    expect((await svc.call('GET', '/v1/cases/no-such-case/leads')).status).toBe(404);
    expect(
      (await svc.call('GET', `/v1/cases/${caseId}/leads`, undefined, { role: 'volunteer' })).status,
    ).toBe(403);
    expect((await svc.call('GET', `/v1/cases/${caseId}/leads`, undefined, { role: 'operator' })).status).toBe(
      200,
    );

    // A lead far back (not among the newest) is still one police can move the alert to.
    const moved = await svc.call('POST', `/v1/alerts/${caseId}.alert-1/centre`, { leadId: leadId(7) });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ step: 1, center: { lat: 31.85, lon: 117.2 } });
    expect(await svc.rt.mongo.db.collection('case_leads').countDocuments({ caseId })).toBe(SIGHTINGS);

    process.stdout.write(
      `${SIGHTINGS} sightings consumed in ${(consumedMs / 1000).toFixed(1)} s; case document ${size} bytes; ` +
        `case read ${readMs.toFixed(0)} ms; last page of leads ${pageMs.toFixed(0)} ms\n`,
    );
  }, 900_000);
});
