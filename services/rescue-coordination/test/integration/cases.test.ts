import { createEvent } from '@homeward/events';
import { ManualClock } from '@homeward/service-kit';
import { testLogger, uniqueName, waitFor } from '@homeward/testing';
import { describe, expect, it } from 'vitest';
import { caseOpenedHandler, leadAddedHandler } from '../../src/handlers/case-events.ts';
import {
  leadAdded,
  MINUTE,
  missingChildOpened,
  ofCase,
  suspectedTraffickingOpened,
  team,
  useRescue,
} from '../support.ts';

const clock = new ManualClock('2026-11-28T08:00:00Z');
const rescue = useRescue('rescue-cases', clock);

/** Publishes a case.opened as intake would and waits until the service knows the case. */
async function open(event: ReturnType<typeof missingChildOpened>) {
  await rescue.svc.publish(event);
  // The national operator reaches every case, wherever the test opened it.
  const national = { role: 'operator', region: '000000' };
  await waitFor(
    async () =>
      (await rescue.svc.call('GET', `/v1/cases/${event.data.caseId}`, undefined, national)).status === 200,
    { what: `case ${event.data.caseId}` },
  );
  return event.data.caseId;
}

const lastSeen = (minutesAgo: number) => new Date(clock.now().getTime() - minutesAgo * MINUTE);

describe('alerts from a missing-child case', () => {
  it('a police report issues the alert at once, with what a searcher needs and nothing more', async () => {
    const caseId = await open(missingChildOpened({ lastSeenAt: lastSeen(10) }));
    const issued = await rescue.alertEvents.waitForEvent(
      (e) => e.type === 'homeward.alert.issued' && ofCase(caseId)(e),
    );
    expect(issued).toMatchObject({
      id: `${caseId}.alert-1.issued`,
      source: 'homeward/rescue-coordination',
      data: {
        alertId: `${caseId}.alert-1`,
        caseId,
        radiusKm: 100,
        step: 0,
        center: { lat: 31.7979, lon: 117.2906 },
        region: '340104',
        lastSeenPlace: 'Hefei South Station, east exit',
        lastSeenAt: lastSeen(10).toISOString(),
        child: {
          sex: 'male',
          birthDate: '2019-05-01',
          description: 'red jacket, blue backpack',
          photoUrl: 'https://photos.example.org/c/1.jpg',
        },
      },
    });
    expect(JSON.stringify(issued)).not.toMatch(/Li Xiaoming|Li Wei|138 0000/);
    const key = rescue.alertEvents.messages.find((m) => m.event?.id === issued.id)?.message.key?.toString();
    expect(key).toBe(`${caseId}.alert-1`);
    const kase = await rescue.svc.call('GET', `/v1/cases/${caseId}`);
    expect(kase.body).toMatchObject({ status: 'searching', activeAlertId: `${caseId}.alert-1` });
    expect(kase.body.alerts[0]).toMatchObject({ status: 'active', radiusKm: 100, step: 0 });
    expect(kase.body.alerts[0].nextEscalationAt).toBe(
      new Date(lastSeen(10).getTime() + 60 * MINUTE).toISOString(),
    );
  });

  it('other reporters: police issue it; others get 403, no key 401; a second alert while one runs is 409', async () => {
    const caseId = await open(missingChildOpened({ lastSeenAt: lastSeen(30), by: 'hotline' }));
    expect((await rescue.svc.call('GET', `/v1/cases/${caseId}`)).body).toMatchObject({
      status: 'opened',
      alerts: [],
    });
    for (const role of ['hotline', 'operator', 'volunteer', 'unit']) {
      const res = await rescue.svc.call('POST', `/v1/cases/${caseId}/alerts`, undefined, { role });
      expect({ role, status: res.status, code: res.body.code }).toEqual({
        role,
        status: 403,
        code: 'HOMEWARD_ERR_FORBIDDEN',
      });
    }
    const anonymous = await rescue.svc.call('POST', `/v1/cases/${caseId}/alerts`, undefined, { role: null });
    expect([anonymous.status, anonymous.body.code]).toEqual([401, 'HOMEWARD_ERR_UNAUTHORIZED']);

    const issued = await rescue.svc.call('POST', `/v1/cases/${caseId}/alerts`);
    expect(issued.status).toBe(201);
    expect(issued.body).toMatchObject({
      alertId: `${caseId}.alert-1`,
      radiusKm: 100,
      step: 0,
      status: 'active',
    });
    const again = await rescue.svc.call('POST', `/v1/cases/${caseId}/alerts`);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({
      code: 'RESCUE_ERR_ALERT_ACTIVE',
      type: 'urn:homeward:problem:rescue-err-alert-active',
    });
  });

  it('a case that is not a missing child gets no alert (422)', async () => {
    const caseId = await open(suspectedTraffickingOpened());
    const res = await rescue.svc.call('POST', `/v1/cases/${caseId}/alerts`);
    expect([res.status, res.body.code]).toEqual([422, 'RESCUE_ERR_ALERT_NOT_APPLICABLE']);
    const missing = await rescue.svc.call('POST', '/v1/cases/no-such-case/alerts');
    expect([missing.status, missing.body.code]).toEqual([404, 'RESCUE_ERR_CASE_NOT_FOUND']);
  });
});

