import { createHash } from 'node:crypto';

function digest(...parts: string[]): string {
  return createHash('sha256')
    .update(parts.join('\n'))
    .digest('base64url')
    .replaceAll('_', 'x')
    .replaceAll('-', 'y');
}

/**
 * A sample's id, derived from its kit barcode: a kit is used once, so a retried registration
 * computes the same id and cannot create a second sample.
 */
export function sampleIdFor(kitBarcode: string): string {
  return `smp-${digest('sample', kitBarcode.toUpperCase()).slice(0, 22)}`;
}

/**
 * A match's id, derived from the child and the (sorted) parents: whichever side arrives first,
 * and however often a search runs, one child and one set of parents make one match.
 */
export function matchIdFor(childSampleId: string, parentSampleIds: readonly string[]): string {
  return `match-${digest('match', childSampleId, ...[...parentSampleIds].sort()).slice(0, 22)}`;
}

/** Fingerprint of what was sent, to tell a true retry from other content under the same key. */
export function fingerprint(...parts: unknown[]): string {
  return digest('fingerprint', ...parts.map(canonicalJson));
}

/** JSON with sorted keys, so equal content has equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value as object)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The `source` of every event dna-tracking publishes. */
export const SOURCE = 'homeward/dna-tracking';
