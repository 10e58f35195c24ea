/**
 * A list a Redis script answered as one string joined by newlines ('' is none): a few strings for
 * the client to read instead of one per item (no unit id, nor a target's JSON, holds a newline).
 */
export function splitList(joined: string): string[] {
  return joined === '' ? [] : joined.split('\n');
}
