import { createEvent, type HomewardEvent } from '@homeward/events';
import { ManualClock } from '@homeward/service-kit';
import { uniqueName, waitFor } from '@homeward/testing';
import { describe, expect, it } from 'vitest';
import { dataOf, missingChildOpened, ofCase, suspectedTraffickingOpened, useRescue } from '../support.ts';

const clock = new ManualClock('2026-11-28T08:00:00Z');
const rescue = useRescue('rescue-victims', clock);

async function open(event: HomewardEvent<'homeward.case.opened'>) {
  await rescue.svc.rt.publisher.publish(event);
  await waitFor(async () => (await rescue.svc.call('GET', `/v1/cases/${event.data.caseId}`)).status === 200, {
    what: `case ${event.data.caseId}`,
  });
  return event.data.caseId;
}

const raid = [
  { sex: 'female', apparentAge: 25, description: 'woman in a blue coat' },
  { sex: 'female', birthDate: '1990-04-01', description: 'deaf woman', disability: { kinds: ['hearing'] } },
  { sex: 'female', birthDate: '2009-06-01', description: 'girl of 17' },
  { sex: 'male', apparentAge: 6, description: 'boy of about 6' },
];

describe('a raid that frees three women and a child', () => {
  it('police add the four in one action and rescue them in one action; women are never child-rescued', async () => {
    const caseId = await open(suspectedTraffickingOpened('340123'));
    // Only police add victims, and every victim needs an age.
    const byEducation = await rescue.svc.call(
      'POST',
      `/v1/cases/${caseId}/victims`,
      { victims: raid },
      {
        role: 'education',
      },
    );
    expect(byEducation.status).toBe(403);
    const noAge = await rescue.svc.call('POST', `/v1/cases/${caseId}/victims`, {
      victims: [{ sex: 'female', description: 'x' }],
    });
    expect(noAge.status).toBe(422);
    expect(noAge.body).toMatchObject({
      code: 'RESCUE_ERR_VICTIMS_NOT_APPLICABLE',
      errors: [{ field: '/victims/0' }],
    });
    const injected = await rescue.svc.call('POST', `/v1/cases/${caseId}/victims`, {
      victims: [{ ...raid[0], disability: { kinds: ['hearing'], $set: 1 } }],
    });
    expect(injected.status).toBe(400);

    const added = await rescue.svc.call('POST', `/v1/cases/${caseId}/victims`, {
      victims: raid,
      foundAt: '2026-11-28T07:00:00Z',
    });
    expect(added.status).toBe(201);
    expect(added.body.victims).toEqual([
      { victimId: `${caseId}.v1`, category: 'adult', sex: 'female' },
      { victimId: `${caseId}.v2`, category: 'adult', sex: 'female' },
      { victimId: `${caseId}.v3`, category: 'child', sex: 'female' },
      { victimId: `${caseId}.v4`, category: 'child', sex: 'male' },
    ]);

    const unknown = await rescue.svc.call('POST', `/v1/cases/${caseId}/rescued`, {
      place: 'brick kiln',
      region: '340123',
      victimIds: [`${caseId}.v7`],
    });
    expect(unknown.status).toBe(422);
    const rescued = await rescue.svc.call('POST', `/v1/cases/${caseId}/rescued`, {
      place: 'brick kiln',
      region: '340123',
      buyerHousehold: { headName: 'Zhao Gang', address: 'Village 3, Feixi' },
    });
    expect(rescued.status).toBe(200);
    expect(rescued.body.status).toBe('rescued');

    const victimsRescued = await rescue.caseEvents.waitForEvent(
      (e) => e.type === 'homeward.case.victims-rescued' && ofCase(caseId)(e),
    );
    expect(dataOf(victimsRescued).victims).toEqual([
      { victimId: `${caseId}.v1`, category: 'adult', sex: 'female', ageGroup: '18-and-over' },
      { victimId: `${caseId}.v2`, category: 'adult', sex: 'female', ageGroup: '18-and-over' },
      { victimId: `${caseId}.v3`, category: 'child', sex: 'female', ageGroup: '14-17' },
      { victimId: `${caseId}.v4`, category: 'child', sex: 'male', ageGroup: 'under-14' },
    ]);
    const childRescued = await rescue.caseEvents.waitForEvent(
      (e) => e.type === 'homeward.case.child-rescued' && ofCase(caseId)(e),
    );
    expect(dataOf(childRescued).victimIds).toEqual([`${caseId}.v3`, `${caseId}.v4`]);

    const detail = (await rescue.svc.call('GET', `/v1/cases/${caseId}`)).body;
    expect(detail.victims).toHaveLength(4);
    expect(detail.victims[1]).toMatchObject({
      victimId: `${caseId}.v2`,
      category: 'adult',
      disability: { kinds: ['hearing'] },
      rescued: { place: 'brick kiln', region: '340123' },
    });
    const summary = (await rescue.svc.call('GET', '/v1/cases?status=rescued&region=340123')).body;
    expect(summary.items.find((c: { caseId: string }) => c.caseId === caseId)).toMatchObject({ victims: 4 });
  });

  it('a woman rescued alone publishes victims-rescued and no child-rescued', async () => {
    const caseId = await open(suspectedTraffickingOpened('340123'));
    await rescue.svc.call('POST', `/v1/cases/${caseId}/victims`, { victims: [raid[0]] });
    expect(
      (await rescue.svc.call('POST', `/v1/cases/${caseId}/rescued`, { place: 'farm', region: '340123' }))
        .status,
    ).toBe(200);
    await rescue.caseEvents.waitForEvent(
      (e) => e.type === 'homeward.case.victims-rescued' && ofCase(caseId)(e),
    );
    // Our own events come back on the topic; wait for the case to be closed after, then look.
    await rescue.svc.call('POST', `/v1/cases/${caseId}/close`, { reason: 'she went home' });
    await rescue.caseEvents.waitForEvent((e) => e.type === 'homeward.case.closed' && ofCase(caseId)(e));
    expect(
      rescue.caseEvents.events.filter((e) => ofCase(caseId)(e) && e.type === 'homeward.case.child-rescued'),
    ).toEqual([]);
  });
});

