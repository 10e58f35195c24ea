import { type Actor, createEvent, type EventData, type HomewardEvent } from '@homeward/events';
import { type OutboxRelay, withOutbox } from '@homeward/messaging';
import type { RedisLocks } from '@homeward/service-kit';
import {
  AppError,
  type Clock,
  ConflictError,
  type Logger,
  NotFoundError,
  type Principal,
  RuleViolationError,
} from '@homeward/service-kit';
import type { Collection, Document, UpdateFilter } from 'mongodb';
import { searcherView } from './domain/alert-content.ts';
import { type EscalationPolicy, radiusOf, rungEndsAt, rungFor } from './domain/escalation-policy.ts';
import { alertEventIds, alertIdFor, caseEventId } from './domain/ids.ts';
import { type CaseAction, transition } from './domain/lifecycle.ts';
import { chiefMayLead, regionAncestors } from './domain/regions.ts';
import type { AlertSchedule } from './store/alert-schedule.ts';
import type {
  AlertDoc,
  AlertHistoryEntry,
  AlertStore,
  CancelReason,
  StepClaim,
} from './store/alert-store.ts';
import type { CaseDoc, CaseStore, TimelineEntry } from './store/case-store.ts';

export const SOURCE = 'homeward/rescue-coordination';

/** Stable error codes of this service (each its own problem `type`). */
export const Errors = {
  caseNotFound: 'RESCUE_ERR_CASE_NOT_FOUND',
  alertNotFound: 'RESCUE_ERR_ALERT_NOT_FOUND',
  leadNotFound: 'RESCUE_ERR_LEAD_NOT_FOUND',
  invalidTransition: 'RESCUE_ERR_INVALID_TRANSITION',
  alertActive: 'RESCUE_ERR_ALERT_ACTIVE',
  alertEnded: 'RESCUE_ERR_ALERT_ENDED',
  alertNotApplicable: 'RESCUE_ERR_ALERT_NOT_APPLICABLE',
  chiefRegion: 'RESCUE_ERR_CHIEF_REGION',
  concurrentUpdate: 'RESCUE_ERR_CONCURRENT_UPDATE',
} as const;

type Officer = EventData<'homeward.case.team-assigned'>['chief'];
export interface TeamInput {
  chief: Officer;
  investigationLead: Officer;
  rescueLead: Officer;
  familyLiaisonLead: Officer;
}
export type LocatedInput = Omit<EventData<'homeward.case.child-located'>, 'caseId' | 'locatedAt'> & {
  locatedAt?: string;
};
export type RescuedInput = Omit<EventData<'homeward.case.child-rescued'>, 'caseId' | 'rescuedAt'> & {
  rescuedAt?: string;
};

/** What a case change does: fields to set, entries to push, events to publish with it. */
interface CasePlan<R> {
  set?: Partial<CaseDoc>;
  push?: Record<string, unknown>;
  events?: HomewardEvent[];
  result: R;
}

export interface CoordinatorDeps {
  cases: CaseStore;
  alerts: AlertStore;
  schedule: AlertSchedule;
  locks: RedisLocks;
  relay: OutboxRelay;
  clock: Clock;
  logger: Logger;
  policy: EscalationPolicy;
}

export type EscalationOutcome = 'escalated' | 'not-due' | 'ended' | 'cancelled-stale' | 'lost-race' | 'final';

const actor = (p: Principal): Actor => ({ agencyId: p.agencyId, role: p.role, region: p.region });
const who = (p: Principal) => ({ agencyId: p.agencyId, role: p.role });

/** A line of the case's timeline for an event this service recorded. */
function timelineEntry(
  event: { type: string; id: string },
  at: Date,
  details: Record<string, unknown>,
  by?: { agencyId: string; role: string },
): TimelineEntry {
  return { at, type: event.type, eventId: event.id, ...(by ? { by } : {}), details };
}

