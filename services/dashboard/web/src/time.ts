/**
 * The deployment's time zone: times on the page are the deployment's (China Standard Time,
 * UTC+08:00, by default), not the browser's. Set at build time with VITE_TIME_ZONE (an IANA
 * zone, e.g. `Asia/Shanghai`); the service builds the page when it starts.
 */
export const TIME_ZONE: string =
  (import.meta as { env?: Record<string, string | undefined> }).env?.VITE_TIME_ZONE ?? 'Asia/Shanghai';

const time = new Intl.DateTimeFormat('en-GB', {
  timeZone: TIME_ZONE,
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});
const dateTime = new Intl.DateTimeFormat('en-GB', {
  timeZone: TIME_ZONE,
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

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
  const part = new Intl.DateTimeFormat('en-GB', { timeZone: TIME_ZONE, timeZoneName: 'longOffset' })
    .formatToParts(Date.now())
    .find((p) => p.type === 'timeZoneName')?.value;
  return part?.replace('GMT', 'UTC') || 'UTC';
}
