import {
  CancelReasons,
  FollowupOwners,
  type FollowupType,
  type HomewardEvent,
  PlacementTypes,
} from '@homeward/events';
import type { Ref } from './refs.ts';
import { regionMatches } from './regions.ts';
import {
  AGE_BUCKETS,
  type AgeBucket,
  VICTIM_COUNTERS,
  VICTIM_MEASURES,
  type VictimCounter,
  type VictimTable,
  victimCountsOf,
  victimTable,
} from './victim-counts.ts';

/** The counters of one department's year in one region (flat keys: stored as they are). */
export const COUNTERS = [
  'reportsReceived',
  'casesOpened',
  'casesClosed',
  'alertsIssued',
  ...CancelReasons.map((r) => `alertsEnded:${r}` as const),
  'childrenLocated',
  'childrenRescued',
  'samplesCollected',
  'matchesFound',
  'matchesConfirmed',
  'matchesRejected',
  ...PlacementTypes.map((t) => `placements:${t}` as const),
  'followupsScheduled',
  'followupsCompleted',
  'followupsOverdue',
] as const;
export type Counter = (typeof COUNTERS)[number];

/** The department that answers for each follow-up kind: the contract's owners. */
const FOLLOWUP_DEPARTMENT = FollowupOwners;

/** What one event adds to one (year, region, department) row. */
export interface Contribution {
  year: number;
  region: string;
  department: string;
  counts: Partial<Record<Counter | VictimCounter, number>>;
  /** Milliseconds from the report (case opened) to the child located. */
  reportToLocatedMs?: number;
}

export const UNKNOWN_REGION = 'unknown';

/** The calendar year of a time, in the report's calendar (minutes east of UTC). */
export function yearOf(time: string, utcOffsetMinutes: number): number {
  return new Date(Date.parse(time) + utcOffsetMinutes * 60_000).getUTCFullYear();
}

/**
 * What an event adds to the annual report. Regions are the case's (or alert's, sample's,
 * follow-up's) region; departments are the role that answers for the figure: the reporting
 * agency's role for reports and cases opened, police for cases closed, alerts, located and
 * rescued children, the collecting agency's role for samples, DNA labs for matches, civil
 * affairs for placements, and education, health or civil affairs for follow-ups by kind.
 * Reports received count reports that intake accepted (a case opened or a lead added), so
 * reports sent over HTTP and over Kafka count alike and refused ones do not.
 */
export function contributionOf(
  event: HomewardEvent,
  ref: Ref | undefined,
  utcOffsetMinutes: number,
  caseRefForVictims?: Ref,
): Contribution | undefined {
  const c = figuresOf(event, ref, utcOffsetMinutes);
  const victims = victimCountsOf(
    event,
    event.type === 'homeward.case.child-rescued' ? ref : caseRefForVictims,
  );
  if (Object.keys(victims).length === 0) return c;
  // Victims rescued (victims-rescued), placed and employed count in the row of the event's department.
  const base = c ?? {
    year: yearOf(timeOf(event), utcOffsetMinutes),
    region: ref?.region ?? ((event.data as { region?: string }).region || UNKNOWN_REGION),
    department: 'police',
    counts: {},
  };
  return { ...base, counts: { ...base.counts, ...victims } };
}

/** When a victims event happened (the one type with victim counts and no other figure). */
function timeOf(event: HomewardEvent): string {
  const d = event.data as { rescuedAt?: string };
  return d.rescuedAt ?? event.time ?? new Date(0).toISOString();
}

