import { describe, expect, it } from 'vitest';
import { assess } from '../../src/domain/assessment.ts';
import type { Duty, DutyInstance } from '../../src/domain/duties.ts';
import { ANHUI, HEFEI, LUYANG, SHUSHAN } from '../scenario.ts';

/** One duty, due at `dueAt`, done at `doneAt` (or not done). */
function duty(
  over: Partial<DutyInstance> & { dueAt: string },
  doneAt?: string,
  kind: Duty = 'report-acted-on',
): DutyInstance {
  return {
    duty: kind,
    region: SHUSHAN,
    department: 'police',
    record: { kind: 'case', id: over.record?.id ?? 'C' },
    ...(doneAt ? { doneAt } : {}),
    ...over,
  };
}

const NOW = new Date('2026-12-01T00:00:00Z');
const DUE = '2026-06-01T00:00:00Z';

describe('what the assessment counts', () => {
  it('done by the deadline is on time, to the millisecond; a millisecond later is late; not done is missed', () => {
    const a = assess(
      2026,
      HEFEI,
      [
        duty({ dueAt: DUE }, DUE),
        duty({ dueAt: DUE }, '2026-06-01T00:00:00.001Z'),
        duty({ dueAt: DUE }, '2026-05-01T00:00:00Z'),
        duty({ dueAt: DUE }),
      ],
      NOW,
      480,
    );
    expect(a.regions).toHaveLength(1);
    expect(a.regions[0]!.duties['report-acted-on']).toEqual({
      due: 4,
      onTime: 2,
      late: 1,
      missed: 1,
      rate: 50,
    });
    expect(a.regions[0]!.totals).toEqual({ due: 4, onTime: 2, late: 1, missed: 1 });
    expect(a.regions[0]!.score).toBe(50);
  });

  it('a duty falling due at this very moment counts; one due a millisecond later does not yet', () => {
    const at = assess(2026, HEFEI, [duty({ dueAt: NOW.toISOString() })], NOW, 480);
    expect(at.regions[0]!.totals.missed).toBe(1);
    const later = assess(2026, HEFEI, [duty({ dueAt: '2026-12-01T00:00:00.001Z' })], NOW, 480);
    expect(later.regions).toEqual([]);
    expect(later.departments).toEqual([]);
  });

  it('a duty a closed case no longer calls for is not counted at all', () => {
    const a = assess(2026, HEFEI, [duty({ dueAt: DUE, void: true }), duty({ dueAt: DUE }, DUE)], NOW, 480);
    expect(a.regions[0]!.totals).toEqual({ due: 1, onTime: 1, late: 0, missed: 0 });
  });

  it('counts a duty in the year of the reports’ calendar it fell due in', () => {
    // 31 December 2025 17:00 UTC is 1 January 2026 01:00 in China.
    const newYear = duty({ dueAt: '2025-12-31T17:00:00Z' });
    expect(assess(2026, HEFEI, [newYear], NOW, 480).regions[0]!.totals.due).toBe(1);
    expect(assess(2025, HEFEI, [newYear], NOW, 480).regions).toEqual([]);
    expect(assess(2025, HEFEI, [newYear], NOW, 0).regions[0]!.totals.due).toBe(1);
  });

  it('only duties below the root count, each under its division one level down or the root’s own code', () => {
    const a = assess(
      2026,
      HEFEI,
      [
        duty({ dueAt: DUE, region: SHUSHAN }),
        duty({ dueAt: DUE, region: HEFEI }, DUE),
        duty({ dueAt: DUE, region: '320102' }),
        duty({ dueAt: DUE, region: ANHUI }),
      ],
      NOW,
      480,
    );
    expect(a.regions.map((r) => [r.region, r.totals.due])).toEqual([
      [HEFEI, 1],
      [SHUSHAN, 1],
    ]);
    // A province sees its prefectures.
    const province = assess(2026, ANHUI, [duty({ dueAt: DUE, region: SHUSHAN })], NOW, 480);
    expect(province.regions.map((r) => r.region)).toEqual([HEFEI]);
  });

  it('says which year, below which region and as of when', () => {
    const a = assess(2026, HEFEI, [], NOW, 480);
    expect(a).toEqual({ year: 2026, region: HEFEI, asOf: NOW.toISOString(), regions: [], departments: [] });
  });
});

