import type { HomewardEvent, ReminderStage, Role } from '@homeward/events';
import type { AggregateStore, FactStore, Persistence } from '@homeward/persistence';
import { regionFilter, withScope } from '@homeward/service-kit';
import type { Contribution, FigureRow } from '../domain/figures.ts';
import type { SupervisedRecord } from '../domain/records.ts';
import type { Ref } from '../domain/refs.ts';
import type { SubmissionDoc } from '../domain/submission.ts';

export type { SubmissionDoc } from '../domain/submission.ts';

/** One event's contribution to the platform's figures, stored once under the event's key. */
export interface ContributionDoc extends Contribution {
  /** The event key (`source|id`): a redelivered event's second insert is refused. */
  _id: string;
}

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

const REF_CACHE_SIZE = 50_000;

/** Coordination's stores; every per-event read and write is by `_id`. */
export class CoordinationStore {
  readonly contributions: FactStore<ContributionDoc>;
  readonly refs: FactStore<Ref>;
  readonly records: AggregateStore<SupervisedRecord>;
  readonly submissions: AggregateStore<SubmissionDoc>;
  readonly members: AggregateStore<MemberDoc>;
  readonly reminders: FactStore<ReminderClaimDoc>;
  private readonly cache = new Map<string, Ref>();

  constructor(persistence: Persistence) {
    this.contributions = persistence.facts<ContributionDoc>('contributions');
    this.refs = persistence.facts<Ref>('refs');
    this.records = persistence.aggregate<SupervisedRecord>('records');
    this.submissions = persistence.aggregate<SubmissionDoc>('submissions');
    this.members = persistence.aggregate<MemberDoc>('members');
    this.reminders = persistence.facts<ReminderClaimDoc>('reminder_claims');
  }

  /** Remembers facts; they never change, so a second write of one is skipped. */
  async saveRefs(refs: Ref[]): Promise<void> {
    for (const ref of refs) await this.refs.insertOnce(ref);
  }

  /** A remembered fact; found ones are cached (bounded, oldest out), since facts never change. */
  async getRef(id: string): Promise<Ref | null> {
    const cached = this.cache.get(id);
    if (cached) return cached;
    const ref = await this.refs.get(id);
    if (ref) {
      if (this.cache.size >= REF_CACHE_SIZE) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(id, ref);
    }
    return ref;
  }

  /**
   * Records an event's contribution once (an insert under the event key). Insert-only: FerretDB
   * applies concurrent updates of one document as unisolated read-modify-writes, so counters
   * in one document would lose counts (see @homeward/persistence).
   */
  addContribution(eventKey: string, c: Contribution): Promise<boolean> {
    return this.contributions.insertOnce({ _id: eventKey, ...c });
  }

  /**
   * The platform's figures of a year, summed per region and department (a full read: the
   * figures are asked for a few times a year, a year holds thousands of contributions).
   */
  async figureRows(year: number, within?: string): Promise<FigureRow[]> {
    const rows = new Map<string, FigureRow>();
    const filter = within ? withScope({ year }, regionFilter('region', within)) : { year };
    for (const d of await this.contributions.list(filter)) {
      const key = `${d.region}|${d.department}`;
      let row = rows.get(key);
      if (!row) {
        row = { year, region: d.region, department: d.department, counts: {} };
        rows.set(key, row);
      }
      for (const [k, v] of Object.entries(d.counts)) {
        const c = k as keyof FigureRow['counts'];
        row.counts[c] = (row.counts[c] ?? 0) + (v ?? 0);
      }
    }
    return [...rows.values()];
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
