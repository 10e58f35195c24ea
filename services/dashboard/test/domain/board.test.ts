import { describe, expect, it } from 'vitest';
import {
  buildBoard,
  CASE_STATUSES,
  CUSTODY_STEPS,
  coverageSeries,
  type RawBoard,
} from '../../src/domain/board.ts';

const NOW = new Date('2026-03-10T00:00:00Z');
const ms = (t: string) => String(Date.parse(t));

function raw(overrides: Partial<RawBoard> = {}): RawBoard {
  return {
    caseStatus: {},
    caseRegion: {},
    alerts: [],
    sampleStep: {},
    sampleAt: {},
    matchStatus: {},
    matchInfo: {},
    placementType: {},
    followupStatus: {},
    followupInfo: {},
    ...overrides,
  };
}

describe('the coverage chart of an alert', () => {
  it('is empty without marks, and skips marks without a time', () => {
    expect(coverageSeries([])).toEqual([]);
    expect(coverageSeries(['nsoon', 'n1000'])).toEqual([
      { at: new Date(1000).toISOString(), notified: 1, acknowledged: 0 },
    ]);
  });

  it('keeps every point up to forty, then thins to forty points ending at the last mark', () => {
    const forty = Array.from({ length: 40 }, (_, i) => `n${1000 + i}`);
    expect(coverageSeries(forty)).toHaveLength(40);
    const many = Array.from({ length: 100 }, (_, i) => (i % 4 === 3 ? `a${1000 + i}` : `n${1000 + i}`));
    const series = coverageSeries(many);
    expect(series).toHaveLength(40);
    // Every 2.5th mark: the 3rd (index 2), the 5th (index 4), ... the 100th.
    expect(series[0]).toEqual({ at: new Date(1002).toISOString(), notified: 3, acknowledged: 0 });
    expect(series[1]).toEqual({ at: new Date(1004).toISOString(), notified: 4, acknowledged: 1 });
    expect(series.at(-1)).toEqual({ at: new Date(1099).toISOString(), notified: 75, acknowledged: 25 });
    const times = series.map((p) => Date.parse(p.at));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });
});

describe('cases on the board', () => {
  it('counts cases by status in total and by region, regions sorted, unplaced cases under unknown', () => {
    const board = buildBoard(
      raw({
        caseStatus: { c1: 'open', c2: 'closed', c3: 'located', c4: 'open', c5: 'rescued' },
        caseRegion: { c1: '340104', c2: '340104', c3: '340102', c4: '340102' },
      }),
      NOW,
      72,
    );
    expect(board.cases.total).toBe(5);
    expect(board.cases.byStatus).toEqual({ open: 2, 'team-assigned': 0, located: 1, rescued: 1, closed: 1 });
    const zero = Object.fromEntries(CASE_STATUSES.map((s) => [s, 0]));
    expect(board.cases.byRegion).toEqual([
      { ...zero, region: '340102', open: 1, located: 1 },
      { ...zero, region: '340104', open: 1, closed: 1 },
      { ...zero, region: 'unknown', rescued: 1 },
    ]);
  });

  it('counts a status it does not know rather than dropping the case', () => {
    const board = buildBoard(raw({ caseStatus: { c1: 'archived' }, caseRegion: { c1: '340104' } }), NOW, 72);
    expect(board.cases.byStatus.archived).toBe(1);
    expect(board.cases.byRegion[0]).toMatchObject({ region: '340104', archived: 1 });
  });

  it('stamps the board with the time it was built', () => {
    expect(buildBoard(raw(), NOW, 72).generatedAt).toBe('2026-03-10T00:00:00.000Z');
  });
});

