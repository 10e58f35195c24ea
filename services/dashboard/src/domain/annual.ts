import {
  AGE_BUCKETS,
  AGE_LABELS,
  COUNTERS as FIGURE_COUNTERS,
  type Counter as FigureCounter,
  type FigureKey,
  type FigureRow,
  VICTIM_COUNTERS,
  VICTIM_MEASURES,
  type VictimCounter,
  type VictimTable,
  victimTable,
} from '@homeward/figures';
import { regionMatches } from './regions.ts';

/** A counter of the annual report: the platform's figures but special teams (see {@link reported}). */
export type Counter = Exclude<FigureCounter, 'teamsAssigned'>;

/** The counters of one department's year in one region, in the report's column order. */
export const COUNTERS = FIGURE_COUNTERS.filter((c): c is Counter => c !== 'teamsAssigned');

/**
 * What the dashboard's ledger keeps of a contribution: everything but special teams assigned,
 * which its report has never had a column for (the CSV is read by position, so a new column
 * would move the ones after it); the coordination offices' figures count them.
 */
export const reported = (key: FigureKey): boolean => key !== 'teamsAssigned';

/** One stored row of the annual aggregate: the ledger's rows. */
export type AnnualRowData = FigureRow;

/** One line of the report: every counter, and the median time to located in hours. */
export interface AnnualLine {
  region: string;
  department: string;
  counts: Record<Counter, number>;
  medianReportToLocatedHours: number | null;
}

export interface AnnualReport {
  year: number;
  region: string | null;
  lines: AnnualLine[];
  totals: { counts: Record<Counter, number>; medianReportToLocatedHours: number | null };
  /**
   * Victims by measure, sex and age group (under 14, 14–17, 18 and over, or age unknown):
   * rescued, returned home, placed, in training, employed. Women count as women, never as children.
   */
  victims: VictimTable;
}

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const hours = (ms: number | null) => (ms === null ? null : Math.round((ms / 3_600_000) * 100) / 100);

function zeroCounts(): Record<Counter, number> {
  return Object.fromEntries(COUNTERS.map((c) => [c, 0])) as Record<Counter, number>;
}

/** Builds the report of a year (optionally one division and what lies within it). */
export function buildAnnualReport(
  year: number,
  region: string | undefined,
  rows: AnnualRowData[],
): AnnualReport {
  const selected = rows
    .filter((r) => r.year === year && (region === undefined || regionMatches(region, r.region)))
    .sort((a, b) => a.region.localeCompare(b.region) || a.department.localeCompare(b.department));
  const totals = zeroCounts();
  const victimTotals: Partial<Record<VictimCounter, number>> = {};
  const allDurations: number[] = [];
  const lines = selected.map((r) => {
    const counts = zeroCounts();
    for (const c of COUNTERS) {
      counts[c] = r.counts[c] ?? 0;
      totals[c] += counts[c];
    }
    for (const v of VICTIM_COUNTERS) if (r.counts[v]) victimTotals[v] = (victimTotals[v] ?? 0) + r.counts[v]!;
    allDurations.push(...r.reportToLocatedMs);
    return {
      region: r.region,
      department: r.department,
      counts,
      medianReportToLocatedHours: hours(median(r.reportToLocatedMs)),
    };
  });
  return {
    year,
    region: region ?? null,
    lines,
    totals: { counts: totals, medianReportToLocatedHours: hours(median(allDurations)) },
    victims: victimTable(victimTotals),
  };
}

const CSV_HEADER = ['year', 'region', 'department', ...COUNTERS, 'medianReportToLocatedHours'];

function csvCell(v: string | number | null): string {
  const s = v === null ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** RFC 4180 CSV: a header, one line per region and department, then a total line. */
export function annualReportCsv(report: AnnualReport): string {
  const out = [CSV_HEADER.join(',')];
  for (const l of report.lines)
    out.push(
      [report.year, l.region, l.department, ...COUNTERS.map((c) => l.counts[c]), l.medianReportToLocatedHours]
        .map(csvCell)
        .join(','),
    );
  out.push(
    [
      report.year,
      report.region ?? 'all',
      'all',
      ...COUNTERS.map((c) => report.totals.counts[c]),
      report.totals.medianReportToLocatedHours,
    ]
      .map(csvCell)
      .join(','),
  );
  return `${out.join('\r\n')}\r\n`;
}

const escapeHtml = (s: string) =>
  s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

/** A printable page: one table per figure group, A4 landscape, no script. */
export function annualReportHtml(report: AnnualReport): string {
  const head = ['Region', 'Department', ...COUNTERS, 'Median hours report → located'];
  const cells = ({ counts, medianReportToLocatedHours: hours }: Omit<AnnualLine, 'region' | 'department'>) =>
    [...COUNTERS.map((c) => String(counts[c])), hours === null ? '–' : String(hours)]
      .map((v) => `<td>${escapeHtml(v)}</td>`)
      .join('');
  const rows = report.lines
    .map((l) => `<tr><th>${escapeHtml(l.region)}</th><th>${escapeHtml(l.department)}</th>${cells(l)}</tr>`)
    .join('\n');
  const total = `<tr class="total"><th>${escapeHtml(report.region ?? 'all')}</th><th>all</th>${cells(report.totals)}</tr>`;
  const title = `Homeward annual report ${report.year}${report.region ? ` — region ${report.region}` : ''}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>
@page { size: A4 landscape; margin: 12mm; }
body { font: 11px/1.4 system-ui, sans-serif; color: #111; }
h1 { font-size: 18px; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #999; padding: 2px 4px; text-align: right; }
th { text-align: left; background: #f2f2f2; }
thead th { writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap; }
tr.total th, tr.total td { font-weight: bold; border-top: 2px solid #111; }
</style></head>
<body><h1>${escapeHtml(title)}</h1>
<p>Per region and department: reports received, cases opened and closed, alerts issued and how they ended, children located and rescued, DNA samples and matches, placements by type, follow-ups.</p>
<table><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead>
<tbody>
${rows}
${total}
</tbody></table>
${victimsHtml(report.victims)}</body></html>`;
}

/** The victims table: one row per sex and age group, one column per measure. */
function victimsHtml(t: VictimTable): string {
  const rows = (['female', 'male', 'unknown'] as const).flatMap((sex) =>
    AGE_BUCKETS.map(
      (age) =>
        `<tr><th>${sex}</th><th>${escapeHtml(AGE_LABELS[age])}</th>${VICTIM_MEASURES.map(
          (m) => `<td>${t[m][sex][age]}</td>`,
        ).join('')}</tr>`,
    ),
  );
  return `<h2>Victims by sex and age group</h2>
<table class="victims"><tr><th>Sex</th><th>Age group</th>${VICTIM_MEASURES.map((m) => `<th>${escapeHtml(m)}</th>`).join('')}</tr>
${rows.join('\n')}
</table>`;
}
