import { contributionOf, UNKNOWN_REGION, yearOf } from '@homeward/figures';
import { describe, expect, it } from 'vitest';
import {
  type AnnualRowData,
  annualReportCsv,
  annualReportHtml,
  buildAnnualReport,
  COUNTERS,
  median,
  reported,
} from '../../src/domain/annual.ts';
import {
  alertIssued,
  caseClosed,
  caseOpened,
  childLocated,
  childRescued,
  ev,
  followupCompleted,
  followupOverdue,
  followupScheduled,
  leadAdded,
  matchConfirmed,
  matchFound,
  placementDecided,
  sampleCollected,
} from '../events.ts';

const BEIJING = 480;
const caseRef = { _id: 'case:c1', region: '340102', openedAt: '2026-03-01T09:00:00+08:00' };

describe('what each event adds to the annual report', () => {
  it('cases: reports received and cases opened by the reporting agency, closed by police', () => {
    expect(contributionOf(caseOpened('c1'), undefined, BEIJING)).toEqual({
      year: 2026,
      region: '340104',
      department: 'police',
      counts: { reportsReceived: 1, casesOpened: 1 },
    });
    expect(contributionOf(caseClosed('c1'), caseRef, BEIJING)).toEqual({
      year: 2026,
      region: '340102',
      department: 'police',
      counts: { casesClosed: 1 },
    });
  });

  it('a lead is a report received, in its case’s region or where it was seen', () => {
    expect(contributionOf(leadAdded('c1'), caseRef, BEIJING)).toEqual({
      year: 2026,
      region: '340102',
      department: 'hotline',
      counts: { reportsReceived: 1 },
    });
    expect(contributionOf(leadAdded('c1'), undefined, BEIJING)?.region).toBe('340104');
  });

  it('a located child counts with the time since the report, when it is known and not negative', () => {
    expect(contributionOf(childLocated('c1', '2026-03-01T12:00:00+08:00'), caseRef, BEIJING)).toEqual({
      year: 2026,
      region: '340102',
      department: 'police',
      counts: { childrenLocated: 1 },
      reportToLocatedMs: 3 * 3_600_000,
    });
    const atOpening = contributionOf(childLocated('c1', '2026-03-01T09:00:00+08:00'), caseRef, BEIJING);
    expect(atOpening?.reportToLocatedMs).toBe(0);
    const before = contributionOf(childLocated('c1', '2026-03-01T08:00:00+08:00'), caseRef, BEIJING);
    expect(before).not.toHaveProperty('reportToLocatedMs');
    const unknownCase = contributionOf(childLocated('c1', '2026-03-01T12:00:00+08:00'), undefined, BEIJING);
    expect(unknownCase).toEqual({
      year: 2026,
      region: UNKNOWN_REGION,
      department: 'police',
      counts: { childrenLocated: 1 },
    });
    const locatedWithRegion = ev('homeward.case.child-located', {
      caseId: 'c1',
      locatedAt: '2026-03-01T12:00:00+08:00',
      place: 'station',
      region: '341502',
    });
    expect(contributionOf(locatedWithRegion, undefined, BEIJING)?.region).toBe('341502');
    expect(contributionOf(locatedWithRegion, { _id: 'case:c1', region: '340102' }, BEIJING)).toEqual({
      year: 2026,
      region: '340102',
      department: 'police',
      counts: { childrenLocated: 1 },
    });
  });

  it('a rescue counts for police, in the case’s region or where it happened', () => {
    const rescued = childRescued('c1', '2026-03-03T10:00:00+08:00', '341500');
    expect(contributionOf(rescued, caseRef, BEIJING)).toEqual({
      year: 2026,
      region: '340102',
      department: 'police',
      counts: { childrenRescued: 1 },
    });
    expect(contributionOf(rescued, undefined, BEIJING)?.region).toBe('341500');
  });

  it('alerts issued and how they ended count for police', () => {
    expect(contributionOf(alertIssued('a1', 'c1', { region: '340103' }), undefined, BEIJING)).toEqual({
      year: 2026,
      region: '340103',
      department: 'police',
      counts: { alertsIssued: 1 },
    });
    const cancelled = ev('homeward.alert.cancelled', {
      alertId: 'a1',
      caseId: 'c1',
      cancelledAt: '2026-03-02T10:00:00+08:00',
      reason: 'found-deceased',
    });
    expect(contributionOf(cancelled, undefined, BEIJING)).toEqual({
      year: 2026,
      region: UNKNOWN_REGION,
      department: 'police',
      counts: { 'alertsEnded:found-deceased': 1 },
    });
  });

  it('samples count for the collecting agency, matches for DNA labs', () => {
    expect(contributionOf(sampleCollected('s1', 'c1', '340103'), undefined, BEIJING)).toEqual({
      year: 2026,
      region: '340103',
      department: 'dna-lab',
      counts: { samplesCollected: 1 },
    });
    const sampleRef = { _id: 'sample:s1', region: '340103' };
    expect(contributionOf(matchFound('m1', 's1', 'c1'), sampleRef, BEIJING)).toEqual({
      year: 2026,
      region: '340103',
      department: 'dna-lab',
      counts: { matchesFound: 1 },
    });
    expect(contributionOf(matchConfirmed('m1', 's1', 'c1'), sampleRef, BEIJING)).toEqual({
      year: 2026,
      region: '340103',
      department: 'dna-lab',
      counts: { matchesConfirmed: 1 },
    });
    const rejected = ev('homeward.dna.match-rejected', {
      matchId: 'm2',
      childSampleId: 's1',
      parentSampleIds: ['p1'],
      rejectedAt: '2026-03-04T10:00:00+08:00',
      rejectedBy: 'Dr Wang',
    });
    expect(contributionOf(rejected, sampleRef, BEIJING)).toEqual({
      year: 2026,
      region: '340103',
      department: 'dna-lab',
      counts: { matchesRejected: 1 },
    });
  });

  it('a first placement decision counts by type for civil affairs; a revision does not count again', () => {
    expect(contributionOf(placementDecided('c1', 'return-to-family'), undefined, BEIJING)).toEqual({
      year: 2026,
      region: '340104',
      department: 'civil-affairs',
      counts: { 'placements:return-to-family': 1 },
    });
    expect(contributionOf(placementDecided('c1', 'return-to-family', 2), undefined, BEIJING)).toBeUndefined();
  });

  it('follow-ups count for the department that answers for their kind', () => {
    expect(contributionOf(followupScheduled('f1', 'c1'), undefined, BEIJING)).toEqual({
      year: 2026,
      region: '340104',
      department: 'education',
      counts: { followupsScheduled: 1 },
    });
    const ref = { _id: 'followup:f1', region: '340102' };
    expect(contributionOf(followupCompleted('f1', 'c1'), ref, BEIJING)).toEqual({
      year: 2026,
      region: '340102',
      department: 'education',
      counts: { followupsCompleted: 1 },
    });
    expect(contributionOf(followupOverdue('f1', 'c1'), ref, BEIJING)).toEqual({
      year: 2026,
      region: '340102',
      department: 'education',
      counts: { followupsOverdue: 1 },
    });
    const kinds = {
      'medical-psychological-rehabilitation': 'health',
      // Human resources and social security train victims of 16 and over (the policy's owner).
      'vocational-training': 'human-resources-social-security',
      'escorted-handover': 'civil-affairs',
      relief: 'civil-affairs',
      'legal-aid': 'womens-federation',
      'employment-services': 'human-resources-social-security',
      'disability-assistance': 'disabled-persons-federation',
      'a-kind-added-later': 'civil-affairs',
    };
    for (const [type, department] of Object.entries(kinds)) {
      const scheduled = ev('homeward.followup.scheduled', {
        ...followupScheduled('f2', 'c1').data,
        type,
      } as never);
      const completed = ev('homeward.followup.completed', {
        ...followupCompleted('f2', 'c1').data,
        type,
      } as never);
      const overdue = ev('homeward.followup.overdue', { ...followupOverdue('f2', 'c1').data, type } as never);
      expect([scheduled, completed, overdue].map((e) => contributionOf(e, ref, BEIJING)?.department)).toEqual(
        [department, department, department],
      );
    }
  });

  it('a follow-up is scheduled in the year of its due date', () => {
    const lateDue = ev('homeward.followup.scheduled', {
      ...followupScheduled('f3', 'c1').data,
      dueDate: '2027-01-01',
    });
    expect(contributionOf(lateDue, undefined, BEIJING)?.year).toBe(2027);
    const newYearsEve = ev('homeward.followup.scheduled', {
      ...followupScheduled('f3', 'c1').data,
      dueDate: '2026-12-31',
    });
    // Noon UTC on the due date is still that date in any calendar within twelve hours of UTC.
    expect(contributionOf(newYearsEve, undefined, BEIJING)?.year).toBe(2026);
    expect(contributionOf(newYearsEve, undefined, -600)?.year).toBe(2026);
  });

  it('an event whose case, sample or follow-up is unknown counts under the unknown region', () => {
    const unplaced = [
      caseClosed('c1'),
      matchFound('m1', 's1', 'c1'),
      matchConfirmed('m1', 's1', 'c1'),
      ev('homeward.dna.match-rejected', {
        matchId: 'm2',
        childSampleId: 's1',
        parentSampleIds: ['p1'],
        rejectedAt: '2026-03-04T10:00:00+08:00',
        rejectedBy: 'Dr Wang',
      }),
      followupCompleted('f1', 'c1'),
      followupOverdue('f1', 'c1'),
    ];
    expect(unplaced.map((e) => contributionOf(e, undefined, BEIJING)?.region)).toEqual(
      Array.from({ length: unplaced.length }, () => 'unknown'),
    );
    expect(UNKNOWN_REGION).toBe('unknown');
  });

  it('years follow the report calendar on both sides of UTC', () => {
    expect(yearOf('2027-01-01T03:00:00Z', -240)).toBe(2026);
    expect(yearOf('2027-01-01T04:00:00Z', -240)).toBe(2027);
    expect(yearOf('2026-12-31T16:00:00Z', BEIJING)).toBe(2027);
  });
});

