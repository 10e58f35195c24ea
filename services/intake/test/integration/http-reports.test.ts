import { encodeHttpBatch } from '@homeward/events';
import { createTestTopics, devKey, type TopicCollector, uniqueName, waitFor } from '@homeward/testing';
import { HTTP, CloudEvent as SdkEvent } from 'cloudevents';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportEvents } from '../../src/store/report-store.ts';
import {
  caseEventsCollector,
  missingChild,
  type RunningIntake,
  reportEvent,
  sighting,
  startIntake,
  suspectedTrafficking,
  unidentifiedChild,
} from '../support.ts';

let intake: RunningIntake;
let cases: TopicCollector;

beforeAll(async () => {
  const prefix = await createTestTopics('intake-http');
  intake = await startIntake({ prefix });
  cases = await caseEventsCollector(prefix);
});

afterAll(async () => {
  await cases.stop();
  await intake.stop();
});

describe('POST /v1/reports, the three CloudEvents modes', () => {
  it('structured mode: a missing-child report opens a case, announced on case.events.v1', async () => {
    const event = reportEvent(missingChild({ name: uniqueName('child') }));
    const res = await intake.post(event);
    expect(res.status).toBe(202);
    expect(res.body).toEqual({
      reportId: expect.stringMatching(/^rpt-/),
      caseId: expect.stringMatching(/^case-/),
      outcome: 'case-opened',
    });
    expect(res.headers.location).toBe(`/v1/reports/${res.body.reportId}`);
    const opened = await cases.waitForEvent(
      (e) => e.type === 'homeward.case.opened' && (e.data as { caseId: string }).caseId === res.body.caseId,
    );
    expect(opened).toMatchObject({
      source: 'homeward/intake',
      subject: res.body.caseId,
      data: {
        kind: 'missing-child',
        region: '340104',
        reportId: res.body.reportId,
        reportedBy: { agencyId: 'hefei-psb', role: 'police' },
      },
    });
    expect(opened.traceparent).toMatch(/^00-[0-9a-f]{32}-/);
    const partitionKey = cases.messages.find((m) => m.event?.id === opened.id)?.message.key?.toString();
    expect(partitionKey).toBe(res.body.caseId);
    // Its own case.opened comes back to its case consumer, which skips it undecoded: a case
    // this instance recorded (the runner's `seen`, by the message key, the case id).
    await waitFor(
      async () => {
        const text = (await intake.app.http.inject({ method: 'GET', url: '/metrics' })).body;
        return text
          .split('\n')
          .some(
            (l) =>
              l.startsWith('homeward_events_handled_total{') &&
              l.includes('intake.cases"') &&
              l.includes('type="homeward.case.opened"') &&
              l.includes('outcome="seen"'),
          );
      },
      { what: "intake's own case.opened counted seen" },
    );
  });

  it('binary and structured mode from the official cloudevents SDK', async () => {
    for (const mode of ['binary', 'structured'] as const) {
      const sdkEvent = new SdkEvent({
        id: uniqueName('sdk'),
        source: 'agency/shushan-school-12',
        type: 'homeward.report.submitted',
        data: suspectedTrafficking(),
      });
      const message = mode === 'binary' ? HTTP.binary(sdkEvent) : HTTP.structured(sdkEvent);
      const res = await intake.post(undefined, {
        role: 'education',
        raw: message.body as string,
        headers: message.headers as Record<string, string>,
      });
      expect({ mode, status: res.status, outcome: res.body.outcome }).toEqual({
        mode,
        status: 202,
        outcome: 'case-opened',
      });
    }
  });

  it('batch mode: each event answered in order; one bad event does not sink the rest', async () => {
    const good = reportEvent(unidentifiedChild(), { role: 'volunteer' });
    const bad = reportEvent(
      { ...unidentifiedChild(), child: { sex: 'female', apparentAge: 40 } },
      { role: 'volunteer' },
    );
    const batch = encodeHttpBatch([good, bad, { nonsense: true } as never]);
    const res = await intake.post(undefined, { role: 'volunteer', raw: batch.body, headers: batch.headers });
    expect(res.status).toBe(207);
    expect(res.body.results).toMatchObject([
      { id: good.id, status: 202, outcome: 'case-opened' },
      {
        id: bad.id,
        status: 400,
        problem: {
          code: 'INTAKE_ERR_INVALID_REPORT',
          errors: [{ field: '/data/child/apparentAge', message: 'must be <= 17' }],
        },
      },
      { id: null, status: 400, problem: { code: 'INTAKE_ERR_MALFORMED_EVENT' } },
    ]);
    const allGood = encodeHttpBatch([
      reportEvent(unidentifiedChild(), { role: 'volunteer' }),
      reportEvent(suspectedTrafficking(), { role: 'volunteer' }),
    ]);
    const res2 = await intake.post(undefined, {
      role: 'volunteer',
      raw: allGood.body,
      headers: allGood.headers,
    });
    expect(res2.status).toBe(202);
    expect(res2.body.results.map((r: { status: number }) => r.status)).toEqual([202, 202]);
  });

  it('a sighting adds a lead to its case', async () => {
    const opened = await intake.post(reportEvent(missingChild({ name: uniqueName('child') })));
    const res = await intake.post(reportEvent(sighting(opened.body.caseId), { role: 'unit' }), {
      role: 'unit',
    });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ caseId: opened.body.caseId, outcome: 'lead-added' });
    const lead = await cases.waitForEvent(
      (e) =>
        e.type === 'homeward.case.lead-added' &&
        (e.data as { reportId: string }).reportId === res.body.reportId,
    );
    expect(lead.data).toMatchObject({
      caseId: opened.body.caseId,
      origin: 'sighting',
      seenAt: { place: 'Hefei West bus terminal' },
    });
  });
});

