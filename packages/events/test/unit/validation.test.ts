import { describe, expect, it } from 'vitest';
import {
  createEvent,
  findUnsafeKeys,
  validateEnvelope,
  validateEvent,
  validateReportData,
} from '../../src/index.ts';

const missingChild = {
  kind: 'missing-child',
  child: { name: 'Li Xiaoming', sex: 'male', birthDate: '2019-05-01' },
  lastSeen: {
    at: '2026-11-28T08:00:00+08:00',
    place: 'Hefei South Station',
    lat: 31.8,
    lon: 117.29,
    region: '340104',
  },
};

describe('schema validation', () => {
  it('accepts a valid report', () => {
    expect(validateReportData(missingChild)).toEqual([]);
  });

  it('names each bad field and says why', () => {
    const bad = structuredClone(missingChild) as {
      child: Record<string, unknown>;
      lastSeen: Record<string, unknown>;
    };
    bad.child.sex = 'boy';
    bad.child.birthDate = '2019-02-30x';
    bad.lastSeen.lat = 123;
    bad.lastSeen.region = '34010';
    delete bad.lastSeen.place;
    expect(validateReportData(bad)).toEqual(
      expect.arrayContaining([
        { field: '/data/child/sex', message: 'must be one of "female", "male", "unknown"' },
        { field: '/data/child/birthDate', message: 'must match format "date"' },
        { field: '/data/lastSeen/lat', message: 'must be <= 90' },
        { field: '/data/lastSeen/region', message: expect.stringContaining('must match pattern') },
        { field: '/data/lastSeen/place', message: 'is required' },
      ]),
    );
  });

  it('dispatches on kind, so an unknown kind is one clear error', () => {
    expect(validateReportData({ kind: 'lost-dog' })).toEqual([
      {
        field: '/data/kind',
        message:
          'must be one of "missing-child", "suspected-trafficking", "unidentified-child", "sighting", "missing-woman"',
      },
    ]);
  });

  it('accepts a missing woman and a marriage-registration finding, and names what is wrong in them', () => {
    const woman = {
      kind: 'missing-woman',
      woman: { name: 'Wang Fang', birthDate: '1998-03-02', disability: { kinds: ['hearing'] } },
      lastSeen: missingChild.lastSeen,
      trafficked: true,
      reporter: { name: 'Wang Jun', phone: '+86 138 0000 0000', relation: 'brother' },
    };
    expect(validateReportData(woman)).toEqual([]);
    expect(validateReportData({ ...woman, woman: { name: 'W', apparentAge: 15 } })).toEqual([
      { field: '/data/woman/apparentAge', message: 'must be >= 18' },
    ]);
    const finding = {
      kind: 'suspected-trafficking',
      description: 'the bride could not say where she was born',
      observedAt: '2026-11-28T10:00:00+08:00',
      location: { place: 'Shushan marriage registry', region: '340104' },
      marriageRegistration: {
        registryOffice: 'Shushan marriage registry',
        applicationDate: '2026-11-28',
        signs: ['bride-cannot-state-own-details', 'intermediary-present'],
        bride: { sex: 'female', apparentAge: 20, description: 'speaks no Mandarin' },
        groom: { name: 'Zhao Gang', address: 'Village 3, Feixi' },
      },
    };
    expect(validateReportData(finding)).toEqual([]);
    const repeated = structuredClone(finding);
    repeated.marriageRegistration.signs = ['intermediary-present', 'intermediary-present'];
    expect(validateReportData(repeated)).toEqual([
      expect.objectContaining({ field: '/data/marriageRegistration/signs' }),
    ]);
  });

  it('validates a whole event: envelope first, then the data of its type', () => {
    const e = createEvent(
      'homeward.case.closed',
      { caseId: 'c1', closedAt: 'yesterday', reason: 'found' },
      { source: 'test' },
    );
    expect(validateEvent(e)).toEqual([{ field: '/data/closedAt', message: 'must match format "date-time"' }]);
    expect(validateEvent({ ...e, specversion: '0.3' as '1.0' })).toEqual([
      { field: '/specversion', message: 'must be "1.0"' },
    ]);
    expect(validateEvent({ ...e, type: 'homeward.case.reopened' })).toEqual([
      { field: '/type', message: 'is not a known event type: "homeward.case.reopened"' },
    ]);
  });

  it('finds keys that a document database would read as operators or paths', () => {
    expect(
      findUnsafeKeys({
        child: { name: { $ne: null } },
        'a.b': 1,
        list: [{ $where: 'x' }],
        ok: { fine: true },
      }),
    ).toEqual([
      { field: '/child/name/$ne', message: 'keys must not start with "$"' },
      { field: '/a.b', message: 'keys must not contain "."' },
      { field: '/list/0/$where', message: 'keys must not start with "$"' },
    ]);
    expect(findUnsafeKeys(JSON.parse('{"__proto__": {"admin": true}}'))).toEqual([
      { field: '/__proto__', message: 'is a reserved key' },
    ]);
  });

  it('answers anything that is not an object with a field error instead of throwing', () => {
    for (const input of [null, undefined, 0, 'text', true, [], [{ specversion: '1.0' }]]) {
      expect(validateEnvelope(input), JSON.stringify(input)).toEqual([
        { field: '/', message: 'must be a JSON object (a CloudEvent)' },
      ]);
    }
    expect(validateEnvelope({ specversion: '1.0', id: 'x', source: 's', type: 't' })).toEqual([]);
  });
});