describe('the case lifecycle', () => {
  it('opened → team → searching → located → rescued → closed, each step out of order refused with 409', async () => {
    const caseId = await open(missingChildOpened({ lastSeenAt: lastSeen(20), by: 'hotline' }));
    const url = `/v1/cases/${caseId}`;
    // The clock moves between steps, as it would: the timeline is in time order.
    clock.advance(MINUTE);
    expect((await rescue.svc.call('POST', `${url}/team`, team('340100'))).status).toBe(200);
    clock.advance(MINUTE);
    expect((await rescue.svc.call('POST', `${url}/alerts`)).status).toBe(201);
    clock.advance(MINUTE);
    const located = await rescue.svc.call('POST', `${url}/located`, {
      place: 'Lu an bus station',
      region: '341500',
    });
    expect(located.body).toMatchObject({ caseId, status: 'located' });
    const cancelled = await rescue.alertEvents.waitForEvent(
      (e) => e.type === 'homeward.alert.cancelled' && ofCase(caseId)(e),
    );
    expect(cancelled.data).toMatchObject({ alertId: `${caseId}.alert-1`, reason: 'found' });

    const refusals = [
      ['located', { place: 'again' }],
      ['alerts', undefined],
    ] as const;
    for (const [action, body] of refusals) {
      const res = await rescue.svc.call('POST', `${url}/${action}`, body);
      expect({ action, status: res.status, code: res.body.code, type: res.body.type }).toEqual({
        action,
        status: 409,
        code: 'RESCUE_ERR_INVALID_TRANSITION',
        type: 'urn:homeward:problem:rescue-err-invalid-transition',
      });
    }
    clock.advance(MINUTE);
    const rescued = await rescue.svc.call('POST', `${url}/rescued`, {
      place: 'a farmhouse in Shou county',
      region: '341500',
      buyerHousehold: {
        headName: 'Zhang San',
        address: 'Shou county, village 3',
        idNumber: '340000000000000000',
      },
      identification: { method: 'family-recognition', identifiedBy: 'officer rescue-340104' },
    });
    expect(rescued.body).toMatchObject({ status: 'rescued' });
    expect(
      (await rescue.svc.call('POST', `${url}/rescued`, { place: 'x', region: '341500' })).body.code,
    ).toBe('RESCUE_ERR_INVALID_TRANSITION');
    expect((await rescue.svc.call('POST', `${url}/located`, { place: 'x' })).status).toBe(409);
    clock.advance(MINUTE);
    expect((await rescue.svc.call('POST', `${url}/close`, { reason: 'returned home' })).body).toMatchObject({
      status: 'closed',
    });
    for (const [action, body] of [
      ['close', { reason: 'again' }],
      ['team', team('340100')],
      ['rescued', { place: 'x', region: '341500' }],
    ] as const) {
      const res = await rescue.svc.call('POST', `${url}/${action}`, body);
      expect({ action, status: res.status, code: res.body.code }).toEqual({
        action,
        status: 409,
        code: 'RESCUE_ERR_INVALID_TRANSITION',
      });
    }

    const detail = (await rescue.svc.call('GET', url)).body;
    expect(detail.status).toBe('closed');
    expect(detail.rescued.buyerHousehold).toEqual({
      headName: 'Zhang San',
      address: 'Shou county, village 3',
      idNumber: '340000000000000000',
    });
    expect(detail.timeline.map((t: { type: string }) => t.type)).toEqual([
      'homeward.case.opened',
      'homeward.case.team-assigned',
      'homeward.alert.issued',
      'homeward.case.victims-located',
      'homeward.alert.cancelled',
      'homeward.case.victims-rescued',
      'homeward.case.closed',
    ]);
    // Operators never see the buyer's identity number (nor the household): only that one was recorded.
    const forOperator = await rescue.svc.call('GET', url, undefined, { role: 'operator' });
    expect(forOperator.status).toBe(200);
    expect(forOperator.body.rescued).toMatchObject({
      buyerHouseholdRecorded: true,
      identification: { method: 'family-recognition' },
    });
    expect(forOperator.body.rescued.buyerHousehold).toBeUndefined();
    expect(JSON.stringify(forOperator.body)).not.toContain('340000000000000000');
    expect(JSON.stringify(forOperator.body)).not.toContain('Zhang San');
    const liaison = detail.timeline.find((t: { type: string }) => t.type === 'homeward.case.team-assigned');
    expect(liaison.details.familyLiaisonLead.contact).toBe('+86 551 0000 0000');

    await rescue.caseEvents.waitForEvent((e) => e.type === 'homeward.case.closed' && ofCase(caseId)(e));
    const mine = rescue.caseEvents.events.filter(
      (e) => ofCase(caseId)(e) && e.source === 'homeward/rescue-coordination',
    );
    // The child is victim 1: each step names it as a victim, and as a child for consumers that
    // know only children.
    expect(mine.map((e) => e.type)).toEqual([
      'homeward.case.team-assigned',
      'homeward.case.victims-located',
      'homeward.case.child-located',
      'homeward.case.victims-rescued',
      'homeward.case.child-rescued',
      'homeward.case.closed',
    ]);
    expect(mine[4]?.data).toMatchObject({ buyerHousehold: { headName: 'Zhang San' } });
  });

  it('rescued without located cancels the alert too, with reason found', async () => {
    const caseId = await open(missingChildOpened({ lastSeenAt: lastSeen(5) }));
    await rescue.alertEvents.waitForEvent((e) => e.type === 'homeward.alert.issued' && ofCase(caseId)(e));
    const res = await rescue.svc.call('POST', `/v1/cases/${caseId}/rescued`, {
      place: 'Hefei',
      region: '340104',
    });
    expect(res.body.status).toBe('rescued');
    const cancelled = await rescue.alertEvents.waitForEvent(
      (e) => e.type === 'homeward.alert.cancelled' && ofCase(caseId)(e),
    );
    expect(cancelled.data).toMatchObject({ reason: 'found' });
    const detail = (await rescue.svc.call('GET', `/v1/cases/${caseId}`)).body;
    expect(detail.alerts[0]).toMatchObject({
      status: 'cancelled',
      nextEscalationAt: null,
      cancelled: { reason: 'found' },
    });
    expect(await rescue.svc.app.schedule.due(new Date(8.64e15), 10_000)).not.toContain(`${caseId}.alert-1`);
  });

  it('police-only actions are refused to other roles (403) and without a key (401)', async () => {
    const caseId = await open(missingChildOpened({ lastSeenAt: lastSeen(5), by: 'hotline' }));
    const actions: Array<[string, unknown]> = [
      [`/v1/cases/${caseId}/team`, team('340100')],
      [`/v1/cases/${caseId}/alerts`, undefined],
      [`/v1/cases/${caseId}/located`, { place: 'x' }],
      [`/v1/cases/${caseId}/rescued`, { place: 'x', region: '340104' }],
      [`/v1/cases/${caseId}/close`, { reason: 'x' }],
      [`/v1/alerts/${caseId}.alert-1/cancel`, { reason: 'hoax' }],
      [`/v1/alerts/${caseId}.alert-1/centre`, { leadId: 'x' }],
    ];
    for (const [url, body] of actions) {
      for (const role of ['operator', 'civil-affairs', 'dna-lab', 'admin']) {
        expect({ url, role, status: (await rescue.svc.call('POST', url, body, { role })).status }).toEqual({
          url,
          role,
          status: 403,
        });
      }
      expect({ url, status: (await rescue.svc.call('POST', url, body, { role: null })).status }).toEqual({
        url,
        status: 401,
      });
    }
    expect((await rescue.svc.call('GET', `/v1/cases/${caseId}`)).body.status).toBe('opened');
  });
});

