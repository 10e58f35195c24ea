import { Topics } from '@homeward/events';
import { ManualClock } from '@homeward/service-kit';
import { createTestTopics, deleteTestTopics, type TopicCollector, waitFor } from '@homeward/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  collector,
  dropDatabases,
  dropRedisKeys,
  MINUTE,
  missingChildOpened,
  type RunningRescue,
  startRescue,
} from '../support.ts';

// Cross-region work is explicit: Lu'an's police reach a Hefei case only through an assistance
// that Hefei's police asked for and Lu'an's accepted, for the actions it names, until revoked.

let prefix: string;
let svc: RunningRescue;
let caseEvents: TopicCollector;
const clock = new ManualClock('2026-11-28T08:00:00Z');
const luan = { region: '341500' };
const national = { role: 'operator', region: '000000' };

beforeAll(async () => {
  prefix = await createTestTopics('rescue-assist');
  svc = await startRescue({ prefix, clock });
  caseEvents = await collector(prefix, Topics.caseEvents);
});

afterAll(async () => {
  await caseEvents.stop();
  await svc.stop();
  await dropDatabases([svc.dbName]);
  await dropRedisKeys(prefix);
  await deleteTestTopics(prefix);
});

/** A Hefei (340104) missing-child case reported by the hotline, its alert running. */
async function hefeiCase(): Promise<string> {
  const event = missingChildOpened({
    lastSeenAt: new Date(clock.now().getTime() - 5 * MINUTE),
    by: 'hotline',
    region: '340104',
  });
  await svc.rt.publisher.publish(event);
  await waitFor(
    async () => (await svc.call('GET', `/v1/cases/${event.data.caseId}`, undefined, national)).status === 200,
    { what: `case ${event.data.caseId}` },
  );
  expect((await svc.call('POST', `/v1/cases/${event.data.caseId}/alerts`)).status).toBe(201);
  return event.data.caseId;
}

const post = (url: string, body?: unknown, opts?: { region?: string }) =>
  svc.call('POST', url, body ?? {}, opts);

