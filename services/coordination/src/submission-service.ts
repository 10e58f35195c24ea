import { createEvent, ReminderStages, type Role } from '@homeward/events';
import type { Clock, DueIndex } from '@homeward/service-kit';
import {
  type Calendar,
  dueDate,
  type LateState,
  lateState,
  openYears,
  reminderDue,
  reminderTimes,
} from './domain/deadlines.ts';
import { type Counts, sumRows } from './domain/figures.ts';
import {
  type Caller,
  inScope,
  MEMBER_ROLES,
  mayReadSubmission,
  mayReview,
  OFFICE_ROLE,
} from './domain/scope.ts';
import {
  type Review,
  review,
  SOURCE,
  type SubmissionDoc,
  SubmissionRuleError,
  type SubmitInput,
  submissionId,
  submit,
} from './domain/submission.ts';
import { CoordinationErrors as E } from './errors.ts';
import type { CoordinationStore, MemberDoc } from './store/coordination-store.ts';

export interface SubmissionServiceDeps {
  store: CoordinationStore;
  /** Submission ids → when their next reminder is due. */
  index: DueIndex;
  clock: Clock;
  calendar: Calendar;
}

/** One line of the list of who is late. */
export interface LateMember {
  agencyId: string;
  role: Role;
  region: string;
  submissionId: string;
  state: LateState;
  dueDate: string;
}

/** Maps a domain refusal to the service's error. */
function refused(err: unknown): never {
  if (err instanceof SubmissionRuleError) throw E[err.key].error(err.message);
  throw err;
}

/**
 * Departments' annual submissions: pre-filled from the platform's figures, versioned, returned
 * or accepted by an office of a containing region, reminded and listed when late. Loads,
 * decides through `domain/`, writes with the events; nothing else.
 */
export class SubmissionService {
  constructor(private readonly deps: SubmissionServiceDeps) {}

  /**
   * The platform's figures a caller's submission is pre-filled with: its department's within
   * its region (an office's: every department's within its region).
   */
  async prefill(caller: Caller, year: number): Promise<Counts> {
    const rows = await this.deps.store.figureRows(year, caller.region);
    return sumRows(
      rows,
      (r) =>
        inScope(caller.region, r.region) && (caller.role === OFFICE_ROLE || r.department === caller.role),
    );
  }

  /** Submits (or resubmits after a return) the caller's report of a year. */
  async submit(caller: Caller, input: SubmitInput): Promise<{ doc: SubmissionDoc; created: boolean }> {
    if (caller.role !== OFFICE_ROLE && !MEMBER_ROLES.includes(caller.role))
      throw E.notAMemberRole.error(`the role "${caller.role}" does not report to a coordination office`);
    const platform = await this.prefill(caller, input.year);
    const id = submissionId(input.year, caller.region, caller.agencyId);
    const now = this.deps.clock.now();
    try {
      const { doc, result } = await this.deps.store.submissions.upsert(id, (current) =>
        submit(current, caller, input, platform, now, this.deps.calendar),
      );
      if (!doc) throw new Error(`submission ${id} was neither found nor written`);
      return { doc, created: result?.created ?? false };
    } catch (err) {
      refused(err);
    }
  }

  /** A submission the caller may read (its own, or one within its office's region); 404 otherwise. */
  async get(caller: Caller, id: string): Promise<SubmissionDoc> {
    const doc = await this.deps.store.submissions.get(id);
    if (!doc || !mayReadSubmission(caller, doc))
      throw E.submissionNotFound.error(`no submission "${id}" within your scope`);
    return doc;
  }

  /** The submissions of a year the caller may read. */
  async list(caller: Caller, year: number): Promise<SubmissionDoc[]> {
    const all = await this.deps.store.submissionsOf(year, caller.region);
    return all
      .filter((d) => mayReadSubmission(caller, d))
      .sort((a, b) => a.region.localeCompare(b.region) || a.agencyId.localeCompare(b.agencyId));
  }

  /** An office returns the version under review with a comment, or accepts it. */
  async review(caller: Caller, id: string, kind: Review['kind'], comment?: string): Promise<SubmissionDoc> {
    const found = await this.get(caller, id);
    if (!mayReview(caller, found))
      throw E.ownSubmission.error('an office does not review its own submission; the office above does');
    const now = this.deps.clock.now();
    try {
      const { doc } = await this.deps.store.submissions.update(
        id,
        (current) => review(current, caller, kind, comment, now),
        {
          notFound: () => E.submissionNotFound.error(`no submission "${id}" within your scope`),
        },
      );
      return doc;
    } catch (err) {
      refused(err);
    }
  }

