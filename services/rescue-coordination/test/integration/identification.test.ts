import { type CloudEvent, createEvent, type HomewardEvent, Topics } from '@homeward/events';
import { ManualClock } from '@homeward/service-kit';
import {
  createTestTopics,
  deleteTestTopics,
  type TopicCollector,
  uniqueName,
  waitFor,
} from '@homeward/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  collector,
  dropDatabases,
  dropRedisKeys,
  HOUR,
  missingChildOpened,
  type RunningRescue,
  startRescue,
  suspectedTraffickingOpened,
  team,
} from '../support.ts';

const TEAM_HOURS = 6;
let prefix: string;
let svc: RunningRescue;
let caseEvents: TopicCollector;
const clock = new ManualClock('2026-11-28T08:00:00Z');

beforeAll(async () => {
  prefix = await createTestTopics('rescue-identification');
  svc = await startRescue({
    prefix,
    clock,
    env: { TEAM_OVERDUE_HOURS: String(TEAM_HOURS), TEAM_CHECK_INTERVAL_MS: '3600000' },
  });
  caseEvents = await collector(prefix, Topics.caseEvents);
});

afterAll(async () => {
  await caseEvents.stop();
  await svc.stop();
  await dropDatabases([svc.dbName]);
  await dropRedisKeys(prefix);
  await deleteTestTopics(prefix);
});

async function open(event: HomewardEvent<'homeward.case.opened'>) {
  await svc.publish(event);
  // The national operator reaches every case, wherever the test opened it.
  const national = { role: 'operator', region: '000000' };
  await waitFor(
    async () => (await svc.call('GET', `/v1/cases/${event.data.caseId}`, undefined, national)).status === 200,
    {
      what: `case ${event.data.caseId}`,
    },
  );
  return event.data.caseId;
}

const ofCase = (caseId: string, type: string) => (e: CloudEvent) =>
  e.type === type && (e.data as { caseId: string }).caseId === caseId;

describe('a confirmed match', () => {
  it("links the child's case and the parents' case, each timeline showing the other", async () => {
    const m = await open(missingChildOpened({ lastSeenAt: new Date('2026-11-20T08:00:00Z') }));
    const u = await open(suspectedTraffickingOpened());
    const matchId = uniqueName('match');
    await svc.publish(
      createEvent(
        'homeward.dna.match-confirmed',
        {
          matchId,
          childSampleId: 'smp-child',
          parentSampleIds: ['smp-father'],
          caseId: m,
          childCaseId: u,
          parents: [{ sampleId: 'smp-father', relation: 'father' }],
          confirmedAt: '2026-11-28T07:00:00Z',
          confirmedBy: 'lab-director',
        },
        { source: 'homeward/dna-tracking', subject: 'smp-child', id: `${matchId}.reviewed` },
      ),
    );
    const linked = async (caseId: string) =>
      waitFor(
        async () => {
          const res = await svc.call('GET', `/v1/cases/${caseId}`);
          return res.body.links ? res.body : undefined;
        },
        { what: `links of ${caseId}` },
      );
    const mView = await linked(m);
    const uView = await linked(u);
    expect(mView.links).toEqual([{ caseId: u, as: 'child-case', matchId, at: '2026-11-28T07:00:00Z' }]);
    expect(uView.links).toEqual([{ caseId: m, as: 'parents-case', matchId, at: '2026-11-28T07:00:00Z' }]);
    expect(uView.identified).toMatchObject({ matchId, parentsCaseId: m, childCaseId: u });
    const entry = (view: { timeline: Array<{ type: string; details?: Record<string, unknown> }> }) =>
      view.timeline.find((t) => t.type === 'homeward.dna.match-confirmed')?.details;
    expect(entry(mView)).toMatchObject({ matchId, linkedCaseId: u, linkedAs: 'child-case' });
    expect(entry(uView)).toMatchObject({ matchId, linkedCaseId: m, linkedAs: 'parents-case' });
  });
});

