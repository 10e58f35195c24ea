import { useState } from 'react';
import { type AnnualReport, type Board, getJson, type ServiceHealth, withToken } from './api.ts';

const STATUSES = ['open', 'team-assigned', 'located', 'rescued', 'closed'];

export function CaseBoard({ board }: { board: Board | undefined }) {
  return (
    <section className="panel" aria-label="Cases">
      <h2>Cases {board ? `(${board.cases.total})` : ''}</h2>
      <p className="figure-note" data-testid="cases-note">
        Every case this dashboard has followed, by its status now (closed ones included). The annual report
        counts events of a year instead.
      </p>
      <div className="chips">
        {STATUSES.map((s) => (
          <span key={s} className={`chip c-${s}`} data-testid={`cases-${s}`}>
            {s} <b>{board?.cases.byStatus[s] ?? 0}</b>
          </span>
        ))}
      </div>
      <table className="compact" data-testid="case-board">
        <thead>
          <tr>
            <th>region</th>
            {STATUSES.map((s) => (
              <th key={s}>{s}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {board?.cases.byRegion.map((r) => (
            <tr key={String(r.region)}>
              <td>{r.region}</td>
              {STATUSES.map((s) => (
                <td key={s}>{r[s] ?? 0}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

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
              <b>{n}</b>
            </div>
          );
        })}
      </div>
      <p>
        Overdue samples: <b data-testid="dna-overdue">{board?.dna.overdueCount ?? 0}</b> · Matches awaiting
        review: <b data-testid="dna-awaiting">{board?.dna.awaitingReviewCount ?? 0}</b>
      </p>
      <ul className="list">
        {board?.dna.awaitingReview.slice(0, 8).map((m) => (
          <li key={m.matchId}>
            {m.matchId} · sample {m.childSampleId} · p={m.probability.toFixed(6)}
          </li>
        ))}
      </ul>
    </section>
  );
}

export function Placements({ board }: { board: Board | undefined }) {
  return (
    <section className="panel" aria-label="Placements and follow-ups">
      <h2>Placements &amp; follow-ups</h2>
      <div className="chips">
        {Object.entries(board?.placements.byType ?? {}).map(([t, n]) => (
          <span key={t} className="chip">
            {t} <b>{n}</b>
          </span>
        ))}
      </div>
      <p>
        Follow-ups scheduled <b>{board?.followups.scheduled ?? 0}</b> · completed{' '}
        <b>{board?.followups.completed ?? 0}</b> · overdue{' '}
        <b data-testid="followups-overdue">{board?.followups.overdue ?? 0}</b>
      </p>
      <table className="compact fit" data-testid="overdue-followups">
        <colgroup>
          <col style={{ width: '22%' }} />
          <col style={{ width: '30%' }} />
          <col style={{ width: '28%' }} />
          <col style={{ width: '20%' }} />
        </colgroup>
        <tbody>
          {board?.followups.overdueList.slice(0, 10).map((f) => (
            <tr key={f.followupId} className="overdue">
              <td title={f.followupId}>{f.followupId}</td>
              <td title={f.caseId}>{f.caseId}</td>
              <td title={f.type}>{f.type}</td>
              <td>due {f.dueDate}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** Annual reports to the coordination office: reminders out, and departments past the deadline. */
export function ReportsDue({ board }: { board: Board | undefined }) {
  const r = board?.annualReports;
  return (
    <section className="panel" aria-label="Annual reports due">
      <h2>Annual reports due</h2>
      <p>
        Reminded <b>{r?.reminded ?? 0}</b> · past the deadline{' '}
        <b data-testid="reports-overdue">{r?.overdue ?? 0}</b> · submitted <b>{r?.submitted ?? 0}</b> ·
        returned <b>{r?.returned ?? 0}</b> · accepted <b>{r?.accepted ?? 0}</b>
      </p>
      <table className="compact">
        <tbody>
          {r?.overdueList.slice(0, 10).map((o) => (
            <tr key={`${o.year}:${o.region}:${o.agencyId}`} className="overdue">
              <td>{o.agencyId}</td>
              <td>{o.role}</td>
              <td>{o.region}</td>
              <td>{o.year}</td>
            </tr>
          ))}
        </tbody>
      </table>
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
        <table className="compact" data-testid="annual-totals">
          <tbody>
            <tr>
              <td>reports received</td>
              <td>{t.reportsReceived}</td>
              <td>cases opened / closed</td>
              <td>
                {t.casesOpened} / {t.casesClosed}
              </td>
            </tr>
            <tr>
              <td>alerts issued</td>
              <td>{t.alertsIssued}</td>
              <td>children rescued</td>
              <td>{t.childrenRescued}</td>
            </tr>
            <tr>
              <td>samples collected</td>
              <td>{t.samplesCollected}</td>
              <td>matches confirmed</td>
              <td>{t.matchesConfirmed}</td>
            </tr>
            <tr>
              <td>median report → located</td>
              <td>{report.totals.medianReportToLocatedHours ?? '–'} h</td>
              <td>follow-ups done / overdue</td>
              <td>
                {t.followupsCompleted} / {t.followupsOverdue}
              </td>
            </tr>
          </tbody>
        </table>
      )}
    </section>
  );
}
