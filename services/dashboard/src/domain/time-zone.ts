/**
 * TIME_ZONE checked at start, in the runtime's own spelling: a zone the runtime does not know
 * is a configuration error, not a page that silently shows the browser's times.
 */
export function deploymentTimeZone(zone: string): string {
  try {
    return new Intl.DateTimeFormat('en-GB', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    throw new Error(`TIME_ZONE "${zone}" is not a time zone (an IANA name such as Asia/Shanghai)`);
  }
}