const row = (
  region: string,
  department: string,
  counts: AnnualRowData['counts'],
  reportToLocatedMs: number[] = [],
  year = 2026,
): AnnualRowData => ({ year, region, department, counts, reportToLocatedMs });

describe('the annual report', () => {
  const rows = [
    row('340104', 'police', { casesOpened: 2, childrenLocated: 2 }, [3_600_000, 9_000_000]),
    row('340104', 'hotline', { reportsReceived: 3 }),
    row('341502', 'police', { casesOpened: 5 }, [1_000]),
    row('340102', 'police', { casesOpened: 1 }, [], 2025),
  ];

  it('covers every region without a filter, lines sorted by region then department, every counter present', () => {
    const report = buildAnnualReport(2026, undefined, rows);
    expect(report.region).toBeNull();
    expect(report.year).toBe(2026);
    expect(report.lines.map((l) => `${l.region}/${l.department}`)).toEqual([
      '340104/hotline',
      '340104/police',
      '341502/police',
    ]);
    expect(Object.keys(report.lines[0]!.counts)).toEqual([...COUNTERS]);
    expect(report.lines[0]!.counts).toMatchObject({ reportsReceived: 3, casesOpened: 0 });
    expect(report.lines[0]!.medianReportToLocatedHours).toBeNull();
    // (1 h + 2.5 h) / 2, in hours rounded to two decimals.
    expect(report.lines[1]!.medianReportToLocatedHours).toBe(1.75);
    expect(report.lines[2]!.medianReportToLocatedHours).toBe(0);
    expect(report.totals.counts).toMatchObject({ casesOpened: 7, reportsReceived: 3, childrenLocated: 2 });
    expect(report.totals.medianReportToLocatedHours).toBe(1);
  });

  it('a year without rows is all zeros, without medians', () => {
    const report = buildAnnualReport(2030, '340000', rows);
    expect(report.lines).toEqual([]);
    expect(Object.values(report.totals.counts).every((v) => v === 0)).toBe(true);
    expect(report.totals.medianReportToLocatedHours).toBeNull();
    expect(report.region).toBe('340000');
  });

  it('the median of an even count is the mean of the middle two, of an odd count the middle one', () => {
    expect(median([10, 1, 7, 3])).toBe(5);
    expect(median([10, 1, 7])).toBe(7);
    expect(median([2])).toBe(2);
    const input = [3, 1, 2];
    median(input);
    expect(input).toEqual([3, 1, 2]);
  });

  it('as CSV: a header naming every counter, a line per row, a total, CRLF line ends', () => {
    const csv = annualReportCsv(buildAnnualReport(2026, undefined, rows));
    const lines = csv.split('\r\n');
    expect(csv.endsWith('\r\n')).toBe(true);
    expect(lines[0]).toBe(
      ['year', 'region', 'department', ...COUNTERS, 'medianReportToLocatedHours'].join(','),
    );
    const zeros = (n: number) => Array.from({ length: n }, () => '0');
    expect(lines[1]).toBe(['2026', '340104', 'hotline', '3', ...zeros(COUNTERS.length - 1), ''].join(','));
    expect(lines[4]!.split(',').slice(0, 3)).toEqual(['2026', 'all', 'all']);
    expect(lines[4]!.split(',').at(-1)).toBe('1');
  });

  it('as CSV: a cell with a comma, a quote or a line break is quoted, its quotes doubled', () => {
    const odd = buildAnnualReport(2026, undefined, [
      row('a,b', 'say "hi"', {}),
      row('line\nbreak', 'carriage\rreturn', {}),
    ]);
    const csv = annualReportCsv(odd);
    expect(csv).toContain('2026,"a,b","say ""hi""",0');
    expect(csv).toContain('"line\nbreak","carriage\rreturn"');
  });

  it('as a printable page: a titled table with a row per line and a bold total, everything escaped', () => {
    const html = annualReportHtml(
      buildAnnualReport(2026, '340100', [row('340104', '<police & "co">', { casesOpened: 2 })]),
    );
    expect(html).toContain('<title>Homeward annual report 2026 — region 340100</title>');
    expect(html).toContain('<h1>Homeward annual report 2026 — region 340100</h1>');
    expect(html).toContain(
      '<tr><th>340104</th><th>&lt;police &amp; &quot;co&quot;&gt;</th><td>0</td><td>2</td>',
    );
    expect(html).toContain('<tr class="total"><th>340100</th><th>all</th><td>0</td><td>2</td>');
    expect(html).toContain('<td>–</td></tr>');
    expect(html).not.toContain('<police');
    expect(html).not.toMatch(/<script/i);
    const all = annualReportHtml(
      buildAnnualReport(2026, undefined, [row('340104', 'police', {}, [7_200_000])]),
    );
    expect(all).toContain('<title>Homeward annual report 2026</title>');
    expect(all).toContain('<tr class="total"><th>all</th><th>all</th>');
    expect(all).toContain('<td>2</td></tr>');
    expect(all).toContain(`<th>Median hours report → located</th>`);
    expect(all).toContain('<table><thead><tr><th>Region</th><th>Department</th><th>reportsReceived</th>');
    const two = annualReportHtml(
      buildAnnualReport(2026, undefined, [row('340104', 'police', {}), row('340102', 'police', {})]),
    );
    expect(two).toMatch(/<th>340102<\/th>.*<\/tr>\n<tr><th>340104<\/th>/);
    expect((all.match(/<thead><tr>(.*)<\/tr><\/thead>/)?.[1]?.match(/<th>/g) ?? []).length).toBe(
      COUNTERS.length + 3,
    );
  });
});