/**
 * The police's side of a case: the lifecycle, the team, and the rapid search alert. Every case
 * change is a compare-and-set on the case's `version` that carries its events in the same
 * write (the outbox); every alert change is a compare-and-set on the alert's `step`. The case
 * decides first and the alert follows, and whatever a crash leaves between the two is finished
 * by {@link Coordinator.reconcile} (on a retry, at start, or when the alert next comes due).
 */
export class Coordinator {
  constructor(private readonly deps: CoordinatorDeps) {}

  // ---- cases -------------------------------------------------------------------------------

  async getCase(caseId: string): Promise<CaseDoc> {
    const doc = await this.deps.cases.find(caseId);
    if (!doc) throw new NotFoundError(`no case "${caseId}"`, Errors.caseNotFound);
    return doc;
  }

  /** Applies a plan to a case by compare-and-set on its version, re-deciding after a lost race. */
  /**
   * Applies a plan to a case under the case's lease: read, decide, one write with its events,
   * then wait for the relay to publish them before the next writer goes (FerretDB updates are
   * not isolated; see RedisLocks).
   */
  private changeCase<R>(
    caseId: string,
    decide: (doc: CaseDoc) => CasePlan<R> | null,
  ): Promise<{ doc: CaseDoc; result: R | null }> {
    return this.deps.locks.withLock(`case:${caseId}`, async () => {
      const doc = await this.getCase(caseId);
      const plan = decide(doc);
      if (!plan) return { doc, result: null };
      const update: UpdateFilter<CaseDoc> = {
        $set: { ...plan.set, updatedAt: this.deps.clock.now() },
        $inc: { version: 1 },
        ...(plan.push ? { $push: plan.push } : {}),
      } as UpdateFilter<CaseDoc>;
      const events = plan.events ?? [];
      // Filters are by `_id` alone: FerretDB reads the whole collection for any other filter
      // (and would not honour a version guard anyway); the lease is what serialises writers.
      const write = () => this.deps.cases.cases.updateOne({ _id: caseId }, withOutbox(update, events));
      const res = events.length > 0 ? await this.commit(this.deps.cases.cases, caseId, write) : await write();
      if (res.matchedCount !== 1)
        throw new ConflictError(`case "${caseId}" changed meanwhile; retry`, Errors.concurrentUpdate);
      return { doc: { ...doc, ...plan.set, version: doc.version + 1 }, result: plan.result };
    });
  }

  /** An outbox write, then its publication awaited (the caller holds the document's lease). */
  private async commit<T extends Document, R>(
    col: Collection<T>,
    id: string,
    write: () => Promise<R>,
  ): Promise<R> {
    const res = await this.deps.relay.commit(col, id, write);
    await this.deps.relay.notify(col, id);
    return res;
  }

  private step(doc: CaseDoc, action: CaseAction) {
    const t = transition(doc.status, action);
    if (!t.ok) throw new ConflictError(t.reason, Errors.invalidTransition);
    return t.next;
  }

  private caseEvent<
    T extends
      | 'homeward.case.team-assigned'
      | 'homeward.case.child-located'
      | 'homeward.case.child-rescued'
      | 'homeward.case.closed',
  >(type: T, data: EventData<T>, doc: CaseDoc, now: Date): HomewardEvent<T> {
    const what = type.slice('homeward.case.'.length);
    return createEvent(type, data, {
      source: SOURCE,
      subject: doc._id,
      time: now,
      id: caseEventId(doc._id, what, doc.version + 1),
    });
  }

