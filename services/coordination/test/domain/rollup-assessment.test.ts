import { contributionOf, type Ref, refNeeded, refsWritten } from '@homeward/figures';
import { describe, expect, it } from 'vitest';
import { assess } from '../../src/domain/assessment.ts';
import { dutiesOf } from '../../src/domain/duties.ts';
import { COUNTERS, type FigureRow, sumRows } from '../../src/domain/figures.ts';
import { childOf } from '../../src/domain/hierarchy.ts';
import { recordSteps, type SupervisedRecord } from '../../src/domain/records.ts';
import { buildRollup, type RollupNode } from '../../src/domain/rollup.ts';
import { ANHUI, DEFAULT_LIMITS, HEFEI, LUYANG, SHUSHAN, seededYear } from '../scenario.ts';

/** Figures of the seeded year, folded as the handler does. */
function figures(): FigureRow[] {
  const refs = new Map<string, Ref>();
  const rows = new Map<string, FigureRow>();
  for (const e of seededYear()) {
    for (const r of refsWritten(e)) refs.set(r._id, r);
    const id = refNeeded(e);
    const c = contributionOf(e, id ? refs.get(id) : undefined, 480);
    if (!c) continue;
    const k = `${c.year}|${c.region}|${c.department}`;
    const row: FigureRow = rows.get(k) ?? {
      year: c.year,
      region: c.region,
      department: c.department,
      counts: {},
    };
    for (const [n, v] of Object.entries(c.counts))
      row.counts[n as keyof typeof row.counts] = (row.counts[n as keyof typeof row.counts] ?? 0) + v;
    rows.set(k, row);
  }
  return [...rows.values()];
}

function reconciles(n: RollupNode): void {
  for (const c of COUNTERS)
    expect(n.platform[c], `${n.region} ${c}`).toBe(
      n.children.reduce((s, k) => s + k.platform[c], n.direct[c]),
    );
  n.children.forEach(reconciles);
}

describe('the platform’s figures', () => {
  it('place every event of the seeded year in its county, by department', () => {
    const rows = figures();
    expect(rows.every((r) => r.year === 2026 && (r.region === SHUSHAN || r.region === LUYANG))).toBe(true);
    const shushanPolice = sumRows(rows, (r) => r.region === SHUSHAN && r.department === 'police');
    expect(shushanPolice).toMatchObject({
      casesOpened: 3,
      reportsReceived: 3,
      teamsAssigned: 2,
      childrenRescued: 1,
      samplesCollected: 2,
    });
    const luyang = sumRows(rows, (r) => r.region === LUYANG);
    expect(luyang).toMatchObject({
      casesOpened: 3,
      casesClosed: 1,
      matchesConfirmed: 1,
      followupsOverdue: 1,
      'placements:civil-affairs-institution': 1,
    });
    expect(sumRows(rows, (r) => r.region === SHUSHAN)['placements:return-to-family']).toBe(1);
  });
});

describe('the roll-up', () => {
  it('a prefecture’s figures are its counties’ sum; the province sees the whole tree', () => {
    const rows = figures();
    const prefecture = buildRollup(HEFEI, rows, []);
    expect(prefecture.children.map((c) => c.region)).toEqual([LUYANG, SHUSHAN]);
    reconciles(prefecture);
    const province = buildRollup(ANHUI, rows, []);
    expect(province.children.map((c) => c.region)).toEqual([HEFEI]);
    expect(province.children[0]!.children.map((c) => c.region)).toEqual([LUYANG, SHUSHAN]);
    expect(province.platform).toEqual(prefecture.platform);
    reconciles(province);
    const country = buildRollup('000000', rows, []);
    expect([country.level, country.children.map((c) => c.region)]).toEqual(['national', [ANHUI]]);
    reconciles(country);
  });

  it('keeps what is recorded at a division’s own code in `direct`, so it still reconciles', () => {
    const rows: FigureRow[] = [
      { year: 2026, region: HEFEI, department: 'police', counts: { casesOpened: 2 } },
      { year: 2026, region: SHUSHAN, department: 'police', counts: { casesOpened: 1 } },
      { year: 2026, region: '340200', department: 'police', counts: { casesOpened: 9 } },
    ];
    const n = buildRollup(HEFEI, rows, []);
    expect(n.direct.casesOpened).toBe(2);
    expect(n.platform.casesOpened).toBe(3);
    reconciles(n);
  });

  it('puts submissions beside the figures of their own division', () => {
    const own = { publicityCampaigns: 1, trainingSessions: 2, peopleScreened: 3 };
    const s = (region: string, agencyId: string, role: string) => ({
      submissionId: `2026:${region}:${agencyId}`,
      agencyId,
      role,
      region,
      status: 'submitted',
      version: 1,
      submittedAt: '2027-01-10T00:00:00Z',
      late: false,
      own,
    });
    const n = buildRollup(HEFEI, figures(), [
      s(SHUSHAN, 'shushan-psb', 'police'),
      s(LUYANG, 'luyang-psb', 'police'),
      s(HEFEI, 'hefei-office', 'coordination-office'),
    ]);
    expect(n.submissions.map((x) => x.agencyId)).toEqual(['hefei-office']);
    expect(n.children.map((c) => c.submissions.map((x) => x.agencyId))).toEqual([
      ['luyang-psb'],
      ['shushan-psb'],
    ]);
    expect(n.children[0]!.ownTotals).toEqual(own);
  });

  it('names the division one level down', () => {
    expect(childOf(ANHUI, SHUSHAN)).toBe(HEFEI);
    expect(childOf(HEFEI, SHUSHAN)).toBe(SHUSHAN);
    expect(childOf(HEFEI, HEFEI)).toBe(HEFEI);
    expect(childOf(HEFEI, '340200')).toBeUndefined();
    expect(childOf(SHUSHAN, SHUSHAN)).toBe(SHUSHAN);
    expect(childOf('000000', SHUSHAN)).toBe(ANHUI);
    expect(childOf('000000', '110101')).toBe('110000');
  });
});

