import { type CloudEvent, deadLetterTopic, encodeKafka, Topics } from '@homeward/events';
import { agencyPrincipal, agencyReportTopic } from '@homeward/messaging';
import {
  createTestTopics,
  deleteTestTopics,
  header,
  sendRaw,
  TopicCollector,
  uniqueName,
  waitFor,
} from '@homeward/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  caseEventsCollector,
  missingChild,
  type RunningIntake,
  reportEvent,
  startIntake,
  suspectedTrafficking,
  unidentifiedChild,
} from '../support.ts';

let prefix: string;
let intake: RunningIntake;
let cases: TopicCollector;
let dlq: TopicCollector;

beforeAll(async () => {
  prefix = await createTestTopics('intake-kafka');
  intake = await startIntake({ prefix });
  cases = await caseEventsCollector(prefix);
  dlq = await new TopicCollector(`${prefix}${deadLetterTopic(Topics.agencyReports)}`).start();
});

afterAll(async () => {
  await Promise.all([cases.stop(), dlq.stop()]);
  await intake.stop();
  await deleteTestTopics(prefix);
});

type Record_ = { key: string; value: Buffer | string; headers: Record<string, string> };

/**
 * What agency systems do: CloudEvents in Kafka binary mode, each on its sender's own topic
 * (`agency.reports.v1.<agencyId>`), logged in as that agency's principal; the sender is the
 * agency each record's ce_source names.
 */
async function send(...records: Record_[]) {
  const byAgency = new Map<string, Record_[]>();
  for (const r of records) {
    const agency = r.headers.ce_source!.slice('agency/'.length);
    byAgency.set(agency, [...(byAgency.get(agency) ?? []), r]);
  }
  for (const [agency, batch] of byAgency) await sendAs(agency, ...batch);
}

/** Sends as `agency` on its own topic, whatever the records claim. */
async function sendAs(agency: string, ...records: Record_[]) {
  await sendRaw(`${prefix}${agencyReportTopic(agency)}`, records, agencyPrincipal(agency));
}

/** The dead letter of an event, once it is there: its code and reason. */
async function deadLettered(e: CloudEvent): Promise<{ code?: string; reason?: string; topic?: string }> {
  const m = await waitFor(() => dlq.messages.find((x) => header(x.message, 'ce_id') === e.id), {
    what: `the dead letter of ${e.id}`,
  });
  return {
    code: header(m.message, 'dlq_error_code'),
    reason: header(m.message, 'dlq_reason'),
    topic: header(m.message, 'dlq_original_topic'),
  };
}

