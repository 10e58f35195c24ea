import type { HomewardEvent, ReminderStage, Role } from '@homeward/events';
import { type ContributionDoc, FiguresLedger } from '@homeward/figures';
import type { AggregateStore, FactStore, Persistence, StoreFilter } from '@homeward/persistence';
import { regionFilter, withScope } from '@homeward/service-kit';
import type { FigureRow } from '../domain/figures.ts';
import type { SupervisedRecord } from '../domain/records.ts';
import type { SubmissionDoc } from '../domain/submission.ts';

export type { SubmissionDoc } from '../domain/submission.ts';

/** A member department of a coordination body (`_id` `<region>:<agencyId>`). */
export interface MemberDoc {
  _id: string;
  agencyId: string;
  role: Role;
  region: string;
  enrolledAt: string;
  enrolledBy: string;
  /** False once retired: no reminders, not expected to report. */
  active: boolean;
}

/**
 * That a reminder stage was raised for a submission, with its event in its outbox: `_id`
 * `<submissionId>:<stage>`, so however many workers race, one reminder exists per stage.
 */
export interface ReminderClaimDoc {
  _id: string;
  submissionId: string;
  stage: ReminderStage;
  remindedAt: string;
}

/** Coordination's stores; every per-event read and write is by `_id`. */
export class CoordinationStore {
  /** The platform's figures: each event's contribution once, and the facts that place events. */
  readonly figures: FiguresLedger;
  readonly records: AggregateStore<SupervisedRecord>;
  readonly submissions: AggregateStore<SubmissionDoc>;
  readonly members: AggregateStore<MemberDoc>;
  readonly reminders: FactStore<ReminderClaimDoc>;

  constructor(persistence: Persistence) {
    this.figures = new FiguresLedger(persistence, { contributions: 'contributions', refs: 'refs' });
    this.records = persistence.aggregate<SupervisedRecord>('records');
    this.submissions = persistence.aggregate<SubmissionDoc>('submissions');
    this.members = persistence.aggregate<MemberDoc>('members');
    this.reminders = persistence.facts<ReminderClaimDoc>('reminder_claims');
  }

  /**
   * The platform's figures of a year, summed per region and department (a full read: the
   * figures are asked for a few times a year, a year holds thousands of contributions).
   */
  async figureRows(year: number, within?: string): Promise<FigureRow[]> {
    const scope = within ? (regionFilter('region', within) as StoreFilter<ContributionDoc>) : undefined;
    return (await this.figures.rows(year, scope)).map(({ year, region, department, counts }) => ({
      year,
      region,
      department,
      counts,
    }));
  }

  /**
   * The supervised records with a duty that may lie within `within` (the case's region or the
   * rescue's, the sample's, the follow-up's); a full read on FerretDB, for the supervision list
   * and the assessment.
   */
  recordsWithin(within: string): Promise<SupervisedRecord[]> {
    const byRegion = regionFilter('region', within);
    const byRescue = regionFilter('rescueRegion', within);
    return this.records.list(Object.keys(byRegion).length === 0 ? {} : { $or: [byRegion, byRescue] });
  }

  /** The submissions of a year within a region (a listing, not a hot path). */
  submissionsOf(year: number, within?: string): Promise<SubmissionDoc[]> {
    return this.submissions.list(within ? withScope({ year }, regionFilter('region', within)) : { year });
  }

  /** The active member departments (within a region): a listing, the roster is small. */
  activeMembers(within?: string): Promise<MemberDoc[]> {
    return this.members.list(
      within ? withScope({ active: true }, regionFilter('region', within)) : { active: true },
    );
  }

  /** Inserts a reminder claim with its event; false when this stage was raised already. */
  claimReminder(doc: ReminderClaimDoc, events: readonly HomewardEvent[]): Promise<boolean> {
    return this.reminders.insertOnce(doc, events);
  }

  async raisedStages(submissionId: string, stages: readonly ReminderStage[]): Promise<Set<ReminderStage>> {
    const raised = new Set<ReminderStage>();
    for (const s of stages) if (await this.reminders.get(`${submissionId}:${s}`)) raised.add(s);
    return raised;
  }
}