describe('the victims of the annual report', () => {
  const rows = [
    row('340104', 'police', {
      casesOpened: 1,
      'victims:rescued:female:18-and-over': 2,
      'victims:rescued:male:under-14': 1,
    }),
    row('340111', 'civil-affairs', {
      'victims:rescued:female:18-and-over': 1,
      'victims:placed:male:under-14': 1,
    }),
    row('341502', 'police', { 'victims:rescued:female:18-and-over': 5 }),
    row('340104', 'police', { 'victims:rescued:female:18-and-over': 7 }, [], 2025),
  ];

  it('are summed over the departments of the year and the division asked for, by measure, sex and age group', () => {
    const report = buildAnnualReport(2026, '340100', rows);
    expect(report.lines.map((l) => l.region)).toEqual(['340104', '340111']);
    expect(report.totals.counts.casesOpened).toBe(1);
    expect(report.victims.rescued.female['18-and-over']).toBe(3);
    expect(report.victims.rescued.male['under-14']).toBe(1);
    expect(report.victims.placed.male['under-14']).toBe(1);
    expect(report.victims.rescued.female['under-14']).toBe(0);
    expect(buildAnnualReport(2026, undefined, rows).victims.rescued.female['18-and-over']).toBe(8);
  });

  it('print as a table with a row per sex and age group and a column per measure', () => {
    const html = annualReportHtml(buildAnnualReport(2026, '340100', rows));
    expect(html).toContain(
      '<h2>Victims by sex and age group</h2>\n<table class="victims"><tr><th>Sex</th><th>Age group</th><th>rescued</th><th>returnedHome</th><th>placed</th><th>inTraining</th><th>employed</th></tr>\n',
    );
    expect(html).toContain(
      '<tr><th>female</th><th>18 and over</th><td>3</td><td>0</td><td>0</td><td>0</td><td>0</td></tr>',
    );
    expect(html).toContain(
      '<tr><th>male</th><th>under 14</th><td>1</td><td>0</td><td>1</td><td>0</td><td>0</td></tr>\n',
    );
    expect(html).toContain('<tr><th>unknown</th><th>age unknown</th><td>0</td>');
    expect(html.match(/<tr><th>(female|male|unknown)<\/th>/g)).toHaveLength(12);
    expect(html.endsWith('</table></body></html>')).toBe(true);
  });

  it('leave the columns of the report as they were: no special teams (coordination counts those)', () => {
    expect(COUNTERS).not.toContain('teamsAssigned');
    expect(reported('teamsAssigned')).toBe(false);
    expect(reported('casesOpened')).toBe(true);
    expect(COUNTERS[0]).toBe('reportsReceived');
  });
});
