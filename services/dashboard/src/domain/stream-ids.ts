/** A Redis stream entry id (`<ms>-<seq>`), which is also the SSE event id. */
export const STREAM_ID_PATTERN = /^\d{1,15}-\d{1,15}$/;

export function isStreamId(id: string): boolean {
  return STREAM_ID_PATTERN.test(id);
}

/** Orders two stream ids as Redis does: by milliseconds, then by sequence. */
export function compareStreamIds(a: string, b: string): number {
  const [am = '0', as = '0'] = a.split('-');
  const [bm = '0', bs = '0'] = b.split('-');
  const ms = Number(am) - Number(bm);
  return ms !== 0 ? Math.sign(ms) : Math.sign(Number(as) - Number(bs));
}
