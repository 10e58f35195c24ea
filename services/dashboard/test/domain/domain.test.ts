import { contributionOf, refNeeded, refsWritten, yearOf } from '@homeward/figures';
import { describe, expect, it } from 'vitest';
import { annualReportCsv, annualReportHtml, buildAnnualReport, median } from '../../src/domain/annual.ts';
import { buildBoard, coverageSeries } from '../../src/domain/board.ts';
import { toView } from '../../src/domain/event-view.ts';
import { matchesFilter, parseFilter } from '../../src/domain/filters.ts';
import { liveKeys, liveOps } from '../../src/domain/live-ops.ts';
import { placeOf } from '../../src/domain/refs.ts';
import { regionMatches } from '../../src/domain/regions.ts';
import { compareStreamIds, isStreamId } from '../../src/domain/stream-ids.ts';
import {
  alertCancelled,
  alertIssued,
  caseOpened,
  childLocated,
  delivered,
  followupScheduled,
  placementDecided,
} from '../events.ts';

describe('regions', () => {
  it('a division matches what lies within it', () => {
    expect(regionMatches('340000', '340104')).toBe(true);
    expect(regionMatches('340100', '340104')).toBe(true);
    expect(regionMatches('340100', '341502')).toBe(false);
    expect(regionMatches('340104', '340104')).toBe(true);
    expect(regionMatches('340104', '340103')).toBe(false);
    expect(regionMatches('340000', undefined)).toBe(false);
  });
});

describe('stream filters and ids', () => {
  it('parses filters and names what is wrong', () => {
    expect(parseFilter({ type: 'homeward.alert., homeward.case.opened', region: '340000' })).toEqual({
      filter: { types: ['homeward.alert.', 'homeward.case.opened'], region: '340000' },
      errors: [],
    });
    const bad = parseFilter({ type: 'Alert!', region: '34', caseId: '../x' });
    expect(bad.errors.map((e) => e.field)).toEqual([
      '/querystring/type',
      '/querystring/region',
      '/querystring/caseId',
    ]);
  });

  it('every criterion must hold', () => {
    const f = parseFilter({ type: 'homeward.alert.', region: '340100', caseId: 'c1' }).filter;
    expect(matchesFilter(f, { type: 'homeward.alert.issued', region: '340104', caseId: 'c1' })).toBe(true);
    expect(matchesFilter(f, { type: 'homeward.case.opened', region: '340104', caseId: 'c1' })).toBe(false);
    expect(matchesFilter(f, { type: 'homeward.alert.issued', region: '341502', caseId: 'c1' })).toBe(false);
    expect(matchesFilter(f, { type: 'homeward.alert.issued', region: '340104', caseId: 'c2' })).toBe(false);
    expect(matchesFilter({ types: [] }, { type: 'anything' })).toBe(true);
  });

  it('orders stream ids as Redis does', () => {
    expect(isStreamId('1700000000000-0')).toBe(true);
    expect(isStreamId('yesterday')).toBe(false);
    expect(compareStreamIds('9-5', '10-0')).toBe(-1);
    expect(compareStreamIds('10-2', '10-10')).toBe(-1);
    expect(compareStreamIds('10-2', '10-2')).toBe(0);
  });
});

describe('what operators see', () => {
  it('no name, contact or genotype-like field reaches the stream, whatever the event carries', () => {
    const opened = caseOpened('c1');
    const view = toView(
      { ...opened, data: { ...opened.data, alleles: [1, 2], reporter: { phone: '138' } } } as never,
      'case.events.v1',
      {},
    );
    const text = JSON.stringify(view);
    for (const leak of ['alleles', '138', 'reporter', 'Li Xiaoming']) expect(text).not.toContain(leak);
  });

  it('an event is placed through what earlier events established', () => {
    const issued = alertIssued('a1', 'c1', { region: '341502' });
    const [ref] = refsWritten(issued);
    expect(ref).toEqual({ _id: 'alert:a1', region: '341502', caseId: 'c1' });
    const d = delivered('a1', 'u1');
    expect(refNeeded(d)).toBe('alert:a1');
    expect(placeOf(d, ref)).toEqual({ region: '341502', caseId: 'c1' });
    const view = toView(d, 'notification.events.v1', placeOf(d, ref));
    expect(view.summary).toBe('unit u1 notified of alert a1 (step 0)');
  });
});