describe('cross-region assistance', () => {
  it("Lu'an's police cannot read, locate, cancel or close a Hefei case until an assistance is accepted, then exactly the granted actions, until revoked", async () => {
    const caseId = await hefeiCase();
    const alertId = `${caseId}.alert-1`;
    const url = `/v1/cases/${caseId}`;

    // Before: every read and write is 404 to Lu'an, as if the case did not exist.
    expect((await svc.call('GET', url, undefined, luan)).status).toBe(404);
    expect((await post(`${url}/located`, { place: 'Lu an' }, luan)).status).toBe(404);
    expect((await post(`/v1/alerts/${alertId}/cancel`, { reason: 'hoax' }, luan)).status).toBe(404);
    expect((await post(`${url}/close`, { reason: 'x' }, luan)).status).toBe(404);
    expect((await svc.call('GET', '/v1/cases?region=340104', undefined, luan)).body.total).toBe(0);
    // Nor may Lu'an ask for assistance on it: only the case's own police do.
    expect(
      (await post(`${url}/assistance`, { region: '341500', reason: 'x', actions: ['read'] }, luan)).status,
    ).toBe(404);

    // Hefei's police ask Lu'an to read and locate; a region inside the case's is refused.
    const inside = await post(`${url}/assistance`, { region: '340104', reason: 'x', actions: ['read'] });
    expect(inside.status).toBe(422);
    expect(inside.body.code).toBe('RESCUE_ERR_ASSISTANCE_REGION');
    const asked = await post(`${url}/assistance`, {
      region: '341500',
      reason: 'the child may have been taken to Lu an',
      actions: ['read', 'locate'],
    });
    expect(asked.status).toBe(201);
    const { assistanceId } = asked.body;
    expect(asked.body).toMatchObject({ status: 'requested', region: '341500', actions: ['read', 'locate'] });

    // Requested is not granted; Hefei cannot accept its own request (not addressed to it).
    expect((await svc.call('GET', url, undefined, luan)).status).toBe(404);
    expect((await post(`${url}/assistance/${assistanceId}/accept`)).status).toBe(404);
    const accepted = await post(`${url}/assistance/${assistanceId}/accept`, undefined, luan);
    expect(accepted.status).toBe(200);
    expect(accepted.body.status).toBe('accepted');
    expect((await post(`${url}/assistance/${assistanceId}/decline`, undefined, luan)).status).toBe(409);

    // Granted: read (one by one and in lists) and locate; not cancel, not close.
    const read = await svc.call('GET', url, undefined, luan);
    expect(read.status).toBe(200);
    expect(read.body.timeline.map((t: { type: string }) => t.type)).toEqual(
      expect.arrayContaining(['homeward.case.assistance-requested', 'homeward.case.assistance-accepted']),
    );
    expect(
      (await svc.call('GET', '/v1/cases?region=340104', undefined, luan)).body.items.map(
        (c: { caseId: string }) => c.caseId,
      ),
    ).toEqual([caseId]);
    expect((await post(`/v1/alerts/${alertId}/cancel`, { reason: 'hoax' }, luan)).status).toBe(404);
    expect((await post(`${url}/close`, { reason: 'x' }, luan)).status).toBe(404);
    expect(
      (await post(`${url}/located`, { place: 'Jin an district, Lu an', region: '341502' }, luan)).status,
    ).toBe(200);

    // Revoked by Hefei: the grant ends at once; Lu'an cannot revoke.
    expect((await post(`${url}/assistance/${assistanceId}/revoke`, undefined, luan)).status).toBe(404);
    expect((await post(`${url}/assistance/${assistanceId}/revoke`)).status).toBe(200);
    expect((await svc.call('GET', url, undefined, luan)).status).toBe(404);
    expect((await svc.call('GET', '/v1/cases?region=340104', undefined, luan)).body.total).toBe(0);

    // Each step is a case event on the topic, with the case as key.
    const types = ['requested', 'accepted', 'revoked'].map((s) => `homeward.case.assistance-${s}`);
    for (const t of types) await caseEvents.waitForEvent((e) => e.type === t && e.subject === caseId);
    const revoked = caseEvents.events.find(
      (e) => e.type === 'homeward.case.assistance-revoked' && e.subject === caseId,
    );
    expect(revoked?.data).toMatchObject({
      caseId,
      assistanceId,
      region: '341500',
      revokedBy: { agencyId: 'hefei-psb' },
    });
  });

  it('a declined request grants nothing; a closed case ends an accepted grant', async () => {
    const caseId = await hefeiCase();
    const url = `/v1/cases/${caseId}`;
    const ask = async () =>
      (await post(`${url}/assistance`, { region: '341500', reason: 'help', actions: ['read', 'close'] })).body
        .assistanceId as string;
    const first = await ask();
    expect((await post(`${url}/assistance/${first}/decline`, undefined, luan)).body.status).toBe('declined');
    expect((await svc.call('GET', url, undefined, luan)).status).toBe(404);
    const second = await ask();
    expect((await post(`${url}/assistance/${second}/accept`, undefined, luan)).status).toBe(200);
    expect((await svc.call('GET', url, undefined, luan)).status).toBe(200);
    // The alert must be cancelled before a close: Hefei does it, then Lu'an closes (granted).
    expect((await post(`/v1/alerts/${caseId}.alert-1/cancel`, { reason: 'found' })).status).toBe(200);
    expect((await post(`${url}/close`, { reason: 'found in Lu an' }, luan)).status).toBe(200);
    expect((await svc.call('GET', url, undefined, luan)).status).toBe(404);
    expect(
      (await post(`${url}/assistance`, { region: '341500', reason: 'again', actions: ['read'] })).status,
    ).toBe(409);
  });

  it('each read of a case leaves exactly one audit record, refused reads none', async () => {
    const caseId = await hefeiCase();
    const audit = svc.rt.mongo.db.collection('audit_log');
    const mine = () => audit.countDocuments({ recordIds: caseId, 'actor.agencyId': 'hefei-psb' });
    const before = await mine();
    expect((await svc.call('GET', `/v1/cases/${caseId}`)).status).toBe(200);
    expect(await mine()).toBe(before + 1);
    expect((await svc.call('GET', `/v1/cases?region=340104&limit=100`)).status).toBe(200);
    expect(await mine()).toBe(before + 2);
    const list = await audit.find({ recordIds: caseId, action: 'case.list' }).toArray();
    expect(list.at(-1)).toMatchObject({ recordType: 'case', filters: { region: '340104', limit: 100 } });
    // A refused read (404 outside scope, 403 for a role) reads nothing and records nothing.
    const luanBefore = await audit.countDocuments({ recordIds: caseId, 'actor.agencyId': 'luan-psb' });
    expect((await svc.call('GET', `/v1/cases/${caseId}`, undefined, luan)).status).toBe(404);
    expect((await svc.call('GET', `/v1/cases/${caseId}`, undefined, { role: 'volunteer' })).status).toBe(403);
    expect(await audit.countDocuments({ recordIds: caseId, 'actor.agencyId': 'luan-psb' })).toBe(luanBefore);
    // GET /v1/audit shows it to an operator of a containing region, not to one of another.
    const seen = await svc.call('GET', `/v1/audit?recordId=${caseId}&action=case.read`, undefined, {
      role: 'operator',
      region: '340100',
    });
    expect(seen.body.items.length).toBeGreaterThanOrEqual(1);
    const hidden = await svc.call('GET', `/v1/audit?recordId=${caseId}`, undefined, {
      role: 'operator',
      region: '341500',
    });
    expect(hidden.body.items).toEqual([]);
  });
});
