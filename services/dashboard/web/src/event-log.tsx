import { memo, type ReactNode, useLayoutEffect, useRef, useState } from 'react';
import type { LogRow } from './api.ts';
import { formatTime, zoneLabel } from './time.ts';
import type { StreamFilter } from './use-event-stream.ts';

const TYPE_CHOICES = [
  ['', 'all events'],
  ['homeward.report.', 'reports'],
  ['homeward.report.refused', 'refused reports'],
  ['homeward.case.', 'cases'],
  ['homeward.alert.', 'alerts'],
  ['homeward.notification.', 'notifications'],
  ['homeward.dna.', 'DNA'],
  ['homeward.placement.,homeward.followup.', 'placements & follow-ups'],
] as const;

/** The dashboard's view of a report intake refused (from intake's dead letter, not an event). */
export const REPORT_REFUSED = 'homeward.report.refused';

/** `source|id` of each report the rows say intake refused. */
export function refusedReports(rows: LogRow[]): Set<string> {
  const out = new Set<string>();
  for (const r of rows)
    if (r.type === REPORT_REFUSED)
      out.add(`${r.source}|${(r.data as { reportId?: string })?.reportId ?? r.id}`);
  return out;
}

const Row = memo(function Row({ row, refused }: { row: LogRow; refused: boolean }) {
  // Times in the deployment's zone, whatever the browser's.
  const time = formatTime(row.time);
  const type = row.type.replace('homeward.', '');
  return (
    <div
      className={refused ? 'log-row refused' : 'log-row'}
      data-testid="event-row"
      data-type={row.type}
      data-case-id={row.caseId ?? ''}
      data-refused={refused ? 'true' : undefined}
    >
      <span className="log-time">{time}</span>
      <span className={`log-type t-${row.type.split('.')[1] ?? 'x'}`} title={type}>
        {type}
      </span>
      <span className="log-region" title={row.region ?? ''}>
        {row.region ?? ''}
      </span>
      <span className="log-summary" title={JSON.stringify(row.data)}>
        {refused && row.type !== REPORT_REFUSED && <b className="refused-mark">refused by intake · </b>}
        {row.summary}
      </span>
    </div>
  );
});

export function EventLog(props: {
  rows: LogRow[];
  held: number;
  status: string;
  notice: string | undefined;
  filter: StreamFilter;
  onFilter: (f: StreamFilter) => void;
  paused: boolean;
  onPause: (p: boolean) => void;
}) {
  const [draft, setDraft] = useState(props.filter);
  const apply = (f: StreamFilter) => {
    setDraft(f);
    props.onFilter(f);
  };
  const newestFirst = props.rows.slice().reverse();
  // A report intake refused is marked wherever it shows: its own refusal, and the
  // report.submitted the page may have shown when it arrived.
  const refused = refusedReports(props.rows);
  return (
    <section className="panel log-panel" aria-label="Live events">
      <header>
        <h2>Live events</h2>
        <small className="muted" data-testid="time-zone">
          times {zoneLabel()}
        </small>
        <span className={`status s-${props.status}`} data-testid="stream-status">
          {props.status}
        </span>
        {props.notice && <span className="notice">{props.notice}</span>}
      </header>
      <form
        className="filters"
        onSubmit={(e) => {
          e.preventDefault();
          apply(draft);
        }}
      >
        <select
          aria-label="event type"
          data-testid="filter-type"
          value={draft.type}
          onChange={(e) => apply({ ...draft, type: e.target.value })}
        >
          {TYPE_CHOICES.map(([v, label]) => (
            <option key={v} value={v}>
              {label}
            </option>
          ))}
        </select>
        <input
          aria-label="region"
          data-testid="filter-region"
          placeholder="region (340000)"
          pattern="[1-8][0-9]{5}"
          value={draft.region}
          onChange={(e) => setDraft({ ...draft, region: e.target.value })}
        />
        <input
          aria-label="case id"
          data-testid="filter-case"
          placeholder="case id"
          value={draft.caseId}
          onChange={(e) => setDraft({ ...draft, caseId: e.target.value.trim() })}
        />
        <button type="submit" data-testid="filter-apply">
          Filter
        </button>
        <button type="button" data-testid="pause" onClick={() => props.onPause(!props.paused)}>
          {props.paused ? `Resume (${props.held} new)` : 'Pause'}
        </button>
      </form>
      <VirtualRows
        rows={newestFirst}
        render={(r) => (
          <Row
            key={r.streamId}
            row={r}
            refused={
              r.type === REPORT_REFUSED ||
              (r.type === 'homeward.report.submitted' && refused.has(`${r.source}|${r.id}`))
            }
          />
        )}
      />
    </section>
  );
}

/** Rows drawn beyond the visible ones, above and below, so a quick scroll shows no gap. */
const OVERSCAN = 10;

/**
 * The log as a virtual list: every row has the same height (one line, or two in a narrow
 * panel: see styles.css), so only the rows in view (and a few around them) are in the page,
 * however many the log holds; the scrollbar is the whole list's.
 */
function VirtualRows({ rows, render }: { rows: LogRow[]; render: (r: LogRow) => ReactNode }) {
  const box = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewHeight, setViewHeight] = useState(600);
  const [rowHeight, setRowHeight] = useState(18);
  // The row height follows the panel's width (one or two lines) and the font: measured.
  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    const measure = () => {
      setViewHeight(el.clientHeight);
      const first = el.querySelector<HTMLElement>('.log-row');
      if (first && first.offsetHeight > 0) setRowHeight(first.offsetHeight);
    };
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  useLayoutEffect(() => {
    const first = box.current?.querySelector<HTMLElement>('.log-row');
    if (first && first.offsetHeight > 0 && first.offsetHeight !== rowHeight) setRowHeight(first.offsetHeight);
  });
  const start = Math.max(0, Math.floor(scrollTop / rowHeight) - OVERSCAN);
  const end = Math.min(rows.length, Math.ceil((scrollTop + viewHeight) / rowHeight) + OVERSCAN);
  return (
    <div
      className="log"
      data-testid="event-log"
      role="log"
      aria-live="off"
      ref={box}
      onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
    >
      <div style={{ height: rows.length * rowHeight, position: 'relative' }}>
        <div style={{ position: 'absolute', top: start * rowHeight, left: 0, right: 0 }}>
          {rows.slice(start, end).map(render)}
        </div>
      </div>
    </div>
  );
}
