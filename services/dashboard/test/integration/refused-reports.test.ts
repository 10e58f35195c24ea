import { deadLetterTopic, encodeKafka, Topics } from '@homeward/events';
import { agencyReportTopic } from '@homeward/messaging';
import { createTestTopics, deleteTestTopics, devKey, sendRaw, uniqueName, waitFor } from '@homeward/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningDashboard, reportSubmitted, SseClient, startDashboard } from '../support.ts';

// A report that intake refused and dead-lettered is shown as refused, not as an ordinary
// report.submitted: the dashboard reads intake's dead letters of the agencies' reports (the ACL
// table lets it) and shows each as a `homeward.report.refused` view with codes only.
let prefix: string;
let dash: RunningDashboard;
let token: string;
const operator = { authorization: `Bearer ${devKey('operator')}` };

beforeAll(async () => {
  prefix = await createTestTopics('dashboard-refused');
  dash = await startDashboard({ prefix });
  const res = await dash.app.http.inject({ method: 'POST', url: '/v1/session', headers: operator });
  token = JSON.parse(res.body).token;
});

afterAll(async () => {
  await dash?.stop();
  await deleteTestTopics(prefix);
});

/** A dead letter as the consumer runner writes it: the original bytes and headers, and why. */
function deadLetter(
  original: { value: Buffer | null; headers: Record<string, string> },
  group: string,
  code: string,
  reason: string,
) {
  return {
    key: null,
    value: original.value,
    headers: {
      ...original.headers,
      dlq_reason: reason,
      dlq_error_code: code,
      dlq_original_topic: `${prefix}${agencyReportTopic('hefei-psb')}`,
      dlq_original_partition: '0',
      dlq_original_offset: '7',
      dlq_consumer_group: group,
      dlq_failed_at: '2026-03-01T01:00:05.000Z',
    },
  };
}

const asStrings = (h: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(h).map(([k, v]) => [k, Buffer.isBuffer(v) ? v.toString() : String(v)]));

describe('reports intake refused', () => {
  it('shows intake’s refusal of a report as refused, with its code and fields, and nothing of its data', async () => {
    const stream = await new SseClient(
      `${dash.baseUrl}/v1/stream?${new URLSearchParams({ token, type: 'homeward.report.' })}`,
    ).open();
    // One report the dashboard showed when it arrived, that intake then refused in its handler.
    const shown = reportSubmitted('Zhang San');
    await dash.publish(shown);
    await waitFor(() => stream.events.some((e) => e.id === shown.id), { what: 'the report as received' });
    const enc = encodeKafka(shown, null);
    const original = { value: enc.value, headers: asStrings(enc.headers) };
    // One malformed report (no child, a reporter's phone number among unknown fields): refused by
    // schema, by intake and by the dashboard alike; the dashboard's own dead letter adds nothing.
    const malformedId = uniqueName('malformed');
    const malformed = {
      value: Buffer.from(
        JSON.stringify({ kind: 'missing-child', reporter: { name: 'Li Wei', phone: '+86 138 0000 0000' } }),
      ),
      headers: {
        ce_specversion: '1.0',
        ce_id: malformedId,
        ce_source: 'agency/hefei-psb',
        ce_type: 'homeward.report.submitted',
        ce_time: '2026-03-01T01:00:00.000Z',
        'content-type': 'application/json',
      },
    };
    const schemaErrors = JSON.stringify([
      { field: '/data/child', message: 'is required' },
      { field: '/data/13800000000', message: 'is not a known property' },
    ]);
    await sendRaw(
      `${prefix}${deadLetterTopic(Topics.agencyReports)}`,
      [
        deadLetter(original, 'intake.reports', 'closed-case', 'the case is closed: Li Wei called'),
        deadLetter(malformed, 'intake.reports', 'schema', schemaErrors),
        deadLetter(malformed, 'dashboard', 'schema', schemaErrors),
        // Intake refusing the same report again (a redelivery) shows it once.
        deadLetter(malformed, 'intake.reports', 'schema', schemaErrors),
      ],
      'intake',
    );
    await waitFor(() => stream.events.filter((e) => e.type === 'homeward.report.refused').length >= 2, {
      what: 'both refusals',
      timeoutMs: 20_000,
    });
    await new Promise((r) => setTimeout(r, 500));
    const refused = stream.events.filter((e) => e.type === 'homeward.report.refused');
    expect(refused).toHaveLength(2);
    const byId = Object.fromEntries(refused.map((e) => [e.id, e]));
    expect(byId[shown.id]).toMatchObject({
      source: 'agency/hefei-psb',
      topic: 'agency.reports.v1.dlq',
      region: '340104',
      data: { reportId: shown.id, kind: 'missing-child', code: 'closed-case' },
    });
    expect(byId[shown.id].summary).toBe(
      'missing-child report from agency/hefei-psb refused by intake (closed-case)',
    );
    // A schema refusal names the fields at fault; a "field" that is something the sender wrote
    // (digits as a property name) is not shown.
    expect(byId[malformedId].data).toEqual({
      reportId: malformedId,
      kind: 'missing-child',
      code: 'schema',
      fields: ['/data/child'],
      sentAt: '2026-03-01T01:00:00.000Z',
      refusedAt: '2026-03-01T01:00:05.000Z',
    });
    // Least data: no name, no contact, no reason text.
    const text = JSON.stringify(refused);
    for (const secret of ['Li Wei', '138', 'Zhang San', 'called']) expect(text).not.toContain(secret);
    const stats = await dash.get('/v1/stats');
    expect(stats.body.byType['homeward.report.refused']).toBe(2);
    stream.close();
  });
});
