import { createHash } from 'node:crypto';

function digest(...parts: string[]): string {
  return createHash('sha256')
    .update(parts.join('\n'))
    .digest('base64url')
    .replaceAll('_', 'x')
    .replaceAll('-', 'y');
}

/**
 * Ids derived from the idempotency key (agency + CloudEvent id). A retry, a concurrent copy,
 * or a recovery after a crash computes the same report id, case id and event ids, so nothing
 * it writes or publishes can exist twice.
 */
export function reportIdFor(agencyId: string, ceId: string): string {
  return `rpt-${digest('report', agencyId, ceId).slice(0, 22)}`;
}

export function caseIdFor(reportId: string): string {
  return `case-${digest('case', reportId).slice(0, 22)}`;
}

export function eventIdFor(reportId: string, what: 'case-opened' | 'lead-added'): string {
  return `${reportId}.${what}`;
}

/** Fingerprint of what was sent, to tell a true retry from a reused id with other content. */
export function fingerprint(type: string, data: unknown): string {
  return digest('fingerprint', type, canonicalJson(data));
}

/** JSON with sorted keys, so equal content has equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}
