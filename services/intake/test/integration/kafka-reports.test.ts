import { deadLetterTopic, encodeKafka, Topics } from '@homeward/events';
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

/** What an agency system does: a CloudEvent in Kafka binary mode on agency.reports.v1. */
async function send(
  ...records: Array<{ key: string; value: Buffer | string; headers: Record<string, string> }>
) {
  await sendRaw(`${prefix}${Topics.agencyReports}`, records);
}

describe('reports on agency.reports.v1', () => {
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
    const good = reportEvent(missingChild({ name: uniqueName('child') }));
    const unknownAgency = { ...reportEvent(suspectedTrafficking()), source: 'agency/no-such-agency' };
    const notAllowed = reportEvent(missingChild(), { role: 'hotline' });
    const invalid = reportEvent({ ...missingChild(), lastSeen: { ...missingChild().lastSeen, lat: 95 } });
    const futureTime = reportEvent(missingChild({ at: '2099-01-01T00:00:00Z' }));
    const injected = reportEvent(
      { ...suspectedTrafficking(), persons: [{ description: 'x', $where: 'sleep(1000)' }] },
      { role: 'hotline' },
    );
    const key = 'same-partition';
    await send(
      {
        key,
        value: '{"kind": "missing-child",',
        headers: {
          ce_specversion: '1.0',
          ce_id: uniqueName('garbage'),
          ce_source: 'agency/hefei-psb',
          ce_type: 'homeward.report.submitted',
        },
      },
      ...[unknownAgency, notAllowed, invalid, futureTime, injected, good].map((e) => ({
        ...encodeKafka(e, key),
        key,
      })),
    );
    await cases.waitForEvent(
      (c) =>
        (c.data as { report?: { child?: { name?: string } } }).report?.child?.name ===
        (good.data as { child: { name: string } }).child.name,
    );
    await dlq.waitForCount(6);
    const reasons = new Map(
      dlq.messages.map((m) => [
        header(m.message, 'ce_id'),
        { code: header(m.message, 'dlq_error_code'), reason: header(m.message, 'dlq_reason') },
      ]),
    );
    expect(reasons.get(unknownAgency.id)).toMatchObject({ code: 'INTAKE_ERR_UNKNOWN_AGENCY' });
    expect(reasons.get(notAllowed.id)).toMatchObject({ code: 'INTAKE_ERR_KIND_NOT_ALLOWED' });
    expect(reasons.get(invalid.id)).toMatchObject({
      code: 'schema',
      reason: expect.stringContaining('/data/lastSeen/lat'),
    });
    expect(reasons.get(futureTime.id)).toMatchObject({
      code: 'INTAKE_ERR_INVALID_REPORT',
      reason: expect.stringContaining('/data/lastSeen/at'),
    });
    expect(reasons.get(injected.id)).toMatchObject({
      code: 'INTAKE_ERR_UNSAFE_KEYS',
      reason: expect.stringContaining('$where'),
    });
    expect([...reasons.values()].some((r) => r.code === 'decode')).toBe(true);
    // Nothing of the refused reports was stored.
    for (const e of [unknownAgency, notAllowed, invalid, futureTime, injected]) {
      expect(await intake.app.stores.reports.count({ eventId: e.id })).toBe(0);
    }
  });
});
