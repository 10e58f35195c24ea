import { memo, useState } from 'react';
import type { LogRow } from './api.ts';
import { formatTime, zoneLabel } from './time.ts';
import type { StreamFilter } from './use-event-stream.ts';

const TYPE_CHOICES = [
  ['', 'all events'],
  ['homeward.report.', 'reports'],
  ['homeward.case.', 'cases'],
  ['homeward.alert.', 'alerts'],
  ['homeward.notification.', 'notifications'],
  ['homeward.dna.', 'DNA'],
  ['homeward.placement.,homeward.followup.', 'placements & follow-ups'],
] as const;

const Row = memo(function Row({ row }: { row: LogRow }) {
  // Times in the deployment's zone, whatever the browser's.
  const time = formatTime(row.time);
  const type = row.type.replace('homeward.', '');
  return (
    <div className="log-row" data-testid="event-row" data-type={row.type} data-case-id={row.caseId ?? ''}>
      <span className="log-time">{time}</span>
      <span className={`log-type t-${row.type.split('.')[1] ?? 'x'}`} title={type}>
        {type}
      </span>
      <span className="log-region" title={row.region ?? ''}>
        {row.region ?? ''}
      </span>
      <span className="log-summary" title={JSON.stringify(row.data)}>
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
      <div className="log" data-testid="event-log" role="log" aria-live="off">
        {newestFirst.map((r) => (
          <Row key={r.streamId} row={r} />
        ))}
      </div>
    </section>
  );
}