  /** Enrols (or re-activates) a member department of a body within the office's region. */
  async enrol(caller: Caller, m: { agencyId: string; role: Role; region: string }): Promise<MemberDoc> {
    if (!inScope(caller.region, m.region))
      throw E.memberNotFound.error(`the region ${m.region} is not within your scope (${caller.region})`);
    if (!MEMBER_ROLES.includes(m.role) && m.role !== OFFICE_ROLE)
      throw E.notAMemberRole.error(`the role "${m.role}" is not a member department`);
    const id = `${m.region}:${m.agencyId}`;
    const now = this.deps.clock.now().toISOString();
    const { doc } = await this.deps.store.members.upsert(id, (current) => {
      if (current?.active && current.role === m.role) return null;
      return {
        doc: {
          _id: id,
          ...m,
          enrolledAt: current?.enrolledAt ?? now,
          enrolledBy: caller.agencyId,
          active: true,
        },
        result: null,
      };
    });
    for (const year of openYears(this.deps.calendar, this.deps.clock.now())) await this.schedule(doc!, year);
    return doc!;
  }

  /** Retires a member department (no more reminders; not expected to report). */
  async retire(caller: Caller, region: string, agencyId: string): Promise<MemberDoc> {
    const id = `${region}:${agencyId}`;
    const notFound = () => E.memberNotFound.error(`no member "${agencyId}" of ${region} within your scope`);
    if (!inScope(caller.region, region)) throw notFound();
    const { doc } = await this.deps.store.members.update(
      id,
      (c) => (c.active ? { doc: { ...c, active: false }, result: null } : null),
      {
        notFound,
      },
    );
    return doc;
  }

  /** The active members within the caller's region. */
  async members(caller: Caller): Promise<MemberDoc[]> {
    return (await this.deps.store.activeMembers(caller.region))
      .filter((m) => inScope(caller.region, m.region))
      .sort((a, b) => a.region.localeCompare(b.region) || a.agencyId.localeCompare(b.agencyId));
  }

  /** Who within the caller's region is late for a year (none before the deadline). */
  async late(caller: Caller, year: number): Promise<LateMember[]> {
    const now = this.deps.clock.now();
    const subs = new Map((await this.deps.store.submissionsOf(year, caller.region)).map((d) => [d._id, d]));
    const out: LateMember[] = [];
    for (const m of await this.members(caller)) {
      const id = submissionId(year, m.region, m.agencyId);
      const s = subs.get(id);
      const state = lateState(
        this.deps.calendar,
        year,
        now,
        s ? { firstSubmittedAt: s.versions[0]!.submittedAt, status: s.status } : undefined,
      );
      if (state)
        out.push({
          agencyId: m.agencyId,
          role: m.role,
          region: m.region,
          submissionId: id,
          state,
          dueDate: dueDate(year),
        });
    }
    return out;
  }

  /** Puts a member's report of a year into the reminder index (at its opening; the pass finds the right stage). */
  async schedule(m: Pick<MemberDoc, 'agencyId' | 'region'>, year: number): Promise<void> {
    await this.deps.index.bringForward(
      submissionId(year, m.region, m.agencyId),
      reminderTimes(this.deps.calendar, year).opening,
    );
  }

  /** Every active member's open years into the index (at start). */
  async rebuildReminders(): Promise<number> {
    let n = 0;
    const years = openYears(this.deps.calendar, this.deps.clock.now());
    for (const m of await this.deps.store.activeMembers())
      for (const year of years) {
        await this.schedule(m, year);
        n++;
      }
    return n;
  }

  /**
   * One due report: raises the reminder its stage calls for (once: a claim under a
   * deterministic id), then sets the index to the next stage, or moves on to the next year once
   * the department has submitted or the overdue reminder is out. Returns reminders raised.
   */
  async remind(id: string): Promise<number> {
    const [y, region, ...rest] = id.split(':');
    const year = Number(y);
    const agencyId = rest.join(':');
    const member = region ? await this.deps.store.members.get(`${region}:${agencyId}`) : null;
    if (!member?.active || !Number.isInteger(year)) {
      await this.deps.index.set(id, null);
      return 0;
    }
    if (await this.deps.store.submissions.get(id)) {
      await this.deps.index.set(id, null);
      await this.schedule(member, year + 1);
      return 0;
    }
    const now = this.deps.clock.now();
    const raised = await this.deps.store.raisedStages(id, ReminderStages);
    const { stage, next } = reminderDue(this.deps.calendar, year, now, raised);
    let count = 0;
    if (stage) {
      const remindedAt = now.toISOString();
      const event = createEvent(
        'homeward.coordination.submission-reminder',
        {
          submissionId: id,
          year,
          region: member.region,
          agencyId: member.agencyId,
          role: member.role,
          stage,
          dueDate: dueDate(year),
          remindedAt,
        },
        { source: SOURCE, subject: id, id: `${id}:${stage}:reminder` },
      );
      if (
        await this.deps.store.claimReminder({ _id: `${id}:${stage}`, submissionId: id, stage, remindedAt }, [
          event,
        ])
      )
        count = 1;
    }
    await this.deps.index.set(id, next ?? null);
    if (!next) await this.schedule(member, year + 1);
    return count;
  }
}
