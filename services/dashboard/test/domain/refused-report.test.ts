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

  it('names the fields of a validation refusal once each, at most eight, and only paths of the schema’s shape', () => {
    const errors = [
      { field: '/data/child/name', message: 'too long' },
      { field: '/data/child/name', message: 'must not be blank' },
      { field: '/data/lastSeen/at', message: 'must be a date-time' },
      { field: '/data/13800000000', message: 'unknown property' },
      { field: 'Li Wei', message: 'not a pointer' },
      { message: 'no field' },
      ...[1, 2, 3, 4, 5, 6, 7].map((i) => ({ field: `/data/victims/${i}/sex` })),
    ];
    const v = refusedReportView({
      headers: headers({ dlq_error_code: 'validation', dlq_reason: JSON.stringify(errors) }),
      value: Buffer.from(JSON.stringify(report)),
    })!;
    expect(v.data).toMatchObject({
      code: 'validation',
      fields: [
        '/data/child/name',
        '/data/lastSeen/at',
        '/data/victims/1/sex',
        '/data/victims/2/sex',
        '/data/victims/3/sex',
        '/data/victims/4/sex',
        '/data/victims/5/sex',
        '/data/victims/6/sex',
      ],
    });
    expect(v.summary).toContain('(validation: /data/child/name, /data/lastSeen/at, /data/victims/1/sex,');
  });

  it('names no fields for a refusal of another kind, a reason that is no list, or a list without a usable path', () => {
    const fieldsFor = (code: string, reason: string | undefined) =>
      refusedReportView({
        headers: { ...headers({ dlq_error_code: code }), dlq_reason: reason },
        value: Buffer.from(JSON.stringify(report)),
      })!;
    const path = JSON.stringify([{ field: '/data/child/birthDate' }]);
    expect(fieldsFor('source', path).data).not.toHaveProperty('fields');
    expect(fieldsFor('duplicate', path).summary).toBe(
      'unidentified-child report from agency/hefei-psb refused by intake (duplicate)',
    );
    expect(fieldsFor('decode', path).data).toMatchObject({ fields: ['/data/child/birthDate'] });
    expect(fieldsFor('schema', '{"field":"/data/child/birthDate"}').data).not.toHaveProperty('fields');
    expect(fieldsFor('schema', '[{"field":"13800000000"},{"field":7}]').data).not.toHaveProperty('fields');
    expect(fieldsFor('schema', undefined).data).not.toHaveProperty('fields');
  });

  it('keeps a code of the refusal’s shape, and says "refused" for one missing or of another shape', () => {
    const codeOf = (code: string | undefined) =>
      refusedReportView({
        headers: { ...headers(), dlq_error_code: code },
        value: Buffer.from(JSON.stringify(report)),
      })!.data;
    expect(codeOf('rate-limited')).toMatchObject({ code: 'rate-limited' });
    expect(codeOf('9-lives')).toMatchObject({ code: '9-lives' });
    expect(codeOf(undefined)).toMatchObject({ code: 'refused' });
    expect(codeOf('-leading-dash')).toMatchObject({ code: 'refused' });
    expect(codeOf('schema!')).toMatchObject({ code: 'refused' });
    expect(codeOf('x'.repeat(40))).toMatchObject({ code: 'x'.repeat(40) });
    expect(codeOf('x'.repeat(41))).toMatchObject({ code: 'refused' });
  });

  it('groups a report by the region where the child was last seen, found, or the report places it', () => {
    const regionOf = (data: object) =>
      refusedReportView({ headers: headers(), value: Buffer.from(JSON.stringify(data)) })!.region;
    expect(regionOf({ kind: 'missing-child', lastSeen: { region: '340104' } })).toBe('340104');
    expect(regionOf({ kind: 'unidentified-child', foundAt: { region: '341502' } })).toBe('341502');
    expect(regionOf({ kind: 'suspected-trafficking', location: { region: '320102' } })).toBe('320102');
    expect(regionOf({ kind: 'sighting', seenAt: { region: '450103' } })).toBe('450103');
    expect(regionOf({ kind: 'sighting', seenAt: { region: '1234567' } })).toBeUndefined();
    expect(regionOf({ kind: 'sighting', lastSeen: { region: 'Hefei' }, seenAt: { region: '450103' } })).toBe(
      '450103',
    );
    expect(regionOf({ kind: 'sighting', region: '340104' })).toBeUndefined();
  });

  it('keeps only an id, a sender and times of their shape', () => {
    const v = refusedReportView({
      headers: headers({
        ce_id: 'has a space',
        ce_source: 'agency/hefei psb',
        ce_time: 'yesterday',
        dlq_failed_at: 'soon',
        dlq_original_topic: 'agency.reports.v1',
        dlq_original_partition: '0',
        dlq_original_offset: '7',
      }),
      value: Buffer.from(JSON.stringify(report)),
    })!;
    expect(v.id).toBe('dlq:agency.reports.v1:0:7');
    expect(v.source).toBe('unknown');
    expect(v).not.toHaveProperty('time');
    expect(v.data).toEqual({ kind: 'unidentified-child', code: 'schema', fields: ['/data/child/birthDate'] });
    expect(v.summary).toBe(
      'unidentified-child report from an unknown sender refused by intake (schema: /data/child/birthDate)',
    );
    const long = refusedReportView({
      headers: headers({ ce_id: 'r'.repeat(201), ce_source: `agency/${'a'.repeat(293)}` }),
      value: null,
    })!;
    expect(long.id).toBe('dlq:::');
    expect(long.source).toBe(`agency/${'a'.repeat(293)}`);
    expect(long.summary).toMatch(/^unreadable report from agency\/a+ refused/);
    const longer = refusedReportView({
      headers: headers({ ce_id: 'r'.repeat(200), ce_source: `agency/${'a'.repeat(294)}` }),
      value: null,
    })!;
    expect(longer.id).toBe('r'.repeat(200));
    expect(longer.source).toBe('unknown');
  });

  it('reads a structured report’s own id, sender and time, not the headers’', () => {
    const v = refusedReportView({
      headers: {
        ...headers(),
        'content-type': 'application/cloudevents+json; charset=utf-8',
      },
      value: Buffer.from(
        JSON.stringify({ id: 's-1', source: 'agency/x', time: '2026-03-02T00:00:00Z', data: report }),
      ),
    })!;
    expect(v).toMatchObject({
      id: 's-1',
      source: 'agency/x',
      data: { reportId: 's-1', sentAt: '2026-03-02T00:00:00Z' },
    });
    const blank = refusedReportView({
      headers: { ...headers(), 'content-type': 'application/cloudevents+json', dlq_original_offset: '3' },
      value: Buffer.from(JSON.stringify({ id: 5, data: ['not', 'a', 'report'] })),
    })!;
    expect(blank.id).toBe('dlq:::3');
    expect(blank.source).toBe('unknown');
    expect(blank.data).not.toHaveProperty('sentAt');
    expect(blank.summary).toMatch(/^unreadable report/);
    // A binary-mode letter whose value is a JSON list, or empty: the headers alone.
    const list = refusedReportView({ headers: headers(), value: Buffer.from('[1,2]') })!;
    expect(list).toMatchObject({ id: 'r-1', source: 'agency/hefei-psb' });
    expect(list.summary).toMatch(/^unreadable report/);
    expect(refusedReportView({ headers: headers(), value: Buffer.alloc(0) })!.summary).toMatch(/^unreadable/);
  });

  it('names a field by a path of the schema’s shape from its start: an index of several digits, no text before it', () => {
    const fieldsOf = (...fields: string[]) =>
      refusedReportView({
        headers: headers({ dlq_reason: JSON.stringify(fields.map((field) => ({ field }))) }),
        value: Buffer.from(JSON.stringify(report)),
      })!.data;
    expect(fieldsOf('/data/victims/12/sex')).toMatchObject({ fields: ['/data/victims/12/sex'] });
    expect(fieldsOf('Li Wei/data/child/name', 'x/data')).not.toHaveProperty('fields');
  });

  it('reads a structured letter whose value is not an object by its headers', () => {
    for (const value of ['"a report"', '[{"id":"s-1"}]', 'null']) {
      const v = refusedReportView({
        headers: { ...headers(), 'content-type': 'application/cloudevents+json' },
        value: Buffer.from(value),
      })!;
      expect(v).toMatchObject({ id: 'r-1', source: 'agency/hefei-psb' });
    }
  });
});