  /** Records a new case from `homeward.case.opened`; false if it was known already. */
  async recordOpened(event: HomewardEvent<'homeward.case.opened'>): Promise<boolean> {
    const d = event.data;
    const now = this.deps.clock.now();
    const { province, prefecture } = regionAncestors(d.region);
    return this.deps.cases.insert({
      _id: d.caseId,
      version: 1,
      kind: d.kind,
      status: 'opened',
      region: d.region,
      province,
      prefecture,
      openedAt: new Date(d.openedAt),
      updatedAt: now,
      reportId: d.reportId,
      reportedBy: d.reportedBy,
      report: d.report,
      alertIds: [],
      activeAlertId: null,
      leads: [],
      timeline: [
        {
          at: new Date(d.openedAt),
          type: event.type,
          eventId: event.id,
          by: { agencyId: d.reportedBy.agencyId, role: d.reportedBy.role },
          details: { kind: d.kind, region: d.region, reportId: d.reportId },
        },
      ],
    });
  }

  /** Adds a lead (sighting or duplicate report) to a case; a lead already there changes nothing. */
  async recordLead(event: HomewardEvent<'homeward.case.lead-added'>): Promise<void> {
    const d = event.data;
    await this.changeCase(d.caseId, (doc) => {
      if (doc.leads.some((l) => l.leadId === d.leadId)) return null;
      const lead = {
        leadId: d.leadId,
        addedAt: new Date(d.addedAt),
        origin: d.origin,
        seenAt: d.seenAt,
        reportedBy: d.reportedBy,
        ...(d.description ? { description: d.description } : {}),
        ...(d.photoUrl ? { photoUrl: d.photoUrl } : {}),
      };
      const entry = timelineEntry(
        event,
        new Date(d.addedAt),
        { leadId: d.leadId, origin: d.origin, seenAt: d.seenAt },
        { agencyId: d.reportedBy.agencyId, role: d.reportedBy.role },
      );
      return { push: { leads: lead, timeline: entry }, result: true };
    });
  }

  /** A confirmed DNA match identifies the child; the same match again changes nothing. */
  async recordIdentified(event: HomewardEvent<'homeward.dna.match-confirmed'>): Promise<void> {
    const d = event.data;
    if (!d.caseId) return;
    await this.changeCase(d.caseId, (doc) => {
      if (doc.identified?.matchId === d.matchId) return null;
      const identified = {
        matchId: d.matchId,
        childSampleId: d.childSampleId,
        parentSampleIds: d.parentSampleIds,
        confirmedAt: d.confirmedAt,
        confirmedBy: d.confirmedBy,
      };
      const entry = timelineEntry(event, new Date(d.confirmedAt), {
        matchId: d.matchId,
        confirmedBy: d.confirmedBy,
      });
      return { set: { identified }, push: { timeline: entry }, result: true };
    });
  }

  /** Names the chief and the three leads; the chief must be police of the case's region or above. */
  async assignTeam(caseId: string, team: TeamInput, by: Principal) {
    const now = this.deps.clock.now();
    const { doc } = await this.changeCase(caseId, (doc) => {
      this.step(doc, 'assign-team');
      if (!chiefMayLead(team.chief.region, doc.region)) {
        throw new RuleViolationError(
          `the chief's division ${team.chief.region} does not contain the case's division ${doc.region}: the chief must be police of county level or higher for the case's region`,
          Errors.chiefRegion,
          [{ field: '/chief/region', message: `must be ${doc.region}, its prefecture or its province` }],
        );
      }
      const data = { caseId, assignedAt: now.toISOString(), ...team };
      const event = this.caseEvent('homeward.case.team-assigned', data, doc, now);
      const entry = timelineEntry(event, now, { ...team }, who(by));
      return {
        set: { team: { assignedAt: now, ...team } },
        push: { timeline: entry },
        events: [event],
        result: true,
      };
    });
    return doc;
  }