describe('alerts on the board', () => {
  const hash = (over: Record<string, string> = {}) => ({
    caseId: 'c1',
    region: '340104',
    lat: '31.8',
    lon: '117.3',
    radiusKm: '100',
    step: '1',
    issuedAt: '2026-03-01T09:05:00+08:00',
    lastSeenAt: '2026-03-01T08:50:00+08:00',
    lastSeenPlace: 'Hefei South Station',
    status: 'active',
    notified: '12',
    acknowledged: '3',
    failed: '1',
    ...over,
  });

  it('lists active alerts with numbers parsed, steps and coverage, oldest first', () => {
    const board = buildBoard(
      raw({
        alerts: [
          {
            alertId: 'a2',
            hash: hash({ issuedAt: '2026-03-02T09:00:00+08:00' }),
            steps: [JSON.stringify({ at: '2026-03-02T09:00:00+08:00', radiusKm: 100, step: 0 }), 'not json'],
            timeline: ['n1000', 'a2000'],
          },
          { alertId: 'a1', hash: hash(), steps: [], timeline: [] },
          { alertId: 'a3', hash: hash({ status: 'cancelled' }), steps: [], timeline: [] },
          { alertId: 'a4', hash: { status: 'active', caseId: 'c4' }, steps: [], timeline: [] },
        ],
      }),
      NOW,
      72,
    );
    expect(board.alerts.map((a) => a.alertId)).toEqual(['a1', 'a2']);
    expect(board.alerts[1]).toEqual({
      alertId: 'a2',
      caseId: 'c1',
      region: '340104',
      center: { lat: 31.8, lon: 117.3 },
      radiusKm: 100,
      step: 1,
      issuedAt: '2026-03-02T09:00:00+08:00',
      lastSeenAt: '2026-03-01T08:50:00+08:00',
      lastSeenPlace: 'Hefei South Station',
      notified: 12,
      acknowledged: 3,
      failed: 1,
      steps: [{ at: '2026-03-02T09:00:00+08:00', radiusKm: 100, step: 0 }],
      coverage: [
        { at: new Date(1000).toISOString(), notified: 1, acknowledged: 0 },
        { at: new Date(2000).toISOString(), notified: 1, acknowledged: 1 },
      ],
    });
  });

  it('an alert not yet counted shows zeros and empty text rather than nothing', () => {
    const board = buildBoard(
      raw({
        alerts: [
          {
            alertId: 'a1',
            hash: { status: 'active', lat: '31.8', lon: '117.3', radiusKm: '50' },
            steps: [],
            timeline: [],
          },
        ],
      }),
      NOW,
      72,
    );
    expect(board.alerts[0]).toEqual({
      alertId: 'a1',
      caseId: '',
      region: '',
      center: { lat: 31.8, lon: 117.3 },
      radiusKm: 50,
      step: 0,
      issuedAt: '',
      lastSeenAt: '',
      lastSeenPlace: '',
      notified: 0,
      acknowledged: 0,
      failed: 0,
      steps: [],
      coverage: [],
    });
  });
});

describe('DNA on the board', () => {
  it('counts samples by custody step and lists those waiting too long at an unsettled step, longest first', () => {
    const board = buildBoard(
      raw({
        sampleStep: {
          s1: 'shipped',
          s2: 'stored',
          s3: 'sealed',
          s4: 'destroyed',
          s5: 'received',
          s6: 'collected',
          s7: 'profiled',
          s8: 'lost',
        },
        sampleAt: {
          s1: ms('2026-03-05T00:00:00Z'),
          s2: ms('2026-03-01T00:00:00Z'),
          s3: ms('2026-03-09T00:00:00Z'),
          s4: ms('2026-03-01T00:00:00Z'),
          s5: ms('2026-03-02T00:00:00Z'),
          s6: 'garbled',
          s7: ms('2026-03-07T00:00:00Z'),
          s8: ms('2026-03-09T00:00:00Z'),
        },
      }),
      NOW,
      72,
    );
    expect(board.dna.byStep).toEqual({ ...Object.fromEntries(CUSTODY_STEPS.map((s) => [s, 1])), lost: 1 });
    expect(board.dna.overdueSamples).toEqual([
      { sampleId: 's5', step: 'received', since: '2026-03-02T00:00:00.000Z' },
      { sampleId: 's1', step: 'shipped', since: '2026-03-05T00:00:00.000Z' },
    ]);
    expect(board.dna.overdueCount).toBe(2);
  });

  it('a sample exactly at the limit is not yet overdue', () => {
    const board = buildBoard(
      raw({ sampleStep: { s1: 'shipped' }, sampleAt: { s1: ms('2026-03-07T00:00:00Z') } }),
      NOW,
      72,
    );
    expect(board.dna.overdueSamples).toEqual([]);
    const later = buildBoard(
      raw({ sampleStep: { s1: 'shipped' }, sampleAt: { s1: ms('2026-03-07T00:00:00Z') } }),
      NOW,
      71,
    );
    expect(later.dna.overdueCount).toBe(1);
  });

  it('lists matches awaiting review, oldest first, without the confirmed and rejected ones', () => {
    const info = (childSampleId: string, foundAt: string) =>
      JSON.stringify({ childSampleId, caseId: 'c1', probability: 0.9999, foundAt });
    const board = buildBoard(
      raw({
        matchStatus: { m1: 'found', m2: 'confirmed', m3: 'found', m4: 'rejected', m5: 'found' },
        matchInfo: {
          m1: info('s1', '2026-03-05T00:00:00Z'),
          m2: info('s2', '2026-03-01T00:00:00Z'),
          m3: info('s3', '2026-03-03T00:00:00Z'),
          m5: 'garbled',
        },
      }),
      NOW,
      72,
    );
    expect(board.dna.awaitingReviewCount).toBe(3);
    expect(board.dna.awaitingReview).toEqual([
      { matchId: 'm5', childSampleId: '', caseId: null, probability: 0, foundAt: '' },
      {
        matchId: 'm3',
        childSampleId: 's3',
        caseId: 'c1',
        probability: 0.9999,
        foundAt: '2026-03-03T00:00:00Z',
      },
      {
        matchId: 'm1',
        childSampleId: 's1',
        caseId: 'c1',
        probability: 0.9999,
        foundAt: '2026-03-05T00:00:00Z',
      },
    ]);
  });

  it('lists at most fifty of each, and counts them all', () => {
    const samples = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`s${i}`, 'shipped']));
    const at = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`s${i}`, String(1_000_000 + i)]));
    const matches = Object.fromEntries(Array.from({ length: 55 }, (_, i) => [`m${i}`, 'found']));
    const board = buildBoard(raw({ sampleStep: samples, sampleAt: at, matchStatus: matches }), NOW, 72);
    expect(board.dna.overdueCount).toBe(60);
    expect(board.dna.overdueSamples).toHaveLength(50);
    expect(board.dna.overdueSamples[0]!.sampleId).toBe('s0');
    expect(board.dna.awaitingReviewCount).toBe(55);
    expect(board.dna.awaitingReview).toHaveLength(50);
  });
});

