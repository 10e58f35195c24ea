import type { HomewardEvent } from '@homeward/events';
import type { Ref } from '@homeward/figures';

/** Region and case of an event, from its own data first and then from the remembered fact. */
export function placeOf(event: HomewardEvent, ref: Ref | undefined): { region?: string; caseId?: string } {
  const d = event.data as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  let region = str(d.region);
  let caseId = str(d.caseId);
  if (event.type === 'homeward.report.submitted') {
    const r = d as Record<string, Record<string, unknown> | undefined>;
    region =
      str(r.lastSeen?.region) ?? str(r.foundAt?.region) ?? str(r.location?.region) ?? str(r.seenAt?.region);
  }
  if (event.type === 'homeward.case.lead-added') {
    // A lead's own place may lie elsewhere; the case's region is what the board groups by.
    region = ref?.region ?? str((d.seenAt as Record<string, unknown> | undefined)?.region);
  } else if (event.type.startsWith('homeward.case.') && ref?.region) {
    region = ref.region;
  }
  region ??= ref?.region;
  caseId ??= ref?.caseId;
  return { ...(region ? { region } : {}), ...(caseId ? { caseId } : {}) };
}
