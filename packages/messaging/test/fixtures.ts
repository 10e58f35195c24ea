import { createEvent, type HomewardEvent } from '@homeward/events';

/** A valid case.closed event: small, and on a topic every test prefix has. */
export function closedEvent(caseId: string, id?: string): HomewardEvent<'homeward.case.closed'> {
  return createEvent(
    'homeward.case.closed',
    { caseId, closedAt: '2026-11-28T10:00:00Z', reason: 'test' },
    { source: 'test/messaging', ...(id ? { id } : {}) },
  );
}
