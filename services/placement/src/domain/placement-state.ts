import type { AgeBasis } from './age.ts';
import type { CaseFacts } from './case-facts.ts';
import type { FollowupOutcome, FollowupStatus, FollowupType, PlacementType } from './followup-policy.ts';

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
  type: FollowupType;
  status: FollowupStatus;
  dueDate: string;
  region: string;
  scheduledAt: string;
  scheduledByRevision: number;
  /** Set once, by the write that also queues `homeward.followup.overdue`. */
  overdueRaisedAt?: string;
  completedAt?: string;
  completedBy?: { agencyId: string };
  outcome?: FollowupOutcome;
  cancelledAt?: string;
  cancelledByRevision?: number;
}

/** A case's placement: its id, the region it is decided in, and every revision, oldest first. */
export interface PlacementState {
  placementId: string;
  region: string;
  revisions: PlacementRevision[];
}

/** What the decision plans read of a case: its facts, its placement and its follow-ups. */
export interface CaseState {
  _id: string;
  facts: CaseFacts;
  placement?: PlacementState;
  followups: Followup[];
}
