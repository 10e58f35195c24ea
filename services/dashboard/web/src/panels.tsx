import { useState } from 'react';
import { type AnnualReport, type Board, getJson, type ServiceHealth, withToken } from './api.ts';
import { count, usePage } from './pager.tsx';
import { formatDateTime } from './time.ts';

const STATUSES = ['open', 'team-assigned', 'located', 'rescued', 'closed'];
/** Rows a list shows at once; the pager under it goes through the rest. */
const PER_PAGE = 8;

export function CaseBoard({ board }: { board: Board | undefined }) {
  // Busiest regions first: with hundreds of cases over a province, the first page says where.
  const regions = (board?.cases.byRegion ?? [])
    .map((r) => ({ r, total: STATUSES.reduce((n, s) => n + Number(r[s] ?? 0), 0) }))
    .sort((a, b) => b.total - a.total || String(a.r.region).localeCompare(String(b.r.region)));
  const { rows, pager } = usePage(regions, PER_PAGE, 'case-board-pager');
  return (
    <section className="panel" aria-label="Cases">
      <h2>
        Cases followed now{' '}
        <span data-testid="cases-total">{board ? `(${count(board.cases.total)})` : ''}</span>
      </h2>
      <p className="figure-note" data-testid="cases-note">
        Every case this dashboard has followed, by its status now (closed ones included). The annual report
        counts events of a year instead.
      </p>
      <div className="chips">
        {STATUSES.map((s) => (
          <span key={s} className={`chip c-${s}`} data-testid={`cases-${s}`}>
            {s} <b>{count(board?.cases.byStatus[s])}</b>
          </span>
        ))}
      </div>
      <table className="compact fit" data-testid="case-board">
        <colgroup>
          <col style={{ width: '16%' }} />
          {STATUSES.map((s) => (
            <col key={s} style={{ width: STATUS_WIDTH[s] }} />
          ))}
          <col style={{ width: '13%' }} />
        </colgroup>
        <thead>
          <tr>
            <th>region</th>
            {STATUSES.map((s) => (
              <th key={s} title={s}>
                {STATUS_SHORT[s]}
              </th>
            ))}
            <th>all</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(({ r, total }) => (
            <tr key={String(r.region)}>
              <td>{r.region}</td>
              {STATUSES.map((s) => (
                <td key={s}>{count(Number(r[s] ?? 0))}</td>
              ))}
              <td>
                <b>{count(total)}</b>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {pager}
    </section>
  );
}

/** Each status column as wide as its head needs (the region 16%, the total 13%). */
const STATUS_WIDTH: Record<string, string> = {
  open: '12%',
  'team-assigned': '12%',
  located: '16%',
  rescued: '16%',
  closed: '15%',
};

/** Column heads short enough for a narrow panel (the whole status in a tooltip). */
const STATUS_SHORT: Record<string, string> = {
  open: 'open',
  'team-assigned': 'team',
  located: 'located',
  rescued: 'rescued',
  closed: 'closed',
};

const STEPS = ['collected', 'sealed', 'shipped', 'received', 'profiled', 'stored', 'destroyed'];

export function DnaPipeline({ board }: { board: Board | undefined }) {
  const max = Math.max(1, ...STEPS.map((s) => board?.dna.byStep[s] ?? 0));
  return (
    <section className="panel" aria-label="DNA pipeline">
      <h2>DNA pipeline</h2>
      <div className="bars">
        {STEPS.map((s) => {
          const n = board?.dna.byStep[s] ?? 0;
          return (
            <div key={s} className="bar-row">
              <span>{s}</span>
              <span className="bar" style={{ width: `${(n / max) * 100}%` }} />
              <b>{count(n)}</b>
            </div>
          );
        })}
      </div>
      <p>
        Overdue samples: <b data-testid="dna-overdue">{count(board?.dna.overdueCount)}</b> · Matches awaiting
        review: <b data-testid="dna-awaiting">{count(board?.dna.awaitingReviewCount)}</b>
      </p>
      <ul className="list fit-list">
        {board?.dna.awaitingReview.slice(0, PER_PAGE).map((m) => (
          <li key={m.matchId} title={`${m.matchId} · sample ${m.childSampleId}`}>
            {m.matchId} · sample {m.childSampleId} · p={m.probability.toFixed(6)}
          </li>
        ))}
      </ul>
      {(board?.dna.awaitingReviewCount ?? 0) > PER_PAGE && (
        <p className="muted">
          the {PER_PAGE} oldest of {count(board?.dna.awaitingReviewCount)}
        </p>
      )}
    </section>
  );
}

export function Placements({ board }: { board: Board | undefined }) {
  const { rows, pager } = usePage(
    board?.followups.overdueList ?? [],
    PER_PAGE,
    'followups-pager',
    board?.followups.overdue,
  );
  return (
    <section className="panel" aria-label="Placements and follow-ups">
      <h2>Placements &amp; follow-ups</h2>
      <div className="chips">
        {Object.entries(board?.placements.byType ?? {}).map(([t, n]) => (
          <span key={t} className="chip">
            {t} <b>{count(n)}</b>
          </span>
        ))}
      </div>
      <p>
        Follow-ups scheduled <b>{count(board?.followups.scheduled)}</b> · completed{' '}
        <b>{count(board?.followups.completed)}</b> · overdue{' '}
        <b data-testid="followups-overdue">{count(board?.followups.overdue)}</b>
      </p>
      <table className="compact fit" data-testid="overdue-followups">
        <colgroup>
          <col style={{ width: '22%' }} />
          <col style={{ width: '26%' }} />
          <col style={{ width: '27%' }} />
          <col style={{ width: '25%' }} />
        </colgroup>
        {rows.length > 0 && (
          <thead>
            <tr>
              <th>follow-up</th>
              <th>case</th>
              <th>type</th>
              <th>due</th>
            </tr>
          </thead>
        )}
        <tbody>
          {rows.map((f) => (
            <tr key={f.followupId} className="overdue">
              <td title={f.followupId}>{f.followupId}</td>
              <td title={f.caseId}>{f.caseId}</td>
              <td title={f.type}>{f.type}</td>
              <td title={`due ${f.dueDate}`}>{f.dueDate}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {pager}
    </section>
  );
}

const CLOCK_LABELS: Record<string, string> = {
  team: 'no special team',
  sampling: 'DNA sample not taken',
  'rescued-not-placed': 'rescued, not placed',
  'identified-not-returned': 'identified, not home',
};

/** A clock's start: a day as it is, a time in the deployment's zone. */
const sinceText = (since: string) =>
  /^\d{4}-\d{2}-\d{2}$/.test(since) ? since : formatDateTime(since) || since;

/** The clocks on "as soon as possible" that ran out and are not yet resolved. */
export function Clocks({ board }: { board: Board | undefined }) {
  const { rows, pager } = usePage(
    board?.clocks?.list ?? [],
    PER_PAGE,
    'clocks-pager',
    board?.clocks?.overdue,
  );
  return (
    <section className="panel" aria-label="Overdue clocks">
      <h2>Overdue</h2>
      <div className="chips">
        {Object.entries(board?.clocks?.byClock ?? {}).map(([c, n]) => (
          <span key={c} className="chip">
            {CLOCK_LABELS[c] ?? c} <b>{count(n)}</b>
          </span>
        ))}
      </div>
      <p>
        Clocks run out: <b data-testid="clocks-overdue">{count(board?.clocks?.overdue)}</b>
      </p>
      <table className="compact fit" data-testid="clocks-table">
        <colgroup>
          <col style={{ width: '30%' }} />
          <col style={{ width: '28%' }} />
          <col style={{ width: '14%' }} />
          <col style={{ width: '28%' }} />
        </colgroup>
        <tbody>
          {rows.map((c) => (
            <tr key={`${c.clock}:${c.caseId}:${c.subject ?? ''}`} className="overdue">
              <td title={CLOCK_LABELS[c.clock] ?? c.clock}>{CLOCK_LABELS[c.clock] ?? c.clock}</td>
              <td title={c.caseId}>{c.caseId}</td>
              <td title={c.subject ?? ''}>{c.subject ?? ''}</td>
              <td title={`since ${sinceText(c.since)}`}>since {sinceText(c.since)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {pager}
    </section>
  );
}

/** Annual reports to the coordination office: reminders out, and departments past the deadline. */
export function ReportsDue({ board }: { board: Board | undefined }) {
  const r = board?.annualReports;
  const { rows, pager } = usePage(r?.overdueList ?? [], PER_PAGE, 'reports-due-pager', r?.overdue);
  return (
    <section className="panel" aria-label="Annual reports due">
      <h2>Annual reports due</h2>
      <p>
        Reminded <b>{count(r?.reminded)}</b> · past the deadline{' '}
        <b data-testid="reports-overdue">{count(r?.overdue)}</b> · submitted <b>{count(r?.submitted)}</b> ·
        returned <b>{count(r?.returned)}</b> · accepted <b>{count(r?.accepted)}</b>
      </p>
      <table className="compact fit" data-testid="reports-due-table">
        <colgroup>
          <col style={{ width: '40%' }} />
          <col style={{ width: '26%' }} />
          <col style={{ width: '18%' }} />
          <col style={{ width: '16%' }} />
        </colgroup>
        <tbody>
          {rows.map((o) => (
            <tr key={`${o.year}:${o.region}:${o.agencyId}`} className="overdue">
              <td title={o.agencyId}>{o.agencyId}</td>
              <td title={o.role}>{o.role}</td>
              <td>{o.region}</td>
              <td>{o.year}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {pager}
    </section>
  );
}

export function HealthPanel({ services }: { services: ServiceHealth[] }) {
  return (
    <section className="panel" aria-label="Service health">
      <h2>Services</h2>
      <ul className="health">
        {services.map((s) => (
          <li key={s.name} className={`h-${s.status}`} data-testid={`health-${s.name}`}>
            <span className="dot" /> {s.name} <small>{s.status}</small>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function RatesPanel({ rates }: { rates: Record<string, number[]> }) {
  const topics = Object.keys(rates).sort();
  return (
    <section className="panel" aria-label="Events per second">
      <h2>Events per second</h2>
      <table className="compact rates">
        <tbody>
          {topics.map((t) => {
            const series = rates[t] ?? [];
            const max = Math.max(1, ...series);
            return (
              <tr key={t}>
                <td>{t}</td>
                <td className="rate-now" data-testid={`rate-${t}`}>
                  {(series[series.length - 1] ?? 0).toFixed(0)}
                </td>
                <td>
                  <svg
                    viewBox="0 0 60 16"
                    className="spark"
                    role="img"
                    aria-label={`${t}: events per second, last minute`}
                  >
                    <polyline
                      className="spark-notified"
                      points={series
                        .map((v, k) => `${k + 60 - series.length},${16 - (v / max) * 16}`)
                        .join(' ')}
                    />
                  </svg>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}

export function AnnualPanel({ token }: { token: string }) {
  const [year, setYear] = useState(String(new Date().getFullYear()));
  const [region, setRegion] = useState('');
  const [report, setReport] = useState<AnnualReport | undefined>();
  const [error, setError] = useState<string | undefined>();
  const params = { year, region: region || undefined };
  const load = () =>
    getJson<AnnualReport>('/v1/annual-report', token, params).then(
      (r) => {
        setReport(r);
        setError(undefined);
      },
      (e: Error) => setError(e.message),
    );
  const download = async () => {
    const res = await fetch(withToken('/v1/annual-report', token, params), {
      headers: { accept: 'text/csv' },
    });
    if (!res.ok) return setError(`download failed (${res.status})`);
    const url = URL.createObjectURL(await res.blob());
    const a = document.createElement('a');
    a.href = url;
    a.download = `homeward-annual-report-${year}${region ? `-${region}` : ''}.csv`;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };
  const t = report?.totals.counts;
  return (
    <section className="panel" aria-label="Annual report">
      <h2>Annual report</h2>
      <div className="filters">
        <input
          aria-label="year"
          data-testid="annual-year"
          value={year}
          onChange={(e) => setYear(e.target.value)}
          size={5}
        />
        <input
          aria-label="report region"
          placeholder="region"
          value={region}
          onChange={(e) => setRegion(e.target.value)}
          size={7}
        />
        <button type="button" onClick={load} data-testid="annual-show">
          Show
        </button>
        <button type="button" onClick={download} data-testid="annual-download">
          Download CSV
        </button>
        <a
          href={withToken('/v1/annual-report', token, { ...params, format: 'html' })}
          target="_blank"
          rel="noreferrer"
        >
          Printable
        </a>
      </div>
      {error && <p className="error">{error}</p>}
      {report && t && (
        <p className="figure-note" data-testid="annual-note">
          What happened in {report.year}
          {report.region ? ` in ${report.region}` : ' in every region'}: each report, case opened or closed,
          alert and rescue of the year counted once, whatever the case's status now; the board counts the
          cases it follows by status.
        </p>
      )}
      {report && t && (
        <table className="compact fit" data-testid="annual-totals">
          <caption className="figure-note">
            Figures of {report.year}
            {report.region ? ` in ${report.region}` : ''}, not of the board
          </caption>
          <colgroup>
            <col style={{ width: '72%' }} />
            <col style={{ width: '28%' }} />
          </colgroup>
          <tbody>
            {[
              ['reports received', count(t.reportsReceived)],
              ['cases opened', count(t.casesOpened), 'annual-cases-opened'],
              ['cases closed', count(t.casesClosed)],
              ['alerts issued', count(t.alertsIssued)],
              ['children rescued', count(t.childrenRescued)],
              ['samples collected', count(t.samplesCollected)],
              ['matches confirmed', count(t.matchesConfirmed)],
              ['median hours from report to located', report.totals.medianReportToLocatedHours ?? '–'],
              ['follow-ups completed', count(t.followupsCompleted)],
              ['follow-ups overdue', count(t.followupsOverdue)],
            ].map(([label, value, testId]) => (
              <tr key={label}>
                <td title={`${label} in ${report.year}`}>{label}</td>
                <td data-testid={testId}>{value}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