  async locate(caseId: string, input: LocatedInput, by: Principal) {
    const now = this.deps.clock.now();
    const { doc } = await this.changeCase(caseId, (doc) => {
      const next = this.step(doc, 'locate');
      const data: EventData<'homeward.case.child-located'> = {
        ...input,
        caseId,
        locatedAt: input.locatedAt ?? now.toISOString(),
      };
      const event = this.caseEvent('homeward.case.child-located', data, doc, now);
      const entry = timelineEntry(
        event,
        now,
        {
          place: data.place,
          locatedAt: data.locatedAt,
          identified: data.identification !== undefined,
        },
        who(by),
      );
      return {
        set: { status: next, activeAlertId: null, located: { ...data, by: actor(by) } },
        push: { timeline: entry },
        events: [event],
        result: true,
      };
    });
    await this.reconcile(doc);
    return doc;
  }

  async rescue(caseId: string, input: RescuedInput, by: Principal) {
    const now = this.deps.clock.now();
    const { doc } = await this.changeCase(caseId, (doc) => {
      const next = this.step(doc, 'rescue');
      const data: EventData<'homeward.case.child-rescued'> = {
        ...input,
        caseId,
        rescuedAt: input.rescuedAt ?? now.toISOString(),
      };
      const event = this.caseEvent('homeward.case.child-rescued', data, doc, now);
      const entry = timelineEntry(
        event,
        now,
        {
          place: data.place,
          region: data.region,
          rescuedAt: data.rescuedAt,
          buyerHouseholdRecorded: data.buyerHousehold !== undefined,
          identified: data.identification !== undefined,
        },
        who(by),
      );
      return {
        set: { status: next, activeAlertId: null, rescued: { ...data, by: actor(by) } },
        push: { timeline: entry },
        events: [event],
        result: true,
      };
    });
    await this.reconcile(doc);
    return doc;
  }

  /** Closes a case. An alert still running must be cancelled first, with its own reason. */
  async close(caseId: string, reason: string, by: Principal) {
    const now = this.deps.clock.now();
    const current = await this.getCase(caseId);
    const running = await this.activeAlertOf(current);
    if (running) {
      throw new ConflictError(
        `alert "${running._id}" of this case is still running: cancel it (POST /v1/alerts/${running._id}/cancel) with its reason first`,
        Errors.alertActive,
      );
    }
    const { doc } = await this.changeCase(caseId, (doc) => {
      const next = this.step(doc, 'close');
      const event = this.caseEvent(
        'homeward.case.closed',
        { caseId, closedAt: now.toISOString(), reason },
        doc,
        now,
      );
      const entry = timelineEntry(event, now, { reason }, who(by));
      return {
        set: { status: next, closed: { closedAt: now, reason, by: actor(by) } },
        push: { timeline: entry },
        events: [event],
        result: true,
      };
    });
    return doc;
  }

  // ---- alerts ------------------------------------------------------------------------------

  getAlert = async (alertId: string): Promise<AlertDoc> => {
    const alert = await this.deps.alerts.find(alertId);
    if (!alert || alert.status === 'pending')
      throw new NotFoundError(`no alert "${alertId}"`, Errors.alertNotFound);
    return alert;
  };

  private async activeAlertOf(doc: CaseDoc): Promise<AlertDoc | null> {
    if (!doc.activeAlertId) return null;
    const alert = await this.deps.alerts.find(doc.activeAlertId);
    return alert?.status === 'active' ? alert : null;
  }

  private withAlertLock<R>(alertId: string, fn: () => Promise<R>): Promise<R> {
    return this.deps.locks.withLock(`alert:${alertId}`, fn);
  }

