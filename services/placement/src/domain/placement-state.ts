import type { AgeBasis } from './age.ts';
import type { CaseFacts } from './case-facts.ts';
import type {
  FollowupOutcome,
  FollowupStatus,
  FollowupType,
  PlacementType,
  VictimPlan,
} from './followup-policy.ts';

/** One decision on where the child goes; revisions are appended, never rewritten. */
export interface PlacementRevision {
  revision: number;
  type: PlacementType;
  guardian?: { name: string; idNumber?: string; address: string; relation?: string };
  institution?: { name: string; address: string };
  decisionDate: string;
  handoverPlan: string;
  reason?: string;
  birthDate?: string;
  /** Police documented why a return goes to a guardian who is not an identified parent. */
  policeReason?: { officer: string; reason: string };
  /** What the victim will live from (see the contract's VictimPlans). */
  plan?: VictimPlan;
  /** How the placement meets the victim's disability (required when the victim has one). */
  disabilityConsideration?: string;
  decidedAt: string;
  decidedBy: { agencyId: string };
  ageOnDecisionDate: number;
  ageBasis: AgeBasis['kind'];
  followupsScheduled: string[];
  followupsCancelled: string[];
}

/** A follow-up a placement scheduled, and what became of it. */
export interface Followup {
  followupId: string;
  placementId: string;
  /** The victim it is for (absent: the single child of a case placed before victims existed). */
  victimId?: string;
  type: FollowupType;
  status: FollowupStatus;
  dueDate: string;
  region: string;
  scheduledAt: string;
  scheduledByRevision: number;
  /** Set once, by the write that also queues `homeward.followup.overdue`. */
  overdueRaisedAt?: string;
  completedAt?: string;
  completedBy?: { agencyId: string; role?: string };
  outcome?: FollowupOutcome;
  cancelledAt?: string;
  cancelledByRevision?: number;
}

/**
 * A victim's placement: its id, the victim, the region it is decided in, and every revision,
 * oldest first. `victimId` is absent on a placement stored before victims existed (the case's
 * single child).
 */
export interface PlacementState {
  placementId: string;
  victimId?: string;
  region: string;
  revisions: PlacementRevision[];
}

/** What the decision plans read of a case: its facts, its placement and its follow-ups. */
export interface CaseState {
  _id: string;
  facts: CaseFacts;
  /** The one placement of a case stored before victims existed (read through {@link placementsOf}). */
  placement?: PlacementState;
  /** A placement per placed victim. */
  placements?: PlacementState[];
  followups: Followup[];
}

/** Every placement of a case: one per placed victim (a stored single placement counts as one). */
export function placementsOf(state: Pick<CaseState, 'placement' | 'placements'>): PlacementState[] {
  return state.placements ?? (state.placement ? [state.placement] : []);
}
