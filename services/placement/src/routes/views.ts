import type { Static } from '@sinclair/typebox';
import { buyerRecordMissing } from '../domain/case-facts.ts';
import type { PlacementService } from '../placement-service.ts';
import type { CaseDoc, Followup } from '../store/case-store.ts';
import type { FollowupView, PlacementView } from './schemas.ts';

export function followupView(
  caseId: string,
  f: Followup,
  placements: PlacementService,
): Static<typeof FollowupView> {
  return { ...f, caseId, overdue: placements.isOverdue(f) };
}

export function placementView(doc: CaseDoc, placements: PlacementService): Static<typeof PlacementView> {
  const p = doc.placement;
  if (!p) throw new Error(`case ${doc._id} has no placement`);
  const current = p.revisions[p.revisions.length - 1];
  if (!current) throw new Error(`placement ${p.placementId} has no revision`);
  return {
    placementId: p.placementId,
    caseId: doc._id,
    region: p.region,
    revision: current.revision,
    current,
    history: p.revisions,
    followups: doc.followups.map((f) => followupView(doc._id, f, placements)),
    warnings: warningsOf(doc),
  };
}

/** What a placement view warns about (the contract's warning codes). */
export function warningsOf(doc: CaseDoc): Array<{ code: string; detail: string }> {
  return buyerRecordMissing(doc.facts)
    ? [
        {
          code: 'PLACEMENT_WARN_BUYER_RECORD_MISSING',
          detail:
            'police have not recorded the buying household of this rescued child, nor stated that there is none; the household check cannot refuse what is not recorded',
        },
      ]
    : [];
}
