import type { CloudEvent } from '@homeward/events';
import { describe, expect, it } from 'vitest';
import { REPORT_TYPE, screenReport } from '../../src/domain/screening.ts';

const now = new Date('2026-11-28T12:00:00Z');
const sighting = {
  kind: 'sighting',
  caseId: 'case-1',
  description: 'a boy in a red jacket',
  seenAt: { at: '2026-11-28T09:00:00Z', place: 'bus terminal', lat: 31.85, lon: 117.2, region: '340104' },
};
const event = (data: unknown, type = REPORT_TYPE): CloudEvent => ({
  specversion: '1.0',
  id: 'ce-1',
  source: 'agency/hefei-psb',
  type,
  data,
});

describe('screening a report', () => {
  it('admits a valid report of a kind the role may send, with its data', () => {
    const e = event(sighting);
    expect(REPORT_TYPE).toBe('homeward.report.submitted');
    expect(screenReport(e, 'unit', now)).toStrictEqual({ data: e.data });
  });

  it('refuses another event type, naming the field', () => {
    expect(screenReport(event(sighting, 'homeward.case.opened'), 'police', now)).toStrictEqual({
      refused: 'wrongType',
      detail: 'only homeward.report.submitted events are accepted here',
      errors: [{ field: '/type', message: 'must be "homeward.report.submitted"' }],
    });
  });

  it('refuses keys a database would misread, before the schema looks', () => {
    // The schema would refuse `$where` too; the unsafe-key check must answer first, with its code.
    expect(screenReport(event({ ...sighting, $where: 'x' }), 'police', now)).toStrictEqual({
      refused: 'unsafeKeys',
      detail: 'the report contains keys that are not allowed',
      errors: [{ field: '/data/$where', message: 'keys must not start with "$"' }],
    });
  });

  it('refuses data that breaks the schema of its kind, with every field', () => {
    const r = screenReport(event({ ...sighting, caseId: undefined, description: 7 }), 'police', now);
    expect(r).toMatchObject({ refused: 'invalidReport', detail: 'the report is invalid' });
    expect(r.refused && r.errors?.map((e) => e.field).sort()).toEqual(['/data/caseId', '/data/description']);
  });

  it("refuses a kind the sender's role may not send, after the schema and before the rules", () => {
    const future = { ...sighting, seenAt: { ...sighting.seenAt, at: '2027-01-01T00:00:00Z' } };
    expect(screenReport(event(future), 'operator', now)).toStrictEqual({
      refused: 'kindNotAllowed',
      detail: 'the role "operator" may not send "sighting" reports',
    });
    expect(screenReport(event({ ...sighting, kind: 'nonsense' }), 'operator', now)).toMatchObject({
      refused: 'invalidReport',
    });
  });

  it('refuses a report breaking the rules a schema cannot say', () => {
    const future = { ...sighting, seenAt: { ...sighting.seenAt, at: '2027-01-01T00:00:00Z' } };
    expect(screenReport(event(future), 'police', now)).toStrictEqual({
      refused: 'invalidReport',
      detail: 'the report is invalid',
      errors: [{ field: '/data/seenAt/at', message: 'must not be in the future' }],
    });
  });
});
