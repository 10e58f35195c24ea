import type { ReportLayout } from './report-view.ts';

/** One RFC 4180 cell: quoted when it holds a comma, a quote or a line break. */
export function csvCell(v: string | number): string {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** RFC 4180 lines from rows of cells, CRLF-terminated. */
export function csvLines(rows: ReadonlyArray<ReadonlyArray<string | number>>): string {
  return `${rows.map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

/** A submission as CSV: `section,field,value` lines (facts, platform, own, narrative, reviews). */
export function reportCsv(r: ReportLayout): string {
  return csvLines([
    ['section', 'field', 'value'],
    ...r.facts.map(([k, v]) => ['submission', k, v]),
    ...r.platform.map((p) => ['platform', p.key, p.value]),
    ...r.own.map((o) => ['own', o.key, o.value]),
    ['narrative', 'text', r.narrative],
    ...r.reviews.map((v) => ['review', `v${v.version} ${v.kind} ${v.at} by ${v.by}`, v.comment]),
  ]);
}
