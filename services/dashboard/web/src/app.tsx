import { useCallback, useEffect, useRef, useState } from 'react';
import { AlertMap, type Sighting, sightingsOf } from './alert-map.tsx';
import {
  ApiError,
  type Board,
  forgetSession,
  getJson,
  type LogRow,
  type ServiceHealth,
  type Session,
  type Stats,
  savedSession,
  signIn,
} from './api.ts';
import { EventLog } from './event-log.tsx';
import {
  AnnualPanel,
  CaseBoard,
  Clocks,
  DnaPipeline,
  HealthPanel,
  Placements,
  RatesPanel,
  ReportsDue,
} from './panels.tsx';
import { setTimeZone } from './time.ts';
import { type StreamFilter, useEventStream } from './use-event-stream.ts';

const RATE_WINDOW = 60;
/** Sightings kept for the map (the newest), beyond the log's own window. */
const SIGHTINGS_KEPT = 300;
const TOPICS = [
  'agency.reports.v1',
  'case.events.v1',
  'alert.events.v1',
  'notification.events.v1',
  'dna.events.v1',
  'placement.events.v1',
];

export function App() {
  const [session, setSession] = useState<Session | undefined>(savedSession);
  if (!session) return <SignIn onSignedIn={setSession} />;
  // Times in the deployment's zone, as the dashboard says it, before anything is drawn.
  setTimeZone(session.timeZone);
  return (
    <Dashboard
      session={session}
      onSignOut={() => {
        forgetSession();
        setSession(undefined);
      }}
    />
  );
}

function SignIn({ onSignedIn }: { onSignedIn: (s: Session) => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | undefined>();
  return (
    <main className="signin">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          signIn(key.trim()).then(onSignedIn, (err: Error) => setError(err.message));
        }}
      >
        <h1>Homeward operations</h1>
        <label>
          Operator API key
          <input
            type="password"
            autoComplete="off"
            data-testid="signin-key"
            value={key}
            onChange={(e) => setKey(e.target.value)}
          />
        </label>
        <button type="submit" data-testid="signin-submit">
          Sign in
        </button>
        {error && (
          <p className="error" data-testid="signin-error">
            {error}
          </p>
        )}
      </form>
    </main>
  );
}

function Dashboard({ session, onSignOut }: { session: Session; onSignOut: () => void }) {
  const [filter, setFilter] = useState<StreamFilter>({ type: '', region: '', caseId: '' });
  const [paused, setPaused] = useState(false);
  const [board, setBoard] = useState<Board | undefined>();
  const [health, setHealth] = useState<ServiceHealth[]>([]);
  const [rates, setRates] = useState<Record<string, number[]>>({});
  const dirty = useRef(true);
  const token = session.token;

  const authLost = useCallback(() => onSignOut(), [onSignOut]);
  const [sightings, setSightings] = useState<Sighting[]>([]);
  const onEvents = useCallback((rows: LogRow[]) => {
    dirty.current = true;
    const seen = sightingsOf(rows);
    if (seen.length > 0) setSightings((prev) => [...prev, ...seen].slice(-SIGHTINGS_KEPT));
  }, []);
  const stream = useEventStream(token, filter, paused, onEvents, authLost);

  const guard = useCallback(
    (err: unknown) => {
      if (err instanceof ApiError && (err.status === 401 || err.status === 403)) authLost();
    },
    [authLost],
  );

  // The board follows the events: refetched at most once a second, and only when something came.
  useEffect(() => {
    const tick = () => {
      if (!dirty.current) return;
      dirty.current = false;
      getJson<Board>('/v1/board', token).then(setBoard, guard);
    };
    tick();
    const t = setInterval(tick, 1000);
    return () => clearInterval(t);
  }, [token, guard]);

  useEffect(() => {
    const load = () =>
      getJson<{ services: ServiceHealth[] }>('/v1/health-summary', token).then(
        (h) => setHealth(h.services),
        guard,
      );
    load();
    const t = setInterval(load, 5000);
    return () => clearInterval(t);
  }, [token, guard]);

  // Events per second per topic: the server's counters, differenced once a second.
  useEffect(() => {
    let last: { at: number; byTopic: Record<string, number> } | undefined;
    const poll = () =>
      getJson<Stats>('/v1/stats', token).then((s) => {
        const now = performance.now();
        if (last) {
          const dt = (now - last.at) / 1000;
          const prev = last.byTopic;
          setRates((r) => {
            const next: Record<string, number[]> = {};
            for (const topic of new Set([...TOPICS, ...Object.keys(s.byTopic)])) {
              const rate = Math.max(0, ((s.byTopic[topic] ?? 0) - (prev[topic] ?? 0)) / dt);
              next[topic] = [...(r[topic] ?? []), rate].slice(-RATE_WINDOW);
            }
            return next;
          });
        }
        last = { at: now, byTopic: s.byTopic };
      }, guard);
    poll();
    const t = setInterval(poll, 1000);
    return () => clearInterval(t);
  }, [token, guard]);

  return (
    <div className="app">
      <header className="top">
        <h1>Homeward operations</h1>
        <span className="who">
          {session.agencyId} · {session.region}
        </span>
        <button type="button" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <main className="grid">
        <EventLog
          rows={stream.rows}
          held={stream.held}
          status={stream.status}
          notice={stream.notice}
          filter={filter}
          onFilter={setFilter}
          paused={paused}
          onPause={setPaused}
        />
        <AlertMap alerts={board?.alerts ?? []} sightings={sightings} />
        <CaseBoard board={board} />
        <DnaPipeline board={board} />
        <Placements board={board} />
        <Clocks board={board} />
        <RatesPanel rates={rates} />
        <HealthPanel services={health} />
        <AnnualPanel token={token} />
        <ReportsDue board={board} />
      </main>
    </div>
  );
}