  /**
   * Issues the case's alert under the case's lease: a pending alert document first (never
   * published), then the case takes it on, then the alert is activated with `alert.issued` in
   * its outbox and put on the schedule. The radius is the rung the time since last seen calls for.
   */
  issueAlert(caseId: string): Promise<AlertDoc> {
    return this.deps.locks.withLock(`case:${caseId}`, async () => {
      const doc = await this.getCase(caseId);
      if (doc.kind !== 'missing-child' || doc.report.kind !== 'missing-child') {
        throw new RuleViolationError(
          `a rapid search alert is for a missing child; this case is "${doc.kind}"`,
          Errors.alertNotApplicable,
        );
      }
      if (doc.activeAlertId) {
        const existing = await this.deps.alerts.find(doc.activeAlertId);
        // A crash between the case write and the activation left it pending: finish it.
        if (existing?.status === 'pending') return this.activate(existing._id);
        if (existing?.status === 'active')
          throw new ConflictError(
            `alert "${existing._id}" of this case is already running`,
            Errors.alertActive,
          );
      }
      this.step(doc, 'issue-alert');
      const alertId = alertIdFor(caseId, doc.alertIds.length + 1);
      const now = this.deps.clock.now();
      const view = searcherView(doc.report);
      const lastSeenAt = new Date(view.lastSeenAt);
      const rung = rungFor(this.deps.policy, now.getTime() - lastSeenAt.getTime());
      const pending: AlertDoc = {
        _id: alertId,
        caseId,
        status: 'pending',
        createdAt: now,
        issuedAt: now,
        lastSeenAt,
        lastSeenPlace: view.lastSeenPlace,
        region: view.region,
        center: view.center,
        child: view.child,
        step: rung,
        rung,
        radiusKm: radiusOf(this.deps.policy, rung),
        nextDueAt: rungEndsAt(this.deps.policy, lastSeenAt, rung),
        history: [],
      };
      if (!(await this.deps.alerts.insertPending(pending))) {
        // Left pending by a crash before the case took it on: refresh it.
        if ((await this.deps.alerts.find(alertId))?.status !== 'pending')
          throw new ConflictError(`alert "${alertId}" exists already; retry`, Errors.concurrentUpdate);
        await this.deps.alerts.alerts.replaceOne({ _id: alertId }, pending);
      }
      await this.deps.cases.cases.updateOne(
        { _id: caseId },
        {
          $set: { status: 'searching', activeAlertId: alertId, updatedAt: now },
          $push: { alertIds: alertId },
          $inc: { version: 1 },
        },
      );
      return this.activate(alertId);
    });
  }

  /** Publishes a pending alert (its case has taken it on) and schedules its next widening. */
  private activate(alertId: string): Promise<AlertDoc> {
    return this.withAlertLock(alertId, async () => {
      const alert = await this.deps.alerts.find(alertId);
      if (!alert) throw new NotFoundError(`no alert "${alertId}"`, Errors.alertNotFound);
      if (alert.status !== 'pending') return alert;
      const issued = createEvent(
        'homeward.alert.issued',
        {
          alertId: alert._id,
          caseId: alert.caseId,
          issuedAt: alert.issuedAt.toISOString(),
          lastSeenAt: alert.lastSeenAt.toISOString(),
          lastSeenPlace: alert.lastSeenPlace,
          center: alert.center,
          region: alert.region,
          radiusKm: alert.radiusKm,
          step: alert.step,
          child: alert.child,
        },
        { source: SOURCE, subject: alert._id, time: alert.issuedAt, id: alertEventIds.issued(alert._id) },
      );
      const entry = {
        at: alert.issuedAt,
        type: issued.type,
        eventId: issued.id,
        step: alert.step,
        radiusKm: alert.radiusKm,
        center: alert.center,
      };
      await this.commit(this.deps.alerts.alerts, alert._id, () =>
        this.deps.alerts.alerts.updateOne(
          { _id: alert._id },
          withOutbox<AlertDoc>({ $set: { status: 'active' }, $push: { history: entry } }, [issued]),
        ),
      );
      await this.deps.schedule.set(alert._id, alert.nextDueAt);
      this.deps.logger.info(
        { alertId: alert._id, caseId: alert.caseId, radiusKm: alert.radiusKm, step: alert.step },
        'alert issued',
      );
      return { ...alert, status: 'active' as const, history: [entry] };
    });
  }