describe("reports on each agency system's own topic", () => {
  it('each kind takes the same pipeline as HTTP and opens its case', async () => {
    const events = [
      reportEvent(missingChild({ name: uniqueName('child') })),
      reportEvent(unidentifiedChild(), { role: 'volunteer' }),
      reportEvent(suspectedTrafficking(), { role: 'hotline' }),
    ];
    await send(...events.map((e) => ({ ...encodeKafka(e, 'k'), key: 'k' })));
    for (const e of events) {
      const opened = await cases.waitForEvent(
        (c) =>
          c.type === 'homeward.case.opened' &&
          (c.data as { report: { kind: string } }).report.kind === (e.data as { kind: string }).kind &&
          c.source === 'homeward/intake',
      );
      expect(opened).toBeDefined();
    }
    const ids = events.map((e) => e.id);
    await waitFor(async () => (await intake.app.stores.reports.count({ channel: 'kafka' })) >= 3);
    const docs = await intake.app.stores.reports.list({ channel: 'kafka' });
    expect(docs.map((d) => d.eventId).sort()).toEqual(expect.arrayContaining(ids.sort()));
    const sightingEvent = reportEvent(
      {
        kind: 'sighting',
        caseId: docs.find((d) => d.kind === 'missing-child')!.caseId,
        seenAt: {
          at: '2026-11-28T09:00:00+08:00',
          place: 'Feixi bus stop',
          lat: 31.7,
          lon: 117.16,
          region: '340123',
        },
        description: 'seen with a woman in grey',
      },
      { role: 'unit' },
    );
    await send({ ...encodeKafka(sightingEvent, 'k'), key: 'k' });
    const lead = await cases.waitForEvent(
      (c) =>
        c.type === 'homeward.case.lead-added' &&
        (c.data as { description?: string }).description === 'seen with a woman in grey',
    );
    expect(lead.data).toMatchObject({
      origin: 'sighting',
      reportedBy: { agencyId: 'hefei-south-station-police-post', role: 'unit' },
    });
  });

  it('a retried report on Kafka creates nothing new, and matches what HTTP would answer', async () => {
    const event = reportEvent(suspectedTrafficking(), { role: 'education' });
    await send({ ...encodeKafka(event, 'k'), key: 'k' }, { ...encodeKafka(event, 'k'), key: 'k' });
    await waitFor(async () => (await intake.app.stores.reports.count({ eventId: event.id })) === 1);
    // The same report again over HTTP: the first answer, not a new case.
    const res = await intake.post(event, { role: 'education' });
    expect(res.status).toBe(202);
    expect(res.headers['idempotent-replayed']).toBe('true');
    await new Promise((r) => setTimeout(r, 300));
    expect(
      cases.events.filter((e) => (e.data as { reportId?: string }).reportId === res.body.reportId),
    ).toHaveLength(1);
  });

  it('poison messages go to the dead-letter topic with the reason while the good ones behind them go through', async () => {
    // All from one agency on its own topic, on one partition (one key): order is kept.
    const good = reportEvent(missingChild({ name: uniqueName('child') }));
    const invalid = reportEvent({ ...missingChild(), lastSeen: { ...missingChild().lastSeen, lat: 95 } });
    const futureTime = reportEvent(missingChild({ at: '2099-01-01T00:00:00Z' }));
    const injected = reportEvent({
      ...suspectedTrafficking(),
      persons: [{ description: 'x', $where: 'sleep(1000)' }],
    });
    // Another agency, whose role may not send this kind.
    const notAllowed = reportEvent(missingChild(), { role: 'hotline' });
    const key = 'same-partition';
    const garbageId = uniqueName('garbage');
    await send(
      {
        key,
        value: '{"kind": "missing-child",',
        headers: {
          ce_specversion: '1.0',
          ce_id: garbageId,
          ce_source: 'agency/hefei-psb',
          ce_type: 'homeward.report.submitted',
        },
      },
      ...[invalid, futureTime, injected, good, notAllowed].map((e) => ({ ...encodeKafka(e, key), key })),
    );
    await cases.waitForEvent(
      (c) =>
        (c.data as { report?: { child?: { name?: string } } }).report?.child?.name ===
        (good.data as { child: { name: string } }).child.name,
    );
    expect(await deadLettered(notAllowed)).toMatchObject({ code: 'INTAKE_ERR_KIND_NOT_ALLOWED' });
    expect(await deadLettered(invalid)).toMatchObject({
      code: 'schema',
      reason: expect.stringContaining('/data/lastSeen/lat'),
      topic: `${prefix}${agencyReportTopic('hefei-psb')}`,
    });
    expect(await deadLettered(futureTime)).toMatchObject({
      code: 'INTAKE_ERR_INVALID_REPORT',
      reason: expect.stringContaining('/data/lastSeen/at'),
    });
    expect(await deadLettered(injected)).toMatchObject({
      code: 'INTAKE_ERR_UNSAFE_KEYS',
      reason: expect.stringContaining('$where'),
    });
    const garbage = await waitFor(() => dlq.messages.find((m) => header(m.message, 'ce_id') === garbageId));
    expect(header(garbage.message, 'dlq_error_code')).toBe('decode');
    // Nothing of the refused reports was stored.
    for (const e of [notAllowed, invalid, futureTime, injected]) {
      expect(await intake.app.stores.reports.count({ eventId: e.id })).toBe(0);
    }
  });

  it('a report claiming another agency than the one its topic proves is dead-lettered, and nothing is created', async () => {
    // The hotline, on its own topic, claims to be the police (whose report would issue an alert at once).
    const forged = reportEvent(missingChild({ name: uniqueName('forged') }), { role: 'police' });
    const unknown = { ...reportEvent(suspectedTrafficking()), source: 'agency/no-such-agency' };
    const honest = reportEvent(suspectedTrafficking(), { role: 'hotline' });
    await sendAs(
      'anhui-12355-hotline',
      ...[forged, unknown, honest].map((e) => ({ ...encodeKafka(e, 'k'), key: 'k' })),
    );
    await waitFor(async () => (await intake.app.stores.reports.count({ eventId: honest.id })) === 1, {
      what: "the hotline's own report",
    });
    for (const e of [forged, unknown]) {
      const dead = await deadLettered(e);
      expect(dead.code).toBe('source');
      expect(dead.reason).toContain(`ce_source "${e.source}" may not send homeward.report.submitted`);
      expect(dead.reason).toContain('"agency/anhui-12355-hotline"');
      expect(await intake.app.stores.reports.count({ eventId: e.id })).toBe(0);
    }
    expect(
      cases.events.some(
        (c) =>
          (c.data as { report?: { child?: { name?: string } } }).report?.child?.name ===
          (forged.data as { child: { name: string } }).child.name,
      ),
    ).toBe(false);
  });

  it('the old shared topic proves no sender: a report there is dead-lettered, and nothing is created', async () => {
    // Only an administrator can still write it; agencies have no WRITE on it any more.
    const report = reportEvent(missingChild({ name: uniqueName('legacy') }));
    await sendRaw(`${prefix}${Topics.agencyReports}`, [{ ...encodeKafka(report, 'k'), key: 'k' }]);
    const dead = await deadLettered(report);
    expect(dead).toMatchObject({ code: 'source', topic: `${prefix}${Topics.agencyReports}` });
    expect(dead.reason).toContain(`nothing on ${Topics.agencyReports} proves its sender`);
    expect(await intake.app.stores.reports.count({ eventId: report.id })).toBe(0);
  });
});
