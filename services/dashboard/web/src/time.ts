/**
 * The deployment's time zone: times on the page are the deployment's, not the browser's. The
 * dashboard tells the page its zone with the session (`TIME_ZONE`, China Standard Time,
 * UTC+08:00, by default); until then, and for a session saved before it said one, the build's
 * VITE_TIME_ZONE or Asia/Shanghai.
 */
const BUILD_ZONE: string =
  (import.meta as { env?: Record<string, string | undefined> }).env?.VITE_TIME_ZONE ?? 'Asia/Shanghai';

let zone = BUILD_ZONE;
let time = formatters(zone).time;
let dateTime = formatters(zone).dateTime;

function formatters(z: string) {
  return {
    time: new Intl.DateTimeFormat('en-GB', {
      timeZone: z,
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    }),
    dateTime: new Intl.DateTimeFormat('en-GB', {
      timeZone: z,
      month: 'short',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }),
  };
}

/** Shows times in `z` from now on (a zone the browser does not know leaves the one in use). */
export function setTimeZone(z: string | undefined): void {
  if (!z || z === zone) return;
  try {
    const f = formatters(z);
    zone = z;
    time = f.time;
    dateTime = f.dateTime;
  } catch {
    // An unknown zone: keep the one in use rather than show the browser's.
  }
}

/** The zone times are shown in (IANA name). */
export function timeZone(): string {
  return zone;
}

/** `HH:MM:SS` in the deployment's zone (a live log's time of day). */
export function formatTime(at: string | undefined): string {
  if (!at) return '';
  const t = Date.parse(at);
  return Number.isFinite(t) ? time.format(t) : '';
}

/** `1 Dec, 18:05` in the deployment's zone. */
export function formatDateTime(at: string | undefined): string {
  if (!at) return '';
  const t = Date.parse(at);
  return Number.isFinite(t) ? dateTime.format(t) : '';
}

/** The zone's offset as `UTC+08:00`, said once beside the times it applies to. */
export function zoneLabel(): string {
  const part = new Intl.DateTimeFormat('en-GB', { timeZone: zone, timeZoneName: 'longOffset' })
    .formatToParts(Date.now())
    .find((p) => p.type === 'timeZoneName')?.value;
  return part?.replace('GMT', 'UTC') || 'UTC';
}