describe('scores', () => {
  it('are the mean of the on-time rates of the duties that fell due, to one decimal; a duty with none due has no rate', () => {
    const a = assess(
      2026,
      HEFEI,
      [
        // report-acted-on: 1 of 3 on time (33.3); special-team: 1 of 1 (100); nothing else due.
        duty({ dueAt: DUE }, DUE),
        duty({ dueAt: DUE }),
        duty({ dueAt: DUE }),
        duty({ dueAt: DUE }, DUE, 'special-team'),
      ],
      NOW,
      480,
    );
    const row = a.regions[0]!;
    expect(row.duties['report-acted-on'].rate).toBe(33.3);
    expect(row.duties['special-team'].rate).toBe(100);
    expect(row.duties.placement).toEqual({ due: 0, onTime: 0, late: 0, missed: 0, rate: null });
    expect(row.duties.followup.rate).toBeNull();
    expect(row.score).toBe(66.7);
    expect(row.totals).toEqual({ due: 4, onTime: 2, late: 0, missed: 2 });
  });

  it('rounds rates half up to one decimal (2 of 3 is 66.7, 1 of 8 is 12.5)', () => {
    const eight = [duty({ dueAt: DUE }, DUE), ...Array.from({ length: 7 }, () => duty({ dueAt: DUE }))];
    expect(assess(2026, HEFEI, eight, NOW, 480).regions[0]!.duties['report-acted-on'].rate).toBe(12.5);
    const three = [duty({ dueAt: DUE }, DUE), duty({ dueAt: DUE }, DUE), duty({ dueAt: DUE })];
    expect(assess(2026, HEFEI, three, NOW, 480).regions[0]!.score).toBe(66.7);
  });

  it('a row where everything due was done late scores 0, not nothing', () => {
    const row = assess(2026, HEFEI, [duty({ dueAt: DUE }, '2026-07-01T00:00:00Z')], NOW, 480).regions[0]!;
    expect(row.score).toBe(0);
    expect(row.totals).toEqual({ due: 1, onTime: 0, late: 1, missed: 0 });
  });
});

describe('the ranking', () => {
  it('best score first; equal scores by fewer missed, then by region code', () => {
    const a = assess(
      2026,
      HEFEI,
      [
        // Luyang: 0% (one missed). Shushan: 0% (two missed). Hefei itself: 100%. 340102: 0% (one missed).
        duty({ dueAt: DUE, region: LUYANG }),
        duty({ dueAt: DUE, region: SHUSHAN }),
        duty({ dueAt: DUE, region: SHUSHAN }),
        duty({ dueAt: DUE, region: HEFEI }, DUE),
        duty({ dueAt: DUE, region: '340102' }),
      ],
      NOW,
      480,
    );
    expect(a.regions.map((r) => [r.rank, r.region, r.score, r.totals.missed])).toEqual([
      [1, HEFEI, 100, 0],
      [2, '340102', 0, 1],
      [3, LUYANG, 0, 1],
      [4, SHUSHAN, 0, 2],
    ]);
  });

  it('a division where nothing counted fell due has no row; late is not missed when ranking equal scores', () => {
    const a = assess(
      2026,
      HEFEI,
      [
        duty({ dueAt: DUE, region: LUYANG }),
        // Shushan's only duty is void: Shushan has no row (so no row is without a score).
        duty({ dueAt: DUE, region: SHUSHAN, void: true }),
      ],
      NOW,
      480,
    );
    expect(a.regions.map((r) => r.region)).toEqual([LUYANG]);
    const b = assess(
      2026,
      HEFEI,
      [duty({ dueAt: DUE, region: LUYANG }), duty({ dueAt: DUE, region: SHUSHAN }, '2026-07-01T00:00:00Z')],
      NOW,
      480,
    );
    // Both score 0; Luyang has one missed, Shushan none (late is not missed).
    expect(b.regions.map((r) => [r.region, r.score, r.totals.missed])).toEqual([
      [SHUSHAN, 0, 0],
      [LUYANG, 0, 1],
    ]);
  });

  it('departments are ranked within the division, by score then department name', () => {
    const a = assess(
      2026,
      HEFEI,
      [
        duty({ dueAt: DUE, department: 'police' }),
        duty({ dueAt: DUE, department: 'health', duty: 'followup' }),
        duty({ dueAt: DUE, department: 'civil-affairs', duty: 'placement' }, DUE),
        duty({ dueAt: DUE, department: 'education', duty: 'followup' }),
      ],
      NOW,
      480,
    );
    expect(a.departments.map((r) => [r.rank, r.region, r.department, r.score])).toEqual([
      [1, SHUSHAN, 'civil-affairs', 100],
      [2, SHUSHAN, 'education', 0],
      [3, SHUSHAN, 'health', 0],
      [4, SHUSHAN, 'police', 0],
    ]);
    expect(a.regions[0]!.department).toBeUndefined();
    expect(a.regions[0]!.duties.followup).toEqual({ due: 2, onTime: 0, late: 0, missed: 2, rate: 0 });
  });
});