describe('a missing woman', () => {
  it('gets no alert at opening; police may issue one, which says an adult is sought', async () => {
    const caseId = uniqueName('case');
    const opened = createEvent(
      'homeward.case.opened',
      {
        caseId,
        kind: 'missing-woman',
        region: '340104',
        openedAt: '2026-11-28T07:50:00Z',
        reportId: `rpt-${caseId}`,
        reportedBy: { agencyId: 'anhui-womens-federation', role: 'womens-federation', region: '340000' },
        report: {
          kind: 'missing-woman',
          woman: { name: 'Wang Fang', apparentAge: 30, description: 'green coat' },
          lastSeen: {
            at: '2026-11-28T07:40:00Z',
            place: 'Hefei South Station',
            lat: 31.8,
            lon: 117.3,
            region: '340104',
          },
          trafficked: true,
        },
        victims: [
          {
            victimId: `${caseId}.v1`,
            category: 'adult',
            sex: 'female',
            apparentAge: 30,
            ageObservedAt: '2026-11-28T07:40:00Z',
            description: 'green coat',
          },
        ],
      },
      { source: 'homeward/intake', subject: caseId, id: `rpt-${caseId}.case-opened` },
    );
    await open(opened);
    // Give an automatic alert time to appear if one were issued: none is.
    await new Promise((r) => setTimeout(r, 1000));
    expect(rescue.alertEvents.events.filter(ofCase(caseId))).toEqual([]);
    expect((await rescue.svc.call('GET', `/v1/cases/${caseId}`)).body.status).toBe('opened');
    const issued = await rescue.svc.call('POST', `/v1/cases/${caseId}/alerts`);
    expect(issued.status).toBe(201);
    const alert = await rescue.alertEvents.waitForEvent(
      (e) => e.type === 'homeward.alert.issued' && ofCase(caseId)(e),
    );
    expect(dataOf(alert)).toMatchObject({
      sought: 'adult',
      child: { sex: 'female', description: 'green coat' },
    });
    expect(JSON.stringify(dataOf(alert))).not.toContain('Wang Fang');
  });
});

describe('old single-child events', () => {
  it('a case.opened without victims is a case of one child victim, located and rescued as before', async () => {
    const opened = missingChildOpened({ lastSeenAt: new Date('2026-11-28T07:30:00Z') });
    const caseId = await open(opened);
    expect('victims' in opened.data).toBe(false);
    const detail = (await rescue.svc.call('GET', `/v1/cases/${caseId}`)).body;
    expect(detail.victims).toEqual([
      expect.objectContaining({
        victimId: `${caseId}.v1`,
        category: 'child',
        addedAt: opened.data.openedAt,
      }),
    ]);
    expect(
      (await rescue.svc.call('POST', `/v1/cases/${caseId}/rescued`, { place: 'x', region: '340104' })).status,
    ).toBe(200);
    const child = await rescue.caseEvents.waitForEvent(
      (e) => e.type === 'homeward.case.child-rescued' && ofCase(caseId)(e),
    );
    expect(dataOf(child).victimIds).toEqual([`${caseId}.v1`]);
  });
});
