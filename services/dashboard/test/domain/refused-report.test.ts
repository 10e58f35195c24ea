import { describe, expect, it } from 'vitest';
import { refusedReportView } from '../../src/domain/refused-report.ts';

const headers = (extra: Record<string, string> = {}) => ({
  ce_specversion: '1.0',
  ce_id: 'r-1',
  ce_source: 'agency/hefei-psb',
  ce_type: 'homeward.report.submitted',
  ce_time: '2026-03-01T01:00:00Z',
  'content-type': 'application/json',
  dlq_consumer_group: 'intake.reports',
  dlq_error_code: 'schema',
  dlq_reason: JSON.stringify([{ field: '/data/child/birthDate', message: 'must match format "date"' }]),
  dlq_failed_at: '2026-03-01T01:00:02Z',
  ...extra,
});
const report = { kind: 'unidentified-child', foundAt: { region: '341502', place: 'Lu’an bus station' } };

describe('a report intake refused, as the operators’ stream shows it', () => {
  it('is intake’s refusal only: another group’s dead letter shows nothing', () => {
    expect(
      refusedReportView({ headers: headers({ dlq_consumer_group: 'dashboard' }), value: Buffer.from('{}') }),
    ).toBeUndefined();
    expect(refusedReportView({ headers: headers({ dlq_consumer_group: '' }), value: null })).toBeUndefined();
  });

  it('names the report, its kind, region, code and fields, from binary mode', () => {
    const v = refusedReportView({ headers: headers(), value: Buffer.from(JSON.stringify(report)) })!;
    expect(v).toEqual({
      id: 'r-1',
      source: 'agency/hefei-psb',
      type: 'homeward.report.refused',
      time: '2026-03-01T01:00:02Z',
      topic: 'agency.reports.v1.dlq',
      region: '341502',
      summary:
        'unidentified-child report from agency/hefei-psb refused by intake (schema: /data/child/birthDate)',
      data: {
        reportId: 'r-1',
        kind: 'unidentified-child',
        code: 'schema',
        fields: ['/data/child/birthDate'],
        sentAt: '2026-03-01T01:00:00Z',
        refusedAt: '2026-03-01T01:00:02Z',
      },
    });
  });

  it('reads a structured-mode report from its value', () => {
    const value = Buffer.from(
      JSON.stringify({
        specversion: '1.0',
        id: 's-9',
        source: 'agency/x',
        type: 'homeward.report.submitted',
        data: report,
      }),
    );
    const v = refusedReportView({
      headers: {
        'content-type': 'application/cloudevents+json',
        dlq_consumer_group: 'intake.reports',
        dlq_error_code: 'source',
      },
      value,
    })!;
    expect(v).toMatchObject({
      id: 's-9',
      source: 'agency/x',
      data: { reportId: 's-9', kind: 'unidentified-child', code: 'source' },
    });
  });

  it('says "unreadable" of bytes that are not JSON, and keeps no unknown kind, code or region', () => {
    const v = refusedReportView({
      headers: headers({ dlq_error_code: 'Bad Code!', dlq_reason: 'Li Wei, +86 138 0000 0000' }),
      value: Buffer.from('{"kind":"Li Wei","lastSeen":{"region":"Hefei"}'),
    })!;
    expect(v.summary).toBe('unreadable report from agency/hefei-psb refused by intake (refused)');
    expect(v.region).toBeUndefined();
    expect(v.data).toEqual({
      reportId: 'r-1',
      code: 'refused',
      sentAt: '2026-03-01T01:00:00Z',
      refusedAt: '2026-03-01T01:00:02Z',
    });
    const kindOnly = refusedReportView({ headers: headers(), value: Buffer.from('{"kind":"Li Wei"}') })!;
    expect(kindOnly.data).not.toHaveProperty('kind');
  });

  it('names a letter without an id by where it lay', () => {
    const v = refusedReportView({
      headers: {
        dlq_consumer_group: 'intake.reports',
        dlq_error_code: 'decode',
        dlq_original_topic: 't',
        dlq_original_partition: '1',
        dlq_original_offset: '42',
      },
      value: Buffer.from('garbage'),
    })!;
    expect(v.id).toBe('dlq:t:1:42');
    expect(v.source).toBe('unknown');
  });
});
