import { type CloudEvent, createEvent, type ReportData } from '@homeward/events';
import { describe, expect, it } from 'vitest';
import { mayReport, partNotAllowed } from '../../src/domain/permissions.ts';
import { opensCase, outcomeEvent, publishedReport, regionOf } from '../../src/domain/report-outcome.ts';
import { checkReportRules } from '../../src/domain/report-rules.ts';
import { screenReport } from '../../src/domain/screening.ts';

const now = new Date('2026-11-28T12:00:00Z');
const lastSeen = {
  at: '2026-11-20T08:00:00Z',
  place: 'Feixi bus station',
  lat: 31.7,
  lon: 117.1,
  region: '340123',
};

const woman = (w: Record<string, unknown>): ReportData =>
  ({ kind: 'missing-woman', woman: { name: 'Wang Fang', ...w }, lastSeen, trafficked: true }) as ReportData;

const finding: ReportData = {
  kind: 'suspected-trafficking',
  description: 'the bride could not say where she was born',
  observedAt: '2026-11-27T10:00:00Z',
  location: { place: 'Shushan marriage registry', region: '340104' },
  victims: [{ sex: 'female', birthDate: '2010-01-05', description: 'a girl at the groom house' }],
  marriageRegistration: {
    registryOffice: 'Shushan marriage registry',
    applicationDate: '2026-11-27',
    signs: ['bride-cannot-state-own-details', 'bride-does-not-speak-local-language'],
    bride: { sex: 'female', apparentAge: 22, description: 'speaks no Mandarin' },
    groom: { name: 'Zhao Gang', address: 'Village 3, Feixi' },
  },
};

const report = (data: ReportData): CloudEvent =>
  createEvent('homeward.report.submitted', data, { source: 'agency/x', id: 'e-1' }) as CloudEvent;

describe('a missing or trafficked woman', () => {
  it('is reported by police, the women federation and hotlines only', () => {
    expect(mayReport('police', 'missing-woman')).toBe(true);
    expect(mayReport('womens-federation', 'missing-woman')).toBe(true);
    expect(mayReport('hotline', 'missing-woman')).toBe(true);
    expect(mayReport('volunteer', 'missing-woman')).toBe(false);
    expect(mayReport('education', 'missing-woman')).toBe(false);
  });

  it('needs a birth date or an age, and a birth date that makes her 18 or over when last seen', () => {
    expect(checkReportRules(woman({ birthDate: '1998-03-02' }), now)).toEqual([]);
    expect(checkReportRules(woman({ apparentAge: 30 }), now)).toEqual([]);
    expect(checkReportRules(woman({}), now)).toEqual([
      { field: '/data/woman', message: 'needs a birthDate or an apparentAge' },
    ]);
    // 18 on 2026-11-20 is a woman; a day younger is a child.
    expect(checkReportRules(woman({ birthDate: '2008-11-20' }), now)).toEqual([]);
    expect(checkReportRules(woman({ birthDate: '2008-11-21' }), now)).toEqual([
      { field: '/data/woman/birthDate', message: expect.stringContaining('report a missing child') },
    ]);
  });

  it('opens a case whose one victim is an adult woman, in the division last seen', () => {
    const data = woman({ birthDate: '1998-03-02', disability: { kinds: ['hearing'] } });
    expect(regionOf(data)).toBe('340123');
    const event = outcomeEvent(opensCase('rpt-1'), data, {
      reportId: 'rpt-1',
      reportedBy: { agencyId: 'anhui-womens-federation', role: 'womens-federation', region: '340000' },
      now,
    });
    const d = event.data as { caseId: string; kind: string; victims: unknown[] };
    expect(d.kind).toBe('missing-woman');
    expect(d.victims).toEqual([
      {
        victimId: `${d.caseId}.v1`,
        category: 'adult',
        sex: 'female',
        birthDate: '1998-03-02',
        disability: { kinds: ['hearing'] },
      },
    ]);
  });
});

