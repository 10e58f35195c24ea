import { ageGroupOf } from '@homeward/events';
import type { Static } from '@sinclair/typebox';
import { buyerRecordMissing, victimsOfFacts } from '../domain/case-facts.ts';
import { ownerOf } from '../domain/followup-policy.ts';
import { familyIdentified } from '../domain/placement-rules.ts';
import { type PlacementState, placementsOf } from '../domain/placement-state.ts';
import type { PlacementService } from '../placement-service.ts';
import type { CaseDoc, Followup } from '../store/case-store.ts';
import type { FollowupView, PlacementView, VictimView } from './schemas.ts';

export function followupView(
  caseId: string,
  f: Followup,
  placements: PlacementService,
): Static<typeof FollowupView> {
  return { ...f, caseId, owner: ownerOf(f.type), overdue: placements.isOverdue(f) };
}

/**
 * A placement as the API shows it: the one of `placementId`, or else the victim's, or else the
 * case's first; undefined when the case has none of those.
 */
export function placementOf(
  doc: CaseDoc,
  which: { placementId?: string; victimId?: string } = {},
): PlacementState | undefined {
  const all = placementsOf(doc);
  if (which.placementId) return all.find((p) => p.placementId === which.placementId);
  if (which.victimId)
    return all.find(
      (p) => p.victimId === which.victimId || (!p.victimId && which.victimId === `${doc._id}.v1`),
    );
  return all[0];
}

export function placementView(
  doc: CaseDoc,
  placements: PlacementService,
  p: PlacementState | undefined = placementOf(doc),
): Static<typeof PlacementView> {
  if (!p) throw new Error(`case ${doc._id} has no placement`);
  const current = p.revisions[p.revisions.length - 1];
  if (!current) throw new Error(`placement ${p.placementId} has no revision`);
  return {
    placementId: p.placementId,
    caseId: doc._id,
    ...(p.victimId ? { victimId: p.victimId } : {}),
    region: p.region,
    revision: current.revision,
    current,
    history: p.revisions,
    followups: doc.followups
      .filter((f) => f.placementId === p.placementId)
      .map((f) => followupView(doc._id, f, placements)),
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

/** Every victim of a case with its path: rescued, identified, placed, followed up. */
export function victimViews(doc: CaseDoc, placements: PlacementService): Array<Static<typeof VictimView>> {
  const victims = victimsOfFacts(doc._id, doc.facts);
  const children = victims.filter((v) => v.category === 'child').length;
  return victims.map((v) => {
    const p = placementOf(doc, { victimId: v.victimId });
    const age = p?.revisions.at(-1)?.ageOnDecisionDate;
    return {
      victimId: v.victimId,
      category: v.category,
      sex: v.sex,
      ...(age !== undefined ? { ageGroup: ageGroupOf(age) } : {}),
      disability: v.disability !== undefined,
      located: v.locatedAt !== undefined || v.rescue !== undefined,
      ...(v.rescue ? { rescued: v.rescue } : {}),
      identified:
        v.policeIdentifiedAt !== undefined ||
        (v.category === 'child' && familyIdentified(doc.facts, { facts: v, onlyChild: children <= 1 })),
      ...(p ? { placement: placementView(doc, placements, p) } : {}),
      followups: p
        ? doc.followups
            .filter((f) => f.placementId === p.placementId)
            .map((f) => followupView(doc._id, f, placements))
        : [],
    };
  });
}