/** The figures of the department rows, without the victim counts. */
function figuresOf(
  event: HomewardEvent,
  ref: Ref | undefined,
  utcOffsetMinutes: number,
): Contribution | undefined {
  // biome-ignore lint/suspicious/noExplicitAny: each branch reads the fields its type's schema guarantees
  const d = event.data as Record<string, any>;
  const row = (
    time: string,
    region: string | undefined,
    department: string,
    counts: Contribution['counts'],
  ) => ({
    year: yearOf(time, utcOffsetMinutes),
    region: region ?? UNKNOWN_REGION,
    department,
    counts,
  });
  switch (event.type) {
    case 'homeward.case.opened':
      return row(d.openedAt, d.region, d.reportedBy.role, { reportsReceived: 1, casesOpened: 1 });
    case 'homeward.case.lead-added':
      return row(d.addedAt, ref?.region ?? d.seenAt.region, d.reportedBy.role, { reportsReceived: 1 });
    case 'homeward.case.closed':
      return row(d.closedAt, ref?.region, 'police', { casesClosed: 1 });
    case 'homeward.case.child-located': {
      const c = row(d.locatedAt, ref?.region ?? d.region, 'police', { childrenLocated: 1 });
      const elapsed = ref?.openedAt ? Date.parse(d.locatedAt) - Date.parse(ref.openedAt) : Number.NaN;
      return Number.isFinite(elapsed) && elapsed >= 0 ? { ...c, reportToLocatedMs: elapsed } : c;
    }
    case 'homeward.case.child-rescued':
      // One event may name several children (the twin of a raid's victims-rescued).
      return row(d.rescuedAt, ref?.region ?? d.region, 'police', {
        childrenRescued: Array.isArray(d.victimIds) ? d.victimIds.length : 1,
      });
    case 'homeward.alert.issued':
      return row(d.issuedAt, d.region, 'police', { alertsIssued: 1 });
    case 'homeward.alert.cancelled':
      return row(d.cancelledAt, ref?.region, 'police', { [`alertsEnded:${d.reason}`]: 1 });
    case 'homeward.dna.sample-collected':
      return row(d.collectedAt, d.region, d.collectedBy.role, { samplesCollected: 1 });
    case 'homeward.dna.match-found':
      return row(d.foundAt, ref?.region, 'dna-lab', { matchesFound: 1 });
    case 'homeward.dna.match-confirmed':
      return row(d.confirmedAt, ref?.region, 'dna-lab', { matchesConfirmed: 1 });
    case 'homeward.dna.match-rejected':
      return row(d.rejectedAt, ref?.region, 'dna-lab', { matchesRejected: 1 });
    case 'homeward.placement.decided':
      // A revision changes a decision already counted; only the first decision is a placement.
      return d.revision === 1
        ? row(d.decidedAt, d.region, 'civil-affairs', { [`placements:${d.type}`]: 1 })
        : undefined;
    case 'homeward.followup.scheduled':
      return row(
        `${d.dueDate}T12:00:00Z`,
        d.region,
        FOLLOWUP_DEPARTMENT[d.type as FollowupType] ?? 'civil-affairs',
        {
          followupsScheduled: 1,
        },
      );
    case 'homeward.followup.completed':
      return row(d.completedAt, ref?.region, FOLLOWUP_DEPARTMENT[d.type as FollowupType] ?? 'civil-affairs', {
        followupsCompleted: 1,
      });
    case 'homeward.followup.overdue':
      return row(d.detectedAt, ref?.region, FOLLOWUP_DEPARTMENT[d.type as FollowupType] ?? 'civil-affairs', {
        followupsOverdue: 1,
      });
    default:
      return undefined;
  }
}

/** One stored row of the annual aggregate. */
export interface AnnualRowData {
  year: number;
  region: string;
  department: string;
  counts: Partial<Record<Counter | VictimCounter, number>>;
  reportToLocatedMs: number[];
}

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
  const cells = (l: AnnualLine) =>
    [
      ...COUNTERS.map((c) => String(l.counts[c])),
      l.medianReportToLocatedHours === null ? '–' : String(l.medianReportToLocatedHours),
    ]
      .map((v) => `<td>${escapeHtml(v)}</td>`)
      .join('');
  const rows = report.lines
    .map((l) => `<tr><th>${escapeHtml(l.region)}</th><th>${escapeHtml(l.department)}</th>${cells(l)}</tr>`)
    .join('\n');
  const total = `<tr class="total"><th>${escapeHtml(report.region ?? 'all')}</th><th>all</th>${cells({
    region: '',
    department: '',
    counts: report.totals.counts,
    medianReportToLocatedHours: report.totals.medianReportToLocatedHours,
  })}</tr>`;
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

const AGE_LABELS: Record<AgeBucket, string> = {
  'under-14': 'under 14',
  '14-17': '14–17',
  '18-and-over': '18 and over',
  'age-unknown': 'age unknown',
};

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
