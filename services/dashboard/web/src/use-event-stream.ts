import { useEffect, useRef, useState } from 'react';
import { type EventView, type LogRow, withToken } from './api.ts';

export interface StreamFilter {
  type: string;
  region: string;
  caseId: string;
}

/** Rows kept on screen: enough to scroll back a while, few enough for the DOM to stay quick. */
export const MAX_ROWS = 300;
/** Events held while paused (the oldest give way beyond this). */
const MAX_HELD = 5000;
/** Recent events a fresh connection (a reload, a new filter) starts with. */
const BACKLOG = 200;

/**
 * The live log: one EventSource with the filters server-side, events batched into at most one
 * render per animation frame (hundreds per second arrive; the screen needs sixty updates), and
 * a pause that holds new events until resumed.
 */
export function useEventStream(
  token: string | undefined,
  filter: StreamFilter,
  paused: boolean,
  onEvents: (rows: LogRow[]) => void,
  onAuthLost: () => void,
) {
  const [rows, setRows] = useState<LogRow[]>([]);
  const [held, setHeld] = useState(0);
  const [status, setStatus] = useState<'connecting' | 'live' | 'reconnecting' | 'closed'>('connecting');
  const [notice, setNotice] = useState<string | undefined>();
  const incoming = useRef<LogRow[]>([]);
  const heldRows = useRef<LogRow[]>([]);
  const pausedRef = useRef(paused);
  const onEventsRef = useRef(onEvents);
  onEventsRef.current = onEvents;
  const onAuthLostRef = useRef(onAuthLost);
  onAuthLostRef.current = onAuthLost;

  useEffect(() => {
    pausedRef.current = paused;
    if (!paused && heldRows.current.length > 0) {
      const batch = heldRows.current;
      heldRows.current = [];
      setHeld(0);
      setRows((prev) => {
        const next = prev.concat(batch);
        return next.length > MAX_ROWS ? next.slice(next.length - MAX_ROWS) : next;
      });
    }
  }, [paused]);

  useEffect(() => {
    if (!token) return;
    setRows([]);
    incoming.current = [];
    heldRows.current = [];
    setHeld(0);
    // A new connection starts with the recent matching events; when EventSource reconnects on
    // its own (a dropped connection, a restart) it sends Last-Event-ID and misses nothing.
    const url = withToken('/v1/stream', token, {
      type: filter.type,
      region: filter.region,
      caseId: filter.caseId,
      backlog: String(BACKLOG),
    });
    const es = new EventSource(url);
    let frame = 0;
    const flush = () => {
      frame = 0;
      const batch = incoming.current;
      if (batch.length === 0) return;
      incoming.current = [];
      setRows((prev) => {
        const next = prev.concat(batch);
        return next.length > MAX_ROWS ? next.slice(next.length - MAX_ROWS) : next;
      });
    };
    es.onopen = () => setStatus('live');
    es.onmessage = (m: MessageEvent<string>) => {
      const row = { ...(JSON.parse(m.data) as EventView), streamId: m.lastEventId };
      onEventsRef.current([row]);
      if (pausedRef.current) {
        heldRows.current.push(row);
        if (heldRows.current.length > MAX_HELD) heldRows.current.shift();
        setHeld(heldRows.current.length);
        return;
      }
      incoming.current.push(row);
      if (frame === 0) frame = requestAnimationFrame(flush);
    };
    es.addEventListener('notice', (m) => {
      const n = JSON.parse((m as MessageEvent<string>).data) as { reason: string };
      setNotice(n.reason);
    });
    es.onerror = () => {
      if (es.readyState === EventSource.CLOSED) {
        // A refused connection (expired session) is not retried by EventSource.
        setStatus('closed');
        fetch(url, { method: 'GET', headers: { accept: 'application/json' } })
          .then((r) => {
            if (r.status === 401 || r.status === 403) onAuthLostRef.current();
            r.body?.cancel().catch(() => {});
          })
          .catch(() => {});
      } else setStatus('reconnecting');
    };
    return () => {
      es.close();
      if (frame) cancelAnimationFrame(frame);
    };
  }, [token, filter.type, filter.region, filter.caseId]);

  // Newest first on screen; the state holds oldest first so that appending stays cheap.
  return { rows, held, status, notice };
}
