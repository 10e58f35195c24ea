import { ManualClock } from '@homeward/service-kit';
import { createTestTopics, deleteTestTopics, type TopicCollector, waitFor } from '@homeward/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decision,
  dnaConfirmed,
  newCaseId,
  openedMissing,
  placementEventsCollector,
  type RunningPlacement,
  rescued,
  startPlacement,
} from '../support.ts';

const DAY = 86_400_000;
let prefix: string;
let svc: RunningPlacement;
let events: TopicCollector;
const clock = new ManualClock('2026-11-20T00:00:00Z');

beforeAll(async () => {
  prefix = await createTestTopics('placement-clocks');
  [svc, events] = await Promise.all([
    startPlacement({
      prefix,
      clock,
      env: { RESCUED_NOT_PLACED_DAYS: '10', IDENTIFIED_NOT_RETURNED_DAYS: '20' },
    }),
    placementEventsCollector(prefix),
  ]);
});

afterAll(async () => {
  await svc?.rt.redis.redis.del(svc.app.index.key, `${prefix}placement:clocks-due`);
  await svc?.rt.mongo.db.dropDatabase();
  await svc?.stop();
  await events?.stop();
  await deleteTestTopics(prefix);
});

const raised = (caseId: string, clockName: string) =>
  events.events.filter(
    (e) =>
      e.type === 'homeward.placement.overdue' &&
      (e.data as { caseId: string; clock: string }).caseId === caseId &&
      (e.data as { clock: string }).clock === clockName,
  );

const overdueIds = async (role = 'civil-affairs') => {
  const res = await svc.call('GET', '/v1/overdue', undefined, { role });
  expect(res.status).toBe(200);
  return res.body.overdue.map((o: { caseId: string; clock: string }) => `${o.clock}:${o.caseId}`);
};

describe('the clocks on "as soon as possible"', () => {
  it('raise rescued-not-placed and identified-not-returned once each, at their boundary and not before', async () => {
    const caseId = newCaseId();
    // Rescued 2026-11-20T02:00Z (10:00 in China); identified by DNA 2026-11-22T02:00Z.
    await svc.publish(
      openedMissing(caseId, '2016-02-02'),
      rescued(caseId, { region: '340104' }),
      dnaConfirmed(caseId),
    );
    await svc.caseDoc(caseId, (d) => d.facts.rescue !== undefined && d.facts.dnaIdentifications.length === 1);
    const rescuedBoundary = Date.parse('2026-11-20T02:00:00Z') + 10 * DAY;
    const identifiedBoundary = Date.parse('2026-11-22T02:00:00Z') + 20 * DAY;

    clock.set(new Date(rescuedBoundary - 1));
    await svc.app.clocks.tick();
    expect(await overdueIds()).not.toContain(`rescued-not-placed:${caseId}`);
    clock.set(new Date(rescuedBoundary));
    await svc.app.clocks.tick();
    await svc.app.clocks.tick();
    await svc.app.placements.raiseClocks(caseId);
    expect(await overdueIds()).toContain(`rescued-not-placed:${caseId}`);
    expect(await overdueIds()).not.toContain(`identified-not-returned:${caseId}`);

    // Placed with a foster family: the first clock stops; the child is still not home.
    const placed = await svc.call('POST', '/v1/placements', decision(caseId));
    expect(placed.status).toBe(201);
    expect(await overdueIds()).not.toContain(`rescued-not-placed:${caseId}`);
    clock.set(new Date(identifiedBoundary - 1));
    await svc.app.clocks.tick();
    clock.set(new Date(identifiedBoundary));
    await svc.app.clocks.tick();
    await svc.app.clocks.tick();
    const listed = await svc.call('GET', '/v1/overdue', undefined, { role: 'operator' });
    expect(listed.body.overdue.find((o: { caseId: string }) => o.caseId === caseId)).toEqual({
      clock: 'identified-not-returned',
      caseId,
      region: '340104',
      since: '2026-11-22T02:00:00.000Z',
      dueAt: new Date(identifiedBoundary).toISOString(),
      limitDays: 20,
    });

    await waitFor(() => raised(caseId, 'identified-not-returned').length > 0, { what: 'identified clock' });
    await new Promise((r) => setTimeout(r, 500));
    expect(raised(caseId, 'rescued-not-placed')).toHaveLength(1);
    expect(raised(caseId, 'identified-not-returned')).toHaveLength(1);
    expect(raised(caseId, 'rescued-not-placed')[0]).toMatchObject({
      id: `${caseId}.rescued-not-placed.overdue`,
      data: { since: '2026-11-20T10:00:00+08:00', detectedAt: new Date(rescuedBoundary).toISOString() },
    });

    // Returned home: nothing is overdue any more.
    const home = await svc.call(
      'POST',
      '/v1/placements',
      decision(caseId, { type: 'return-to-family', reason: 'the mother was found' }),
    );
    expect(home.status).toBe(200);
    expect((await overdueIds()).filter((id: string) => id.endsWith(caseId))).toEqual([]);
    expect((await svc.call('GET', '/v1/overdue', undefined, { role: 'police' })).status).toBe(403);
  });

  it('lists only cases inside the caller region', async () => {
    const caseId = newCaseId();
    await svc.publish(openedMissing(caseId, '2016-02-02'), rescued(caseId, { region: '320102' }));
    await svc.caseDoc(caseId, (d) => d.facts.rescue !== undefined);
    clock.set(new Date(Date.parse('2026-11-20T02:00:00Z') + 11 * DAY));
    // Hefei's civil affairs and Anhui's operator do not see a child placed from Nanjing.
    expect(await overdueIds()).not.toContain(`rescued-not-placed:${caseId}`);
    expect(await overdueIds('operator')).not.toContain(`rescued-not-placed:${caseId}`);
  });

  it('warns until police record the buying household or state there is none', async () => {
    const caseId = newCaseId();
    await svc.publish(openedMissing(caseId, '2016-02-02'), rescued(caseId, { buyer: null }));
    await svc.caseDoc(caseId, (d) => d.facts.rescue !== undefined);
    const placed = await svc.call('POST', '/v1/placements', decision(caseId));
    expect(placed.status).toBe(201);
    expect(placed.body.warnings).toEqual([
      expect.objectContaining({ code: 'PLACEMENT_WARN_BUYER_RECORD_MISSING' }),
    ]);
    const { ev } = await import('../support.ts');
    await svc.publish(
      ev('homeward.case.household-recorded', {
        caseId,
        recordedAt: '2026-11-29T00:00:00Z',
        noBuyerHousehold: { reason: 'taken from the traffickers in transit' },
      }),
    );
    await svc.caseDoc(caseId, (d) => d.facts.noBuyerHousehold !== undefined);
    const read = await svc.call('GET', `/v1/cases/${caseId}/placement`);
    expect(read.body.warnings).toEqual([]);
  });
});