  /**
   * Applies step `step` of an alert exactly once. The step is first claimed by inserting
   * `<alertId>.step-<n>` (a unique `_id`: the one write FerretDB makes atomic), with the change
   * it stands for; only the claimer applies it. A claim whose claimer died before applying it
   * (older than the lease) is applied by whoever finds it, with the same event id.
   */
  private async applyStep(
    alert: AlertDoc,
    change: Pick<AlertDoc, 'step' | 'rung' | 'radiusKm' | 'nextDueAt' | 'center'>,
    event: HomewardEvent<'homeward.alert.escalated'>,
    entry: AlertHistoryEntry,
  ): Promise<boolean> {
    const claim: StepClaim = {
      _id: alertEventIds.step(alert._id, change.step),
      alertId: alert._id,
      fromStep: alert.step,
      change,
      event,
      entry,
      claimedAt: new Date(),
    };
    let plan = claim;
    if (!(await this.deps.alerts.claimStep(claim))) {
      const existing = await this.deps.alerts.findClaim(claim._id);
      if (!existing || Date.now() - existing.claimedAt.getTime() < this.deps.locks.leaseMs) return false;
      // A dead claimer's step: apply it unless that already happened.
      const current = await this.deps.alerts.find(alert._id);
      if (current?.status !== 'active' || current.step !== existing.fromStep) return false;
      plan = existing;
    }
    await this.commit(this.deps.alerts.alerts, alert._id, () =>
      this.deps.alerts.alerts.updateOne(
        { _id: alert._id },
        withOutbox<AlertDoc>({ $set: plan.change, $push: { history: plan.entry } }, [
          plan.event as HomewardEvent<'homeward.alert.escalated'>,
        ]),
      ),
    );
    await this.deps.schedule.set(alert._id, plan.change.nextDueAt);
    return true;
  }

  /**
   * Widens an alert whose time has come. The scheduler calls this holding the alert's lease;
   * the step claim keeps each step single even when a lease has expired under a slow holder.
   */
  async escalateIfDue(alertId: string): Promise<EscalationOutcome> {
    const alert = await this.deps.alerts.find(alertId);
    if (alert?.status !== 'active') {
      await this.deps.schedule.set(alertId, null);
      return 'ended';
    }
    const now = this.deps.clock.now();
    if (alert.nextDueAt === null) {
      await this.deps.schedule.set(alertId, null);
      return 'final';
    }
    if (alert.nextDueAt.getTime() > now.getTime()) {
      await this.deps.schedule.set(alertId, alert.nextDueAt);
      return 'not-due';
    }
    const kase = await this.deps.cases.find(alert.caseId);
    if (!kase || kase.activeAlertId !== alertId) {
      const reason = kase && ['located', 'rescued'].includes(kase.status) ? 'found' : 'withdrawn';
      await this.endAlertHeld(alert, reason);
      return 'cancelled-stale';
    }
    // Jump to the rung the elapsed time calls for: a service that was down hours widens once.
    const rung = Math.max(alert.rung, rungFor(this.deps.policy, now.getTime() - alert.lastSeenAt.getTime()));
    const nextDueAt = rungEndsAt(this.deps.policy, alert.lastSeenAt, rung);
    if (rung === alert.rung) {
      // The policy changed since the alert was scheduled: reschedule without a broadcast.
      await this.deps.alerts.alerts.updateOne({ _id: alertId }, { $set: { nextDueAt } });
      await this.deps.schedule.set(alertId, nextDueAt);
      return 'not-due';
    }
    const step = alert.step + 1;
    const radiusKm = radiusOf(this.deps.policy, rung);
    const event = createEvent(
      'homeward.alert.escalated',
      {
        alertId,
        caseId: alert.caseId,
        escalatedAt: now.toISOString(),
        center: alert.center,
        radiusKm,
        previousRadiusKm: alert.radiusKm,
        step,
      },
      { source: SOURCE, subject: alertId, time: now, id: alertEventIds.step(alertId, step) },
    );
    const entry: AlertHistoryEntry = {
      at: now,
      type: event.type,
      eventId: event.id,
      step,
      radiusKm,
      center: alert.center,
    };
    if (
      !(await this.applyStep(alert, { step, rung, radiusKm, nextDueAt, center: alert.center }, event, entry))
    )
      return 'lost-race';
    this.deps.logger.info({ alertId, caseId: alert.caseId, step, radiusKm }, 'alert escalated');
    return 'escalated';
  }

