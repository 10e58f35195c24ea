import type { Static } from '@sinclair/typebox';
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
  };
}