describe('bad input: a clear problem, nothing stored', () => {
  const future = '2099-01-01T00:00:00Z';
  const cases: Array<[string, () => Parameters<RunningIntake['post']>, number, string, string?]> = [
    [
      'schema: wrong sex, latitude out of range',
      () => [reportEvent({ ...missingChild(), child: { name: 'A', sex: 'boy', birthDate: '2019-01-01' } })],
      400,
      'INTAKE_ERR_INVALID_REPORT',
      '/data/child/sex',
    ],
    [
      'a required field missing',
      () => [
        reportEvent({
          kind: 'suspected-trafficking',
          observedAt: '2026-11-01T00:00:00Z',
          location: { place: 'x', region: '340104' },
        }),
      ],
      400,
      'INTAKE_ERR_INVALID_REPORT',
      '/data/description',
    ],
    [
      'coordinates out of range',
      () => [reportEvent({ ...missingChild(), lastSeen: { ...missingChild().lastSeen, lon: 200 } })],
      400,
      'INTAKE_ERR_INVALID_REPORT',
      '/data/lastSeen/lon',
    ],
    [
      'a time in the future',
      () => [reportEvent(missingChild({ at: future }))],
      400,
      'INTAKE_ERR_INVALID_REPORT',
      '/data/lastSeen/at',
    ],
    [
      'a birth date that makes an adult',
      () => [reportEvent(missingChild({ birthDate: '2000-01-01' }))],
      400,
      'INTAKE_ERR_INVALID_REPORT',
      '/data/child/birthDate',
    ],
    [
      'a birth date after the time last seen',
      () => [reportEvent(missingChild({ birthDate: '2026-11-28', at: '2026-11-27T10:00:00Z' }))],
      400,
      'INTAKE_ERR_INVALID_REPORT',
      '/data/child/birthDate',
    ],
    [
      'a division code of no province',
      () => [reportEvent(missingChild({ region: '990104' }))],
      400,
      'INTAKE_ERR_INVALID_REPORT',
      '/data/lastSeen/region',
    ],
    [
      'a division code of the wrong shape',
      () => [reportEvent(missingChild({ region: '3401' }))],
      400,
      'INTAKE_ERR_INVALID_REPORT',
      '/data/lastSeen/region',
    ],
    [
      'an unknown kind',
      () => [reportEvent({ kind: 'lost-dog' })],
      400,
      'INTAKE_ERR_INVALID_REPORT',
      '/data/kind',
    ],
    [
      'a $ key (operator injection)',
      () => [
        reportEvent({
          ...missingChild(),
          child: { name: { $ne: null }, sex: 'male', birthDate: '2019-01-01' },
        }),
      ],
      400,
      'INTAKE_ERR_UNSAFE_KEYS',
      '/data/child/name/$ne',
    ],
    [
      'a dotted key (path injection)',
      () => [reportEvent({ ...missingChild(), 'lastSeen.region': '110000' })],
      400,
      'INTAKE_ERR_UNSAFE_KEYS',
      '/data/lastSeen.region',
    ],
    [
      'another event type',
      () => [{ ...reportEvent(missingChild()), type: 'homeward.case.opened' }],
      400,
      'INTAKE_ERR_WRONG_TYPE',
      '/type',
    ],
    [
      'malformed JSON',
      () => [
        undefined,
        { raw: '{"specversion": "1.0", ', headers: { 'content-type': 'application/cloudevents+json' } },
      ],
      400,
      'INTAKE_ERR_MALFORMED_EVENT',
      '/',
    ],
    [
      'a structured event without an id',
      () => [
        undefined,
        {
          raw: JSON.stringify({
            specversion: '1.0',
            source: 's',
            type: 'homeward.report.submitted',
            data: {},
          }),
          headers: { 'content-type': 'application/cloudevents+json' },
        },
      ],
      400,
      'INTAKE_ERR_MALFORMED_EVENT',
      '/id',
    ],
    [
      'binary mode without ce- headers',
      () => [
        undefined,
        { raw: JSON.stringify(missingChild()), headers: { 'content-type': 'application/json' } },
      ],
      400,
      'INTAKE_ERR_MALFORMED_EVENT',
      'ce-specversion',
    ],
    [
      'an unknown content type',
      () => [undefined, { raw: '<report/>', headers: { 'content-type': 'application/xml' } }],
      415,
      'HOMEWARD_ERR_UNSUPPORTED_MEDIA_TYPE',
    ],
    [
      'a body over the limit',
      () => [reportEvent({ ...suspectedTrafficking(), description: 'x'.repeat(300_000) })],
      413,
      'HOMEWARD_ERR_BODY_TOO_LARGE',
    ],
    [
      'no API key',
      () => [reportEvent(missingChild()), { headers: { authorization: '' } }],
      401,
      'HOMEWARD_ERR_UNAUTHORIZED',
    ],
    [
      'an unknown API key',
      () => [
        reportEvent(missingChild()),
        { headers: { authorization: 'Bearer hw_dev_not_a_real_key_000000' } },
      ],
      401,
      'HOMEWARD_ERR_UNAUTHORIZED',
    ],
    [
      'a role that sends no reports (dna-lab)',
      () => [reportEvent(suspectedTrafficking()), { role: 'dna-lab' }],
      403,
      'HOMEWARD_ERR_FORBIDDEN',
    ],
    [
      'a hotline filing a missing-child report',
      () => [reportEvent(missingChild(), { role: 'hotline' }), { role: 'hotline' }],
      403,
      'INTAKE_ERR_KIND_NOT_ALLOWED',
    ],
    [
      'a unit reporting suspected trafficking',
      () => [reportEvent(suspectedTrafficking(), { role: 'unit' }), { role: 'unit' }],
      403,
      'INTAKE_ERR_KIND_NOT_ALLOWED',
    ],
    [
      'a source naming another agency',
      () => [
        { ...reportEvent(suspectedTrafficking()), source: 'agency/someone-else' },
        { role: 'education' },
      ],
      403,
      'INTAKE_ERR_SOURCE_MISMATCH',
    ],
    [
      'a sighting for no such case',
      () => [reportEvent(sighting('case-does-not-exist'))],
      404,
      'INTAKE_ERR_CASE_NOT_FOUND',
    ],
  ];

  it.each(cases)('%s', async (_name, args, status, code, field) => {
    const res = await intake.post(...args());
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({
      status,
      code,
      type: `urn:homeward:problem:${code.toLowerCase().replaceAll('_', '-')}`,
    });
    if (field) expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it('stores nothing for refused reports', async () => {
    const event = reportEvent(missingChild({ at: future }));
    await intake.post(event);
    expect(await intake.app.stores.reports.count({ eventId: event.id })).toBe(0);
  });

  it('refuses a reused CloudEvent id with different content (409)', async () => {
    const event = reportEvent(suspectedTrafficking(), { role: 'education' });
    expect((await intake.post(event, { role: 'education' })).status).toBe(202);
    const changed = { ...event, data: { ...suspectedTrafficking(), description: 'something else entirely' } };
    const res = await intake.post(changed, { role: 'education' });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('INTAKE_ERR_ID_REUSED');
  });
});

describe('GET /v1/reports/{reportId}', () => {
  it('shows an agency its own reports, and no one else the report', async () => {
    const res = await intake.post(reportEvent(suspectedTrafficking(), { role: 'education' }), {
      role: 'education',
    });
    const own = await intake.app.http.inject({
      url: `/v1/reports/${res.body.reportId}`,
      headers: { authorization: `Bearer ${devKey('education')}` },
    });
    expect(own.statusCode).toBe(200);
    expect(own.json()).toMatchObject({
      reportId: res.body.reportId,
      caseId: res.body.caseId,
      kind: 'suspected-trafficking',
      status: 'accepted',
      channel: 'http',
    });
    const other = await intake.app.http.inject({
      url: `/v1/reports/${res.body.reportId}`,
      headers: { authorization: `Bearer ${devKey('hotline')}` },
    });
    expect(other.statusCode).toBe(404);
    expect(other.json().code).toBe('INTAKE_ERR_REPORT_NOT_FOUND');
  });
});

describe('idempotency', () => {
  it('ten copies of one report at the same moment: one answer, one case, one event', async () => {
    const event = reportEvent(missingChild({ name: uniqueName('child') }));
    const answers = await Promise.all(Array.from({ length: 10 }, () => intake.post(event)));
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(202));
    const first = answers[0]!.body;
    for (const a of answers) expect(a.body).toEqual(first);
    expect(answers.filter((a) => a.headers['idempotent-replayed'] === 'true')).toHaveLength(9);
    await cases.waitForEvent((e) => (e.data as { caseId: string }).caseId === first.caseId);
    await new Promise((r) => setTimeout(r, 500));
    expect(cases.events.filter((e) => (e.data as { caseId?: string }).caseId === first.caseId)).toHaveLength(
      1,
    );
    expect(await intake.app.stores.reports.count({ eventId: event.id })).toBe(1);
  });
});

describe('idempotency without a read first (the insert is the check)', () => {
  it('copies in one group-commit round with other reports: one case record, one event, the others stored', async () => {
    // No lease on this path: the copies' report inserts (and their case records) share
    // insertMany rounds with other reports, where a duplicate `_id` fails alone.
    const copy = reportEvent(unidentifiedChild(), { role: 'volunteer' });
    const others = Array.from({ length: 6 }, () =>
      reportEvent(suspectedTrafficking(), { role: 'volunteer' }),
    );
    const answers = await Promise.all([
      ...Array.from({ length: 6 }, () => intake.post(copy, { role: 'volunteer' })),
      ...others.map((e) => intake.post(e, { role: 'volunteer' })),
    ]);
    expect(answers.map((a) => a.status)).toEqual(Array(12).fill(202));
    const copies = answers.slice(0, 6);
    for (const a of copies) expect(a.body).toEqual(copies[0]!.body);
    expect(copies.filter((a) => a.headers['idempotent-replayed'] === 'true')).toHaveLength(5);
    const caseIds = answers.map((a) => (a.body as { caseId: string }).caseId);
    expect(new Set(caseIds).size).toBe(7);
    for (const caseId of new Set(caseIds)) {
      expect(await intake.app.stores.cases.get(caseId)).toMatchObject({ status: 'open' });
      await cases.waitForEvent((e) => (e.data as { caseId: string }).caseId === caseId);
    }
    await new Promise((r) => setTimeout(r, 500));
    const opened = (id: string) => cases.events.filter((e) => (e.data as { caseId?: string }).caseId === id);
    expect(opened(caseIds[0]!)).toHaveLength(1);
    expect(await intake.app.stores.reports.count({ eventId: copy.id })).toBe(1);
  });

  it('a retried sighting whose case closed since gets its first answer', async () => {
    const opened = await intake.post(reportEvent(missingChild({ name: uniqueName('child') })));
    const caseId = (opened.body as { caseId: string }).caseId;
    await cases.waitForEvent((e) => (e.data as { caseId: string }).caseId === caseId);
    const seen = reportEvent(sighting(caseId));
    const first = await intake.post(seen);
    expect(first.status).toBe(202);
    await intake.app.intake.caseClosed({ caseId, closedAt: new Date().toISOString(), reason: 'found' });
    const again = await intake.post(seen);
    expect(again.status).toBe(202);
    expect(again.body).toEqual(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
  });
});

describe('the duplicate-child rule', () => {
  it('a second report of the same child adds a lead to the open case (name normalised)', async () => {
    const name = uniqueName('Wang Fang');
    const first = await intake.post(reportEvent(missingChild({ name })));
    const second = await intake.post(
      reportEvent(
        missingChild({
          name: `  ${name.toUpperCase().replace(' ', '   ')} `,
          at: '2026-11-28T10:00:00+08:00',
          region: '340102',
        }),
      ),
    );
    expect(second.body).toMatchObject({ caseId: first.body.caseId, outcome: 'lead-added' });
    const lead = await cases.waitForEvent(
      (e) => (e.data as { reportId?: string }).reportId === second.body.reportId,
    );
    expect(lead).toMatchObject({ type: 'homeward.case.lead-added', data: { origin: 'duplicate-report' } });
  });

  it('concurrent reports of one child from different agencies open exactly one case', async () => {
    const name = uniqueName('Zhao Lei');
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => intake.post(reportEvent(missingChild({ name })))),
    );
    expect(new Set(answers.map((a) => a.body.caseId)).size).toBe(1);
    expect(answers.filter((a) => a.body.outcome === 'case-opened')).toHaveLength(1);
  });

  it('another prefecture, another birth date, or outside the window: a new case', async () => {
    const name = uniqueName('Chen Jing');
    const first = await intake.post(reportEvent(missingChild({ name })));
    const otherPrefecture = await intake.post(reportEvent(missingChild({ name, region: '340200' })));
    const otherBirth = await intake.post(reportEvent(missingChild({ name, birthDate: '2019-05-02' })));
    const later = await intake.post(reportEvent(missingChild({ name, at: '2027-01-15T10:00:00+08:00' })));
    for (const r of [otherPrefecture, otherBirth]) expect(r.body.outcome).toBe('case-opened');
    // 2027 is in the future for the system clock: the rule check refuses it before the window.
    expect(later.status).toBe(400);
    const farApart = await intake.post(reportEvent(missingChild({ name, at: '2026-09-01T10:00:00+08:00' })));
    expect(farApart.body.outcome).toBe('case-opened');
    expect(farApart.body.caseId).not.toBe(first.body.caseId);
  });

  it('once the case is closed, the same child missing again opens a new case', async () => {
    const name = uniqueName('Sun Yue');
    const first = await intake.post(reportEvent(missingChild({ name })));
    await waitFor(async () => (await intake.app.stores.cases.get(first.body.caseId)) !== null);
    const { createEvent } = await import('@homeward/events');
    await intake.host.rt.publisher.publish(
      createEvent(
        'homeward.case.closed',
        { caseId: first.body.caseId, closedAt: new Date().toISOString(), reason: 'child found' },
        { source: 'homeward/rescue-coordination' },
      ),
    );
    await waitFor(async () => (await intake.app.stores.cases.get(first.body.caseId))?.status === 'closed', {
      what: 'the case closed in intake',
    });
    const again = await intake.post(reportEvent(missingChild({ name })));
    expect(again.body.outcome).toBe('case-opened');
    expect(again.body.caseId).not.toBe(first.body.caseId);
    const sightingOnClosed = await intake.post(reportEvent(sighting(first.body.caseId)));
    expect(sightingOnClosed.status).toBe(409);
    expect(sightingOnClosed.body.code).toBe('INTAKE_ERR_CASE_CLOSED');
  });
});

describe('a stored report, the record of its event', () => {
  it('derives exactly the event it published (opened, and a lead), so its document stores no copy of it', async () => {
    const name = uniqueName('child');
    const first = await intake.post(reportEvent(missingChild({ name })));
    const again = await intake.post(reportEvent(missingChild({ name })));
    expect([first.body.outcome, again.body.outcome]).toEqual(['case-opened', 'lead-added']);
    for (const res of [first, again]) {
      const doc = await intake.app.stores.reports.get(res.body.reportId);
      const [derived] = reportEvents(doc!);
      const published = await cases.waitForEvent((e) => e.id === derived!.id);
      const fields = ({ id, type, source, subject, time, traceparent, data }: typeof published) => ({
        id,
        type,
        source,
        subject,
        time: new Date(time!).toISOString(),
        traceparent,
        data,
      });
      expect(fields(derived!)).toEqual(fields(published));
      expect(published.traceparent).toMatch(/^00-[0-9a-f]{32}-/);
    }
  });
});
