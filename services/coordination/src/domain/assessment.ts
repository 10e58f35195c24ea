import type { Role } from '@homeward/events';
import { localYear } from './deadlines.ts';
import { DUTIES, type Duty, type DutyInstance } from './duties.ts';
import { childOf } from './hierarchy.ts';

/** The raw numbers of one duty for one region or department in one year. */
export interface DutyTally {
  /** Duties that fell due in the year (up to now). */
  due: number;
  onTime: number;
  late: number;
  /** Due and still not done. */
  missed: number;
  /** onTime / due, in percent (one decimal), or null when nothing fell due. */
  rate: number | null;
}

export interface AssessmentRow {
  rank: number;
  region: string;
  department?: Role;
  /**
   * The mean of the rates of the duties that fell due, in percent (a row exists only where
   * something fell due, so there is always one).
   */
  score: number;
  duties: Record<Duty, DutyTally>;
  totals: Omit<DutyTally, 'rate'>;
}

export interface Assessment {
  year: number;
  region: string;
  asOf: string;
  regions: AssessmentRow[];
  departments: AssessmentRow[];
}

const pct = (n: number, d: number) => (d === 0 ? null : Math.round((n / d) * 1000) / 10);

function emptyTallies(): Record<Duty, DutyTally> {
  return Object.fromEntries(
    DUTIES.map((d) => [d, { due: 0, onTime: 0, late: 0, missed: 0, rate: null }]),
  ) as Record<Duty, DutyTally>;
}

function finish(rows: Map<string, Omit<AssessmentRow, 'rank' | 'score' | 'totals'>>): AssessmentRow[] {
  const scored = [...rows.values()].map((r) => {
    const totals = { due: 0, onTime: 0, late: 0, missed: 0 };
    const rates: number[] = [];
    for (const d of DUTIES) {
      const t = r.duties[d];
      t.rate = pct(t.onTime, t.due);
      if (t.rate !== null) rates.push(t.rate);
      totals.due += t.due;
      totals.onTime += t.onTime;
      totals.late += t.late;
      totals.missed += t.missed;
    }
    const score = Math.round((rates.reduce((a, b) => a + b, 0) / rates.length) * 10) / 10;
    return { ...r, score, totals };
  });
  // Best first; equal scores by fewer missed, then by region and department (a region's rows
  // have none, and no two of them share a region).
  scored.sort(
    (a, b) =>
      b.score - a.score ||
      a.totals.missed - b.totals.missed ||
      a.region.localeCompare(b.region) ||
      String(a.department).localeCompare(String(b.department)),
  );
  return scored.map((r, i) => ({ rank: i + 1, ...r }));
}

/**
 * The year's assessment below `root`: every duty that fell due in the year (in the reports'
 * calendar) and by now, counted on time, late or missed, per division one level down (the root
 * itself for what is recorded at its own code) and per department within each. Scores are the
 * mean on-time rate of the duties that fell due; every score stands beside its raw numbers.
 */
export function assess(
  year: number,
  root: string,
  duties: readonly DutyInstance[],
  now: Date,
  utcOffsetMinutes: number,
): Assessment {
  const regions = new Map<string, Omit<AssessmentRow, 'rank' | 'score' | 'totals'>>();
  const departments = new Map<string, Omit<AssessmentRow, 'rank' | 'score' | 'totals'>>();
  const cal = { utcOffsetMinutes };
  for (const d of duties) {
    if (d.void) continue;
    const due = Date.parse(d.dueAt);
    if (due > now.getTime() || localYear(cal, new Date(due)) !== year) continue;
    // The root itself for what is recorded at its own code (childOf says so), undefined outside.
    const region = childOf(root, d.region);
    if (region === undefined) continue;
    const byRegion = regions.get(region) ?? { region, duties: emptyTallies() };
    regions.set(region, byRegion);
    const key = `${region}|${d.department}`;
    const byDept = departments.get(key) ?? { region, department: d.department, duties: emptyTallies() };
    departments.set(key, byDept);
    for (const row of [byRegion, byDept]) {
      const t = row.duties[d.duty];
      t.due++;
      if (!d.doneAt) t.missed++;
      else if (Date.parse(d.doneAt) <= due) t.onTime++;
      else t.late++;
    }
  }
  return {
    year,
    region: root,
    asOf: now.toISOString(),
    regions: finish(regions),
    departments: finish(departments),
  };
}