  /**
   * Moves a running alert's centre to a lead's place, on police's word. Published as
   * `alert.escalated` with the same radius (previousRadiusKm = radiusKm) and the next step
   * number, so units newly inside the moved circle are told; the schedule does not change.
   */
  moveCentre(alertId: string, leadId: string, by: Principal): Promise<AlertDoc> {
    return this.withAlertLock(alertId, async () => {
      const alert = await this.getAlert(alertId);
      if (alert.status !== 'active')
        throw new ConflictError(`alert "${alertId}" has ended`, Errors.alertEnded);
      const kase = await this.getCase(alert.caseId);
      const lead = kase.leads.find((l) => l.leadId === leadId);
      if (!lead) throw new NotFoundError(`case "${kase._id}" has no lead "${leadId}"`, Errors.leadNotFound);
      const now = this.deps.clock.now();
      const step = alert.step + 1;
      const center = { lat: lead.seenAt.lat, lon: lead.seenAt.lon };
      const event = createEvent(
        'homeward.alert.escalated',
        {
          alertId,
          caseId: alert.caseId,
          escalatedAt: now.toISOString(),
          center,
          radiusKm: alert.radiusKm,
          previousRadiusKm: alert.radiusKm,
          step,
        },
        { source: SOURCE, subject: alertId, time: now, id: alertEventIds.step(alertId, step) },
      );
      const entry: AlertHistoryEntry = {
        at: now,
        type: event.type,
        eventId: event.id,
        step,
        radiusKm: alert.radiusKm,
        center,
        leadId,
        by: who(by),
      };
      const change = { step, rung: alert.rung, radiusKm: alert.radiusKm, nextDueAt: alert.nextDueAt, center };
      if (!(await this.applyStep(alert, change, event, entry)))
        throw new ConflictError(`alert "${alertId}" changed meanwhile; retry`, Errors.concurrentUpdate);
      return { ...alert, ...change };
    });
  }

  /** Police cancel an alert with a reason every notified unit is told. */
  async cancelAlert(alertId: string, reason: CancelReason, note: string | undefined, by: Principal) {
    const ended = await this.withAlertLock(alertId, async () => {
      const alert = await this.getAlert(alertId);
      if (alert.status !== 'active')
        throw new ConflictError(`alert "${alertId}" has already ended`, Errors.alertEnded);
      return this.endAlertHeld(alert, reason, note, by);
    });
    return ended;
  }

  /**
   * Ends an alert; the caller holds its lease. Then the case stops pointing at it (under the
   * case's lease, unless it already moved on).
   */
  private async endAlertHeld(alert: AlertDoc, reason: CancelReason, note?: string, by?: Principal) {
    const now = this.deps.clock.now();
    const event = createEvent(
      'homeward.alert.cancelled',
      {
        alertId: alert._id,
        caseId: alert.caseId,
        cancelledAt: now.toISOString(),
        reason,
        ...(note ? { note } : {}),
      },
      { source: SOURCE, subject: alert._id, time: now, id: alertEventIds.cancelled(alert._id) },
    );
    const entry: AlertHistoryEntry = {
      at: now,
      type: event.type,
      eventId: event.id,
      reason,
      ...(by ? { by: who(by) } : {}),
    };
    const cancelled = { at: now, reason, ...(note ? { note } : {}) };
    await this.commit(this.deps.alerts.alerts, alert._id, () =>
      this.deps.alerts.alerts.updateOne(
        { _id: alert._id },
        withOutbox<AlertDoc>(
          { $set: { status: 'cancelled', nextDueAt: null, cancelled }, $push: { history: entry } },
          [event],
        ),
      ),
    );
    await this.deps.schedule.set(alert._id, null);
    await this.deps.locks.withLock(`case:${alert.caseId}`, async () => {
      const kase = await this.deps.cases.find(alert.caseId);
      if (kase?.activeAlertId === alert._id) {
        await this.deps.cases.cases.updateOne(
          { _id: alert.caseId },
          { $set: { activeAlertId: null, updatedAt: now }, $inc: { version: 1 } },
        );
      }
    });
    this.deps.logger.info({ alertId: alert._id, caseId: alert.caseId, reason }, 'alert cancelled');
    return { ...alert, status: 'cancelled' as const, cancelled, nextDueAt: null };
  }