describe('placements and follow-ups on the board', () => {
  it('counts placements by type, every type present', () => {
    const board = buildBoard(
      raw({
        placementType: { c1: 'foster-family', c2: 'foster-family', c3: 'kinship-care', c4: 'a-new-type' },
      }),
      NOW,
      72,
    );
    expect(board.placements.byType).toEqual({
      'return-to-family': 0,
      'civil-affairs-institution': 0,
      'foster-family': 2,
      'kinship-care': 1,
      'independent-living': 0,
      'a-new-type': 1,
    });
  });

  it('counts follow-ups by status and lists the overdue ones by due date, at most fifty', () => {
    const info = (dueDate: string) =>
      JSON.stringify({ caseId: 'c1', type: 'compulsory-education', dueDate, region: '340104' });
    const board = buildBoard(
      raw({
        followupStatus: {
          f1: 'scheduled',
          f2: 'completed',
          f3: 'overdue',
          f4: 'overdue',
          f5: 'overdue',
          f6: 'cancelled',
        },
        followupInfo: { f3: info('2026-03-05'), f4: info('2026-02-01'), f5: 'garbled' },
      }),
      NOW,
      72,
    );
    expect(board.followups).toEqual({
      scheduled: 1,
      completed: 1,
      overdue: 3,
      overdueList: [
        { followupId: 'f5', caseId: '', type: '', dueDate: '', region: '' },
        {
          followupId: 'f4',
          caseId: 'c1',
          type: 'compulsory-education',
          dueDate: '2026-02-01',
          region: '340104',
        },
        {
          followupId: 'f3',
          caseId: 'c1',
          type: 'compulsory-education',
          dueDate: '2026-03-05',
          region: '340104',
        },
      ],
    });
    const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`f${i}`, 'overdue']));
    const full = buildBoard(raw({ followupStatus: many }), NOW, 72);
    expect(full.followups.overdue).toBe(51);
    expect(full.followups.overdueList).toHaveLength(50);
  });
});

describe('annual reports on the board', () => {
  const entry = (agencyId: string, state: string, year = 2026) =>
    JSON.stringify({ year, region: '340104', agencyId, role: 'police', state });

  it('counts where submissions stand and lists who is past the deadline', () => {
    const board = buildBoard(
      raw({
        annualReports: {
          a: entry('shushan-psb', 'submitted'),
          b: entry('shushan-civil-affairs', 'returned'),
          c: entry('shushan-health', 'reminded:due-soon'),
          d: entry('shushan-education', 'reminded:overdue'),
          e: entry('shushan-transport', 'accepted'),
          f: 'not json',
        },
      }),
      NOW,
      72,
    );
    expect(board.annualReports).toEqual({
      submitted: 1,
      returned: 1,
      accepted: 1,
      reminded: 1,
      overdue: 1,
      overdueList: [{ year: 2026, region: '340104', agencyId: 'shushan-education', role: 'police' }],
    });
  });

  it('is empty on a projection made before coordination existed', () => {
    expect(buildBoard(raw(), NOW, 72).annualReports).toEqual({
      submitted: 0,
      returned: 0,
      accepted: 0,
      reminded: 0,
      overdue: 0,
      overdueList: [],
    });
  });
});