describe('one chief, three responsibilities', () => {
  it('the chief is a roster head of the case county, its prefecture or its province; no other', async () => {
    const caseId = await open(
      missingChildOpened({ lastSeenAt: lastSeen(5), by: 'hotline', region: '340104' }),
    );
    for (const region of ['340104', '340100', '340000']) {
      const res = await rescue.svc.call('POST', `/v1/cases/${caseId}/team`, team(region));
      expect({ region, status: res.status }).toEqual({ region, status: 200 });
    }
    for (const region of ['340102', '341500', '341502']) {
      const res = await rescue.svc.call('POST', `/v1/cases/${caseId}/team`, team(region));
      expect({ region, status: res.status, code: res.body.code, type: res.body.type }).toEqual({
        region,
        status: 422,
        code: 'RESCUE_ERR_CHIEF_REGION',
        type: 'urn:homeward:problem:rescue-err-chief-region',
      });
      expect(res.body.errors).toEqual([{ field: '/chiefId', message: expect.stringContaining('340104') }]);
    }
    const detail = (await rescue.svc.call('GET', `/v1/cases/${caseId}`)).body;
    // The officers' particulars come from the roster, not from the request.
    expect(detail.team.chief).toMatchObject({
      officerId: 'ah-prov-0001',
      agencyId: 'anhui-public-security-department',
      region: '340000',
    });
    const plain = await rescue.svc.call('POST', `/v1/cases/${caseId}/team`, {
      ...team('340104'),
      chiefId: 'hf-psb-0101',
    });
    expect(plain.status).toBe(422);
    expect(plain.body.code).toBe('RESCUE_ERR_CHIEF_NOT_HEAD');
    const unknown = await rescue.svc.call('POST', `/v1/cases/${caseId}/team`, {
      ...team('340104'),
      chiefId: 'hf-psb-9999',
    });
    expect(unknown.status).toBe(422);
    expect(unknown.body).toMatchObject({
      code: 'RESCUE_ERR_OFFICER_NOT_ON_ROSTER',
      errors: [{ field: '/chiefId', message: 'is not on the police roster' }],
    });
    const { familyLiaisonLeadId: _, ...incomplete } = team('340100');
    const missing = await rescue.svc.call('POST', `/v1/cases/${caseId}/team`, incomplete);
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toContainEqual({ field: '/familyLiaisonLeadId', message: 'is required' });
    // Particulars in the body are refused: the roster alone says who an officer is.
    const particulars = await rescue.svc.call('POST', `/v1/cases/${caseId}/team`, {
      ...team('340100'),
      chief: { officerId: 'x', name: 'Self Appointed', agencyId: 'hefei-psb', region: '340000' },
    });
    expect(particulars.status).toBe(400);
  });
});