  /**
   * Brings a case's alerts in line with the case (idempotent): a pending alert the case took on
   * is published; a running alert the case no longer searches with is cancelled (found, when
   * the child was located or rescued).
   */
  async reconcile(doc: CaseDoc): Promise<void> {
    for (const alertId of doc.alertIds) {
      const alert = await this.deps.alerts.find(alertId);
      if (!alert) continue;
      if (alert.status === 'pending' && doc.activeAlertId === alertId) await this.activate(alertId);
      else if (alert.status === 'active' && doc.activeAlertId !== alertId) {
        const reason = ['located', 'rescued'].includes(doc.status) ? 'found' : 'withdrawn';
        await this.withAlertLock(alertId, async () => {
          const current = await this.deps.alerts.find(alertId);
          if (current?.status === 'active') await this.endAlertHeld(current, reason);
        });
      }
    }
  }

  /** Rebuilds the Redis schedule from MongoDB (at start), finishing what a crash left. */
  async recoverSchedule(): Promise<number> {
    const unfinished = await this.deps.alerts.unfinished();
    const cases = new Map<string, CaseDoc | null>();
    let scheduled = 0;
    for (const alert of unfinished) {
      try {
        if (!cases.has(alert.caseId)) cases.set(alert.caseId, await this.deps.cases.find(alert.caseId));
        const kase = cases.get(alert.caseId);
        const pointed = kase?.activeAlertId === alert._id;
        if (kase && (alert.status === 'pending' ? pointed : !pointed)) {
          await this.reconcile(kase);
          continue;
        }
        if (alert.status === 'active') {
          await this.deps.schedule.set(alert._id, alert.nextDueAt);
          if (alert.nextDueAt) scheduled++;
        }
      } catch (err) {
        if (err instanceof AppError && !err.retriable) {
          this.deps.logger.warn({ err, alertId: alert._id }, 'alert not recovered');
        } else throw err;
      }
    }
    return scheduled;
  }

  /** Records a unit's acknowledgement on the alert (each unit once). */
  recordAck(alertId: string, unitId: string): Promise<boolean> {
    return this.withAlertLock(alertId, () => this.deps.alerts.recordAck(alertId, unitId));
  }

  /** Whether a new case from a police report should have its alert issued at once. */
  static issuesAtOnce(d: EventData<'homeward.case.opened'>): boolean {
    return d.kind === 'missing-child' && d.reportedBy.role === 'police';
  }

  /** After a case.opened: the police-report alert, issued once however often the event comes. */
  async afterOpened(d: EventData<'homeward.case.opened'>): Promise<AlertDoc | null> {
    const doc = await this.getCase(d.caseId);
    if (!Coordinator.issuesAtOnce(d) || doc.alertIds.length > 0 || doc.status !== 'opened') {
      await this.reconcile(doc);
      return null;
    }
    try {
      return await this.issueAlert(d.caseId);
    } catch (err) {
      // Police issued it by hand meanwhile, or the case moved on: nothing left to do.
      if (err instanceof ConflictError) return null;
      throw err;
    }
  }
}