describe('the clocks on the board', () => {
  it('counts each clock and lists them longest overdue first', () => {
    const board = buildBoard(
      raw({
        overdueClocks: {
          'team:c2': JSON.stringify({
            clock: 'team',
            caseId: 'c2',
            region: '340104',
            since: '2026-03-02T00:00:00Z',
          }),
          'sampling:c1:father': JSON.stringify({
            clock: 'sampling',
            caseId: 'c1',
            region: '340104',
            since: '2026-03-01T00:00:00Z',
            subject: 'father',
          }),
          broken: 'not json',
        },
      }),
      NOW,
      72,
    );
    expect(board.clocks).toEqual({
      overdue: 2,
      byClock: { team: 1, sampling: 1, 'rescued-not-placed': 0, 'identified-not-returned': 0 },
      list: [
        {
          clock: 'sampling',
          caseId: 'c1',
          region: '340104',
          since: '2026-03-01T00:00:00Z',
          subject: 'father',
        },
        { clock: 'team', caseId: 'c2', region: '340104', since: '2026-03-02T00:00:00Z' },
      ],
    });
    expect(buildBoard(raw(), NOW, 72).clocks.overdue).toBe(0);
  });
});

describe('units on the board', () => {
  const unit = (region: string, lat = 31.8, lon = 117.2) =>
    JSON.stringify({ kind: 'hospital', region, lat, lon });
  const alert = (
    alertId: string,
    status: string,
    units: { notified?: string[]; acknowledged?: string[]; failed?: string[] },
  ) => ({
    alertId,
    hash: {
      status,
      caseId: 'c1',
      region: '340104',
      lat: '31.8',
      lon: '117.2',
      radiusKm: '100',
      issuedAt: '2026-03-01T00:00:00Z',
    },
    steps: [],
    timeline: [],
    units: { notified: [], acknowledged: [], failed: [], ...units },
  });

  it('colours each unit by where it stands for the active alerts: acknowledged, notified, not reached, not targeted', () => {
    const board = buildBoard(
      raw({
        units: {
          u1: unit('340104'),
          u2: unit('340104'),
          u3: unit('340104'),
          u4: unit('340104'),
          u5: unit('340104'),
        },
        alerts: [
          // u1 acknowledged one alert and was only notified of the other: acknowledged wins.
          alert('a1', 'active', { notified: ['u1', 'u2', 'u3'], acknowledged: ['u1'], failed: [] }),
          alert('a2', 'active', { notified: ['u1'], failed: ['u3', 'u4'] }),
          // A cancelled alert no longer colours anyone.
          alert('a3', 'cancelled', { notified: ['u5'], acknowledged: ['u5'] }),
        ],
      }),
      NOW,
      48,
    );
    expect(board.units.list.map((u) => [u.unitId, u.status])).toEqual([
      ['u1', 'acknowledged'],
      ['u2', 'notified'],
      ['u3', 'notified'],
      ['u4', 'failed'],
      ['u5', 'not-targeted'],
    ]);
    expect(board.units.byStatus).toEqual({ acknowledged: 1, notified: 2, failed: 1, 'not-targeted': 1 });
    expect(board.units.list[0]).toEqual({
      unitId: 'u1',
      kind: 'hospital',
      region: '340104',
      lat: 31.8,
      lon: 117.2,
      status: 'acknowledged',
    });
  });

  it('lists only the units of the caller’s region, and none before any was projected', () => {
    const units = { hf: unit('340104'), wh: unit('340202'), bb: unit('340302') };
    const hefei = buildBoard(raw({ units }), NOW, 48, (r) => r.startsWith('3401'));
    expect(hefei.units).toMatchObject({ total: 1, list: [{ unitId: 'hf' }] });
    expect(buildBoard(raw({ units }), NOW, 48).units.total).toBe(3);
    expect(buildBoard(raw(), NOW, 48).units).toEqual({
      total: 0,
      byStatus: { acknowledged: 0, notified: 0, failed: 0, 'not-targeted': 0 },
      list: [],
    });
  });
});