describe('the buying household', () => {
  it('is recorded after the rescue by police, or stated absent, never both', async () => {
    const caseId = await open(missingChildOpened({ lastSeenAt: new Date('2026-11-20T08:00:00Z') }));
    const rescued = await svc.call('POST', `/v1/cases/${caseId}/rescued`, {
      place: 'Feixi county, village 3',
      region: '340123',
    });
    expect(rescued.status).toBe(200);
    expect((await svc.call('GET', `/v1/cases/${caseId}`)).body.buyerRecord).toBe('missing');

    const body = {
      buyerHousehold: {
        headName: 'Zhao Si',
        address: 'Feixi county, village 3, No. 8',
        members: [{ name: 'Qian Hua', relation: 'wife' }],
      },
    };
    const url = `/v1/cases/${caseId}/household`;
    expect((await svc.call('POST', url, body, { role: 'operator' })).status).toBe(403);
    expect((await svc.call('POST', url, {})).status).toBe(400);
    const unsafe = await svc.call('POST', url, {
      buyerHousehold: { ...body.buyerHousehold, members: [{ name: 'x', $set: 'y' }] },
    });
    expect(unsafe.status).toBe(400);
    const both = await svc.call('POST', url, { ...body, noBuyerHousehold: { reason: 'in transit' } });
    expect(both.status).toBe(422);
    expect(both.body.code).toBe('RESCUE_ERR_HOUSEHOLD_CONFLICT');

    const ok = await svc.call('POST', url, body);
    expect(ok.status).toBe(200);
    expect((await svc.call('GET', `/v1/cases/${caseId}`)).body.buyerRecord).toBe('recorded');
    const event = await caseEvents.waitForEvent(ofCase(caseId, 'homeward.case.household-recorded'));
    expect(event.data).toMatchObject({ caseId, buyerHousehold: body.buyerHousehold });
    const none = await svc.call('POST', url, { noBuyerHousehold: { reason: 'in transit' } });
    expect(none.status).toBe(422);

    const fresh = await open(missingChildOpened({ lastSeenAt: new Date('2026-11-20T08:00:00Z') }));
    expect((await svc.call('POST', `/v1/cases/${fresh}/household`, body)).status).toBe(409);
    const stated = await svc.call('POST', `/v1/cases/${fresh}/rescued`, {
      place: 'Hefei',
      region: '340104',
      noBuyerHousehold: { reason: 'taken from the traffickers in transit, never sold' },
    });
    expect(stated.status).toBe(200);
    expect((await svc.call('GET', `/v1/cases/${fresh}`)).body.buyerRecord).toBe('none-stated');
  });
});

describe('the special team clock', () => {
  it('raises team-overdue once at its boundary, not before, and lists it in scope', async () => {
    clock.set('2026-12-01T00:00:00Z');
    const openedAt = new Date('2026-12-01T00:00:00Z');
    const late = await open(missingChildOpened({ lastSeenAt: openedAt }));
    const led = await open(missingChildOpened({ lastSeenAt: openedAt }));
    const far = await open(missingChildOpened({ lastSeenAt: openedAt, region: '320102' }));
    expect((await svc.call('POST', `/v1/cases/${led}/team`, team('340100'))).status).toBe(200);

    const boundary = openedAt.getTime() + TEAM_HOURS * HOUR;
    clock.set(new Date(boundary - 1));
    await svc.app.teamClock.tick();
    expect(
      (await svc.call('GET', '/v1/overdue')).body.overdue.map((o: { caseId: string }) => o.caseId),
    ).not.toContain(late);
    clock.set(new Date(boundary));
    await svc.app.teamClock.tick();
    await svc.app.teamClock.tick();
    clock.advance(HOUR);
    await svc.app.teamClock.tick();
    await svc.app.teamClockService.raiseTeamOverdue(late);

    const raised = await caseEvents.waitForEvent(ofCase(late, 'homeward.case.team-overdue'));
    expect(raised.id).toBe(`${late}.team-overdue`);
    expect(raised.data).toMatchObject({
      caseId: late,
      kind: 'missing-child',
      limitHours: TEAM_HOURS,
      detectedAt: new Date(boundary).toISOString(),
    });
    await caseEvents.waitForEvent(ofCase(far, 'homeward.case.team-overdue'));
    await new Promise((r) => setTimeout(r, 500));
    expect(caseEvents.events.filter(ofCase(late, 'homeward.case.team-overdue'))).toHaveLength(1);
    expect(caseEvents.events.filter(ofCase(led, 'homeward.case.team-overdue'))).toHaveLength(0);

    const listed = await svc.call('GET', '/v1/overdue', undefined, { role: 'operator' });
    expect(listed.status).toBe(200);
    const ids = listed.body.overdue.map((o: { caseId: string }) => o.caseId);
    expect(ids).toContain(late);
    expect(ids).not.toContain(led);
    // Nanjing's case is outside Anhui's operator.
    expect(ids).not.toContain(far);
    expect(listed.body.overdue.find((o: { caseId: string }) => o.caseId === late)).toEqual({
      clock: 'team',
      caseId: late,
      kind: 'missing-child',
      region: '340104',
      since: openedAt.toISOString(),
      dueAt: new Date(boundary).toISOString(),
    });
    expect((await svc.call('GET', '/v1/overdue', undefined, { role: 'civil-affairs' })).status).toBe(403);
    // A case outside the caller's region answers as a missing one.
    const outside = await svc.call('POST', `/v1/cases/${far}/household`, {
      noBuyerHousehold: { reason: 'in transit' },
    });
    expect(outside.status).toBe(404);
    expect(outside.body.code).toBe('RESCUE_ERR_CASE_NOT_FOUND');
  });
});