describe('victims named by a suspected-trafficking report, and the marriage-registration finding', () => {
  it('names every reported victim then the bride, each child or adult by age when observed', () => {
    const event = outcomeEvent(opensCase('rpt-2'), finding, {
      reportId: 'rpt-2',
      reportedBy: { agencyId: 'shushan-civil-affairs', role: 'civil-affairs', region: '340104' },
      now,
    });
    const d = event.data as { caseId: string; victims: Array<Record<string, unknown>> };
    expect(d.victims.map((v) => [v.victimId, v.category, v.sex])).toEqual([
      [`${d.caseId}.v1`, 'child', 'female'],
      [`${d.caseId}.v2`, 'adult', 'female'],
    ]);
    expect(d.victims[1]).toMatchObject({
      apparentAge: 22,
      ageObservedAt: finding.kind === 'suspected-trafficking' ? finding.observedAt : '',
    });
  });

  it('is sent by civil affairs only (the registry clerk), other reporters get 403-worthy refusal', () => {
    expect(partNotAllowed('civil-affairs', finding)).toBeUndefined();
    expect(partNotAllowed('hotline', finding)).toContain('marriage-registration');
    expect(screenReport(report(finding), 'hotline', now)).toMatchObject({ refused: 'kindNotAllowed' });
    expect(screenReport(report(finding), 'civil-affairs', now)).toEqual({ data: finding });
  });

  it('refuses a victim without an age, a birth date after the sighting, and a future application', () => {
    const bad = structuredClone(finding) as Extract<ReportData, { kind: 'suspected-trafficking' }>;
    bad.victims = [
      { sex: 'male', description: 'a boy' },
      { sex: 'female', birthDate: '2026-11-28', description: 'a baby' },
    ];
    bad.marriageRegistration!.applicationDate = '2026-12-05';
    expect(checkReportRules(bad, now)).toEqual([
      { field: '/data/victims/0', message: 'needs a birthDate or an apparentAge' },
      { field: '/data/victims/1/birthDate', message: 'must be before the time observed' },
      { field: '/data/marriageRegistration/applicationDate', message: 'must not be in the future' },
    ]);
  });

  it('the new roles report suspected trafficking; they send no missing-child report', () => {
    expect(mayReport('human-resources-social-security', 'suspected-trafficking')).toBe(true);
    expect(mayReport('disabled-persons-federation', 'suspected-trafficking')).toBe(true);
    expect(mayReport('human-resources-social-security', 'missing-child')).toBe(false);
  });
});

describe('what case.opened publishes of the victims reports (an allowlist per kind)', () => {
  const publishedOf = (d: ReportData) =>
    (outcomeEvent(opensCase('rpt-1'), d, { reportId: 'rpt-1', reportedBy, now }).data as { report: unknown })
      .report;
  const reportedBy = { agencyId: 'a', role: 'police' as const, region: '340100' };

  it('a missing woman without the circumstances or the reporter', () => {
    const sent = {
      ...woman({ birthDate: '1998-03-02', description: 'red coat', nickname: 'Fangfang' }),
      circumstances: 'her husband says she left',
      reporter: { name: 'Wang Ming', phone: '+86 138 0000 2222' },
    } as ReportData;
    expect(publishedOf(sent)).toStrictEqual({
      kind: 'missing-woman',
      woman: { name: 'Wang Fang', birthDate: '1998-03-02', description: 'red coat' },
      lastSeen,
      trafficked: true,
    });
  });

  it('a marriage-registration finding with the groom (placement refuses his household), never the intermediary', () => {
    const sent = {
      ...finding,
      marriageRegistration: {
        ...(finding as { marriageRegistration: object }).marriageRegistration,
        intermediary: { description: 'a woman from the south', phone: '+86 139 0000 3333' },
        applicationRefused: true,
      },
      reporter: { phone: '+86 1' },
    } as unknown as ReportData;
    const published = publishedOf(sent) as Record<string, unknown>;
    expect(published).toStrictEqual({
      kind: 'suspected-trafficking',
      description: 'the bride could not say where she was born',
      observedAt: '2026-11-27T10:00:00Z',
      location: { place: 'Shushan marriage registry', region: '340104' },
      victims: [{ sex: 'female', birthDate: '2010-01-05', description: 'a girl at the groom house' }],
      marriageRegistration: {
        registryOffice: 'Shushan marriage registry',
        applicationDate: '2026-11-27',
        signs: ['bride-cannot-state-own-details', 'bride-does-not-speak-local-language'],
        bride: { sex: 'female', apparentAge: 22, description: 'speaks no Mandarin' },
        groom: { name: 'Zhao Gang', address: 'Village 3, Feixi' },
        applicationRefused: true,
      },
    });
    expect(JSON.stringify(published)).not.toContain('+86');
  });
});

describe('a missing-woman report as published', () => {
  it('keeps every optional field it was given: age, description, photo, disability with its note', () => {
    const full = woman({
      birthDate: '1990-04-01',
      apparentAge: 36,
      description: 'a scar on her left hand',
      photoUrl: 'https://photos.example.org/w.jpg',
      disability: { kinds: ['hearing'], note: 'reads lips' },
    }) as Exclude<ReportData, { kind: 'sighting' }>;
    expect(publishedReport(full)).toStrictEqual(full);
    const noNote = woman({ disability: { kinds: ['hearing'] } }) as Exclude<ReportData, { kind: 'sighting' }>;
    expect(publishedReport(noNote)).toStrictEqual(noNote);
  });
});