describe('annual contributions', () => {
  it('counts each figure under the department that answers for it', () => {
    const opened = caseOpened('c1', {
      region: '340104',
      reporter: 'hotline',
      openedAt: '2026-12-31T20:00:00+08:00',
    });
    expect(contributionOf(opened, undefined, 480)).toEqual({
      year: 2026,
      region: '340104',
      department: 'hotline',
      counts: { reportsReceived: 1, casesOpened: 1 },
    });
    const ref = { _id: 'case:c1', region: '340104', openedAt: '2026-12-31T20:00:00+08:00' };
    // Located in the new year (Beijing time), 6 hours after the report.
    expect(contributionOf(childLocated('c1', '2027-01-01T02:00:00+08:00'), ref, 480)).toEqual({
      year: 2027,
      region: '340104',
      department: 'police',
      counts: { childrenLocated: 1 },
      reportToLocatedMs: 6 * 3_600_000,
    });
    expect(
      contributionOf(alertCancelled('a1', 'c1', 'hoax'), { _id: 'alert:a1', region: '340104' }, 480)?.counts,
    ).toEqual({
      'alertsEnded:hoax': 1,
    });
    expect(contributionOf(placementDecided('c1', 'foster-family', 2), undefined, 480)).toBeUndefined();
    expect(contributionOf(followupScheduled('f1', 'c1'), undefined, 480)?.department).toBe('education');
    expect(contributionOf(delivered('a1', 'u1'), undefined, 480)).toBeUndefined();
  });

  it('years follow the report calendar', () => {
    expect(yearOf('2026-12-31T17:00:00Z', 480)).toBe(2027);
    expect(yearOf('2026-12-31T15:59:59Z', 480)).toBe(2026);
  });

  it('builds the report with medians and totals, as JSON, CSV and HTML', () => {
    expect(median([])).toBeNull();
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    const report = buildAnnualReport(2026, '340100', [
      {
        year: 2026,
        region: '340104',
        department: 'police',
        counts: { casesOpened: 2 },
        reportToLocatedMs: [3_600_000, 7_200_000],
      },
      {
        year: 2026,
        region: '341502',
        department: 'police',
        counts: { casesOpened: 5 },
        reportToLocatedMs: [],
      },
      {
        year: 2025,
        region: '340104',
        department: 'police',
        counts: { casesOpened: 9 },
        reportToLocatedMs: [],
      },
      {
        year: 2026,
        region: '340102',
        department: 'hotline',
        counts: { reportsReceived: 1 },
        reportToLocatedMs: [36_000_000],
      },
    ]);
    expect(report.lines.map((l) => `${l.region}/${l.department}`)).toEqual([
      '340102/hotline',
      '340104/police',
    ]);
    expect(report.lines[1]!.medianReportToLocatedHours).toBe(1.5);
    expect(report.totals.counts.casesOpened).toBe(2);
    expect(report.totals.medianReportToLocatedHours).toBe(2);
    const csv = annualReportCsv(report).split('\r\n');
    expect(csv).toHaveLength(5); // header, 2 lines, total, trailing empty
    expect(csv[3]!.startsWith('2026,340100,all,1,2,')).toBe(true);
    expect(annualReportHtml(report)).toContain('region 340100');
  });
});

describe('live projection', () => {
  it('appends to the history with facets, counts, and moves the board', () => {
    const keys = liveKeys('p.dashboard:');
    const e = alertIssued('a1', 'c1');
    const ops = liveOps(e, toView(e, 'alert.events.v1', placeOf(e, undefined)), keys, 10_000);
    expect(ops[0]!.slice(0, 6)).toEqual(['XADD', 'p.dashboard:history', 'MAXLEN', '~', '10000', '*']);
    expect(ops[0]!.slice(-6)).toEqual(['t', 'homeward.alert.issued', 'r', '340104', 'c', 'c1']);
    expect(ops).toContainEqual(['HINCRBY', 'p.dashboard:stats', 'topic:alert.events.v1', '1']);
    expect(ops).toContainEqual(['SADD', 'p.dashboard:alerts:active', 'a1']);
  });

  it('builds coverage over time and flags overdue samples', () => {
    expect(coverageSeries(['n2000', 'a3000', 'n1000'])).toEqual([
      { at: new Date(1000).toISOString(), notified: 1, acknowledged: 0 },
      { at: new Date(2000).toISOString(), notified: 2, acknowledged: 0 },
      { at: new Date(3000).toISOString(), notified: 2, acknowledged: 1 },
    ]);
    const now = new Date('2026-03-10T00:00:00Z');
    const board = buildBoard(
      {
        caseStatus: { c1: 'open', c2: 'closed' },
        caseRegion: { c1: '340104', c2: '340104' },
        alerts: [],
        sampleStep: { s1: 'shipped', s2: 'stored', s3: 'sealed' },
        sampleAt: {
          s1: String(Date.parse('2026-03-01T00:00:00Z')),
          s2: String(Date.parse('2026-03-01T00:00:00Z')),
          s3: String(Date.parse('2026-03-09T00:00:00Z')),
        },
        matchStatus: {},
        matchInfo: {},
        placementType: {},
        followupStatus: {},
        followupInfo: {},
      },
      now,
      72,
    );
    expect(board.cases.byRegion).toEqual([
      { region: '340104', open: 1, 'team-assigned': 0, located: 0, rescued: 0, closed: 1 },
    ]);
    expect(board.dna.overdueSamples.map((s) => s.sampleId)).toEqual(['s1']);
  });
});