describe('the assessment', () => {
  const records = () => {
    const m = new Map<string, SupervisedRecord>();
    for (const e of seededYear()) for (const s of recordSteps(e)) m.set(s.id, s.apply(m.get(s.id) ?? null));
    return [...m.values()].flatMap((r) => dutiesOf(r, DEFAULT_LIMITS, 480));
  };
  const NOW = new Date('2027-01-10T00:00:00Z');

  it('ranks the counties with the raw numbers beside every score', () => {
    const a = assess(2026, HEFEI, records(), NOW, 480);
    expect(a.regions.map((r) => [r.rank, r.region])).toEqual([
      [1, SHUSHAN],
      [2, LUYANG],
    ]);
    // Shushan: three duties at 2 of 3, custody 5 of 6, the rest whole: (3 × 66.7 + 83.3 + 3 × 100) / 7.
    expect(a.regions[0]!.score).toBe(83.3);
    // Luyang: four duties whole, placement 1 of 2, return and follow-up 0: (4 × 100 + 50) / 7.
    expect(a.regions[1]!.score).toBe(64.3);
    const luyang = a.regions[1]!;
    expect(luyang.duties.placement).toEqual({ due: 2, onTime: 1, late: 0, missed: 1, rate: 50 });
    expect(luyang.duties['return-to-family']).toEqual({ due: 1, onTime: 0, late: 0, missed: 1, rate: 0 });
    expect(luyang.duties.followup).toEqual({ due: 1, onTime: 0, late: 0, missed: 1, rate: 0 });
    const shushan = a.regions[0]!;
    expect(shushan.duties['special-team']).toEqual({ due: 3, onTime: 2, late: 0, missed: 1, rate: 66.7 });
    expect(shushan.duties['custody-step'].missed).toBe(1);
    expect(shushan.totals.missed).toBe(4);
    expect(luyang.totals.missed).toBe(3);
    // The score is the mean of the rates of the duties that fell due.
    const rates = Object.values(shushan.duties).flatMap((t) => (t.rate === null ? [] : [t.rate]));
    expect(shushan.score).toBe(Math.round((rates.reduce((x, y) => x + y, 0) / rates.length) * 10) / 10);
  });

  it('ranks departments within each county', () => {
    const a = assess(2026, HEFEI, records(), NOW, 480);
    const rows = a.departments.map((r) => `${r.region} ${r.department} ${r.totals.missed}`);
    expect(rows).toContain(`${LUYANG} civil-affairs 2`);
    expect(rows).toContain(`${LUYANG} health 1`);
    expect(rows).toContain(`${SHUSHAN} police 4`);
    expect(a.departments.map((r) => r.rank)).toEqual(a.departments.map((_, i) => i + 1));
  });

  it('counts only duties that fell due in the year and by now', () => {
    expect(assess(2025, HEFEI, records(), NOW, 480).regions).toEqual([]);
    const early = assess(2026, HEFEI, records(), new Date('2026-03-01T00:00:00Z'), 480);
    expect(early.regions.reduce((n, r) => n + r.totals.due, 0)).toBeLessThan(
      assess(2026, HEFEI, records(), NOW, 480).regions.reduce((n, r) => n + r.totals.due, 0),
    );
  });
});