describe('cancelling and moving an alert', () => {
  it('cancel with a reason; again is 409; a bad reason 400; an unknown alert 404; a case with a running alert does not close', async () => {
    const caseId = await open(missingChildOpened({ lastSeenAt: lastSeen(5) }));
    const alertId = `${caseId}.alert-1`;
    await rescue.alertEvents.waitForEvent((e) => e.type === 'homeward.alert.issued' && ofCase(caseId)(e));
    const closing = await rescue.svc.call('POST', `/v1/cases/${caseId}/close`, { reason: 'hoax' });
    expect([closing.status, closing.body.code]).toEqual([409, 'RESCUE_ERR_ALERT_ACTIVE']);
    const bad = await rescue.svc.call('POST', `/v1/alerts/${alertId}/cancel`, { reason: 'bored' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('/reason');
    const unknown = await rescue.svc.call('POST', '/v1/alerts/nope.alert-1/cancel', { reason: 'hoax' });
    expect([unknown.status, unknown.body.code]).toEqual([404, 'RESCUE_ERR_ALERT_NOT_FOUND']);
    const ok = await rescue.svc.call('POST', `/v1/alerts/${alertId}/cancel`, {
      reason: 'hoax',
      note: 'the family lied',
    });
    expect(ok.body).toMatchObject({
      status: 'cancelled',
      cancelled: { reason: 'hoax', note: 'the family lied' },
    });
    const cancelled = await rescue.alertEvents.waitForEvent(
      (e) => e.type === 'homeward.alert.cancelled' && ofCase(caseId)(e),
    );
    expect(cancelled.data).toMatchObject({ reason: 'hoax', note: 'the family lied' });
    const again = await rescue.svc.call('POST', `/v1/alerts/${alertId}/cancel`, { reason: 'hoax' });
    expect([again.status, again.body.code]).toEqual([409, 'RESCUE_ERR_ALERT_ENDED']);
    expect((await rescue.svc.call('POST', `/v1/cases/${caseId}/close`, { reason: 'hoax' })).status).toBe(200);
  });

  it('a lead moves the centre only when police say so: same radius, next step', async () => {
    const caseId = await open(missingChildOpened({ lastSeenAt: lastSeen(15) }));
    const alertId = `${caseId}.alert-1`;
    const lead = leadAdded(caseId);
    await rescue.svc.publish(lead);
    await waitFor(async () => (await rescue.svc.call('GET', `/v1/cases/${caseId}`)).body.leads.length === 1, {
      what: 'lead',
    });
    // The lead alone changed nothing.
    expect((await rescue.svc.call('GET', `/v1/cases/${caseId}`)).body.alerts[0]).toMatchObject({
      center: { lat: 31.7979, lon: 117.2906 },
      step: 0,
    });
    const unknown = await rescue.svc.call('POST', `/v1/alerts/${alertId}/centre`, { leadId: 'no-such-lead' });
    expect([unknown.status, unknown.body.code]).toEqual([404, 'RESCUE_ERR_LEAD_NOT_FOUND']);
    const moved = await rescue.svc.call('POST', `/v1/alerts/${alertId}/centre`, { leadId: lead.data.leadId });
    expect(moved.body).toMatchObject({ center: { lat: 31.85, lon: 117.2 }, radiusKm: 100, step: 1 });
    const escalated = await rescue.alertEvents.waitForEvent(
      (e) => e.type === 'homeward.alert.escalated' && ofCase(caseId)(e),
    );
    expect(escalated).toMatchObject({
      id: `${alertId}.step-1`,
      data: { center: { lat: 31.85, lon: 117.2 }, radiusKm: 100, previousRadiusKm: 100, step: 1 },
    });
  });
});

describe('consumed events', () => {
  it('redelivered case.opened and lead-added change nothing, through the guard or past it', async () => {
    const opened = missingChildOpened({ lastSeenAt: lastSeen(5) });
    const caseId = await open(opened);
    const lead = leadAdded(caseId);
    await rescue.svc.publish(lead);
    await waitFor(async () => (await rescue.svc.call('GET', `/v1/cases/${caseId}`)).body.leads.length === 1, {
      what: 'lead',
    });
    const before = (await rescue.svc.call('GET', `/v1/cases/${caseId}`)).body;
    // Redelivered on Kafka (the idempotency guard drops them) ...
    await rescue.svc.publish(opened, lead);
    // ... and handed to the handlers again, as after a crash before the guard recorded them.
    const ctx = { log: testLogger(), topic: 't', partition: 0, offset: '0', traceparent: '' };
    await caseOpenedHandler(rescue.svc.app.service, rescue.svc.app.alerts)(opened, ctx);
    await leadAddedHandler(rescue.svc.app.service)(lead, ctx);
    const marker = missingChildOpened({ lastSeenAt: lastSeen(5) });
    await open(marker); // processed after the redeliveries on this partition or another
    await new Promise((r) => setTimeout(r, 500));
    const after = (await rescue.svc.call('GET', `/v1/cases/${caseId}`)).body;
    expect(after.version).toBe(before.version);
    expect(after.leads).toHaveLength(1);
    expect(after.alerts).toHaveLength(1);
    expect(after.timeline).toEqual(before.timeline);
    expect(
      rescue.alertEvents.events.filter((e) => e.type === 'homeward.alert.issued' && ofCase(caseId)(e)),
    ).toHaveLength(1);
  });

  it('a confirmed DNA match marks the child identified, once', async () => {
    const caseId = await open(missingChildOpened({ lastSeenAt: lastSeen(5), by: 'hotline' }));
    const matchId = uniqueName('match');
    const confirmed = createEvent(
      'homeward.dna.match-confirmed',
      {
        matchId,
        childSampleId: 'smp-child',
        parentSampleIds: ['smp-mother'],
        caseId,
        confirmedAt: '2026-11-28T12:00:00Z',
        confirmedBy: 'anhui-forensic-dna-lab',
      },
      { source: 'homeward/dna-tracking', id: `${matchId}.confirmed` },
    );
    await rescue.svc.publish(confirmed);
    const detail = await waitFor(
      async () => {
        const b = (await rescue.svc.call('GET', `/v1/cases/${caseId}`)).body;
        return b.identified ? b : undefined;
      },
      { what: 'identified' },
    );
    expect(detail.identified).toMatchObject({ matchId, childSampleId: 'smp-child' });
    await rescue.svc.app.service.recordIdentified(confirmed);
    expect((await rescue.svc.call('GET', `/v1/cases/${caseId}`)).body.version).toBe(detail.version);
  });

  it('unit acknowledgements are counted per unit', async () => {
    const caseId = await open(missingChildOpened({ lastSeenAt: lastSeen(5) }));
    const alertId = `${caseId}.alert-1`;
    await rescue.alertEvents.waitForEvent((e) => e.type === 'homeward.alert.issued' && ofCase(caseId)(e));
    const ack = (unitId: string) =>
      createEvent(
        'homeward.notification.acknowledged',
        { alertId, unitId, acknowledgedAt: '2026-11-28T08:01:00Z' },
        { source: 'homeward/notifications' },
      );
    await rescue.svc.publish(ack('unit-a'), ack('unit-a'), ack('unit-b'));
    await waitFor(
      async () => (await rescue.svc.call('GET', `/v1/cases/${caseId}`)).body.alerts[0].acknowledgements === 2,
      {
        what: 'two acknowledgements',
      },
    );
  });
});

describe('reading cases', () => {
  it("lists with filters and paging within the caller's region; police and operators read, others 403; every read is audited", async () => {
    const region = '341502';
    const luan = { region: '341500' };
    const a = await open(missingChildOpened({ lastSeenAt: lastSeen(5), region, by: 'hotline' }));
    const b = await open(missingChildOpened({ lastSeenAt: lastSeen(4), region, by: 'hotline' }));
    expect((await rescue.svc.call('POST', `/v1/cases/${b}/located`, { place: 'Lu an' }, luan)).status).toBe(
      200,
    );
    const all = await rescue.svc.call('GET', '/v1/cases?region=341500&limit=1', undefined, luan);
    expect(all.body.total).toBe(2);
    expect(all.body.items).toHaveLength(1);
    const page2 = await rescue.svc.call('GET', '/v1/cases?region=341500&limit=1&offset=1', undefined, luan);
    // Hefei's police see none of Lu'an's cases: filtered in the query, and 404 one by one.
    const hefei = await rescue.svc.call('GET', '/v1/cases?region=341500');
    expect(hefei.body, JSON.stringify(hefei.body)).toMatchObject({ total: 0 });
    expect((await rescue.svc.call('GET', `/v1/cases/${a}`)).status).toBe(404);
    expect([...all.body.items, ...page2.body.items].map((c: { caseId: string }) => c.caseId).sort()).toEqual(
      [a, b].sort(),
    );
    const located = await rescue.svc.call('GET', `/v1/cases?region=${region}&status=located`, undefined, {
      role: 'operator',
    });
    expect(located.body.items.map((c: { caseId: string }) => c.caseId)).toEqual([b]);
    expect(
      (await rescue.svc.call('GET', '/v1/cases?region=341500&kind=suspected-trafficking', undefined, luan))
        .body.total,
    ).toBe(0);
    expect((await rescue.svc.call('GET', '/v1/cases?status=lost')).status).toBe(400);
    expect((await rescue.svc.call('GET', '/v1/cases?limit=1000')).status).toBe(400);
    for (const role of ['volunteer', 'hotline', 'dna-lab']) {
      expect((await rescue.svc.call('GET', `/v1/cases/${a}`, undefined, { role })).status).toBe(403);
    }
    expect((await rescue.svc.call('GET', '/v1/cases', undefined, { role: null })).status).toBe(401);

    // Contacts are intake's (even one an older case.opened carried is not shown); operators see
    // the report by an allowlist, without the child's name.
    const forOperator = (await rescue.svc.call('GET', `/v1/cases/${a}`, undefined, { role: 'operator' }))
      .body;
    expect(forOperator.report.reporter).toBeUndefined();
    expect(forOperator.report.child).toEqual({ sex: 'male', birthDate: expect.any(String) });
    const forPolice = (await rescue.svc.call('GET', `/v1/cases/${a}`, undefined, luan)).body;
    expect(forPolice.report.reporter).toBeUndefined();
    expect(forPolice.report.child.name).toEqual(expect.any(String));

    const audit = await rescue.svc.rt.mongo.db
      .collection('audit_log')
      .find({ action: 'case.read', 'actor.agencyId': 'anhui-anti-trafficking-office' })
      .toArray();
    expect(
      audit.some((r) => r.recordIds.includes(a) && r.actor.role === 'operator' && r.at instanceof Date),
    ).toBe(true);
    const lists = await rescue.svc.rt.mongo.db
      .collection('audit_log')
      .find({ action: 'case.list' })
      .toArray();
    expect(lists.some((r) => r.filters?.region === '341500' && r.actor.agencyId === 'luan-psb')).toBe(true);
  });
});
