import type { CancelReason, CaseKind, EventData, HomewardEvent, RegionLevel } from '@homeward/events';

import { type AggregateStore, DocumentNotFound, type FactStore } from '@homeward/persistence';
import {
  type Clock,
  type DueIndex,
  ensureInScope,
  type Logger,
  NotFoundError,
  type Principal,
  type Roster,
  type Scoped,
  scopeFilter,
  withScope,
} from '@homeward/service-kit';
import { type CaseAccessAction, caseScopeFilter, mayReach } from './domain/access.ts';
import type { AlertState } from './domain/alert-plan.ts';
import {
  type AssistanceRequest,
  answerAssistance,
  isCasePolice,
  requestAssistance,
  revokeAssistance,
} from './domain/assistance.ts';
import { type Assistance, type CaseDoc, type LeadRecord, leadRowId } from './domain/case.ts';
import {
  addLead,
  addVictims,
  alertOf,
  assignTeam,
  cancelCaseAlert,
  casesOfMatch,
  close,
  type Decision,
  type EscalationPlan,
  escalateCaseAlert,
  type HouseholdInput,
  issueCaseAlert,
  issuesAtOnce,
  type LocatedInput,
  locate,
  markIdentified,
  moveAlertCentre,
  newLead,
  openedCase,
  type RescuedInput,
  recordHousehold,
  rescue,
  type TeamRequest,
} from './domain/case-plan.ts';
import type { EscalationPolicy } from './domain/escalation-policy.ts';
import { caseIdOfAlert } from './domain/ids.ts';
import type { CaseStatus } from './domain/lifecycle.ts';
import { type TeamClockPolicy, teamDeadline, teamOverdueAt, teamOverdueEvent } from './domain/team-clock.ts';
import type { NewVictim, VictimRecord } from './domain/victims.ts';
import { Errors } from './errors.ts';

/** A unit's acknowledgement of an alert: `_id` `<alertId>:<unitId>`, so each unit counts once. */
export interface AckFact {
  _id: string;
  alertId: string;
  unitId: string;
  acknowledgedAt: Date;
}

/** That a case's team-overdue was raised, with that event: `_id` the case id, so once. */
export interface TeamClaim {
  _id: string;
  detectedAt: string;
}

export interface CaseServiceDeps {
  cases: AggregateStore<CaseDoc>;
  /** Leads, one row each (`<caseId>:<leadId>`), out of the case document so it stays bounded. */
  leads: FactStore<LeadRecord>;
  /** Unit acknowledgements, one fact per unit and alert. */
  acks: FactStore<AckFact>;
  /** Alert id → when it next comes due (the running alert of each case). */
  schedule: DueIndex;
  clock: Clock;
  logger: Logger;
  policy: EscalationPolicy;
  /** Case id → when it is overdue for its special team. */
  teamIndex: DueIndex;
  teamClaims: FactStore<TeamClaim>;
  teamPolicy: TeamClockPolicy;
  /** The deployment's police roster: who may lead a case and who the team's leads are. */
  roster: Roster;
}

export interface CaseListFilter {
  status?: CaseStatus;
  kind?: CaseKind;
  /** A division at any level: matches the cases inside it. */
  region?: { level: RegionLevel; code: string };
}

export type EscalationOutcome = EscalationPlan['outcome'];

/**
 * The application service of a case and its alerts: load the case, decide (domain/case-plan),
 * write it with its events in one write under the case's lease, and keep the due-time index
 * in step. Nothing else: no rule lives here.
 */
export class CaseService {
  constructor(private readonly deps: CaseServiceDeps) {}

  /** A case the caller reaches; one outside its scope is 404, as a missing one. */
  async getCase(caseId: string, by: Principal): Promise<CaseDoc> {
    const doc = await this.deps.cases.get(caseId);
    if (!doc || !mayReach(doc, by, 'read')) throw Errors.caseNotFound.error(`no case "${caseId}"`);
    return doc;
  }

  /** An alert, read from its case (the alert id names it), if the caller reaches the case. */
  async getAlert(alertId: string, by: Principal): Promise<AlertState> {
    const caseId = caseIdOfAlert(alertId);
    const doc = caseId ? await this.deps.cases.get(caseId) : null;
    if (!doc || !mayReach(doc, by, 'read')) throw Errors.alertNotFound.error(`no alert "${alertId}"`);
    return alertOf(doc, alertId);
  }

  /** Cases newest first, without their large parts (not a hot path: see the store). */
  async listCases(
    filter: CaseListFilter,
    page: { limit: number; offset: number },
    by: Principal,
  ): Promise<{ items: CaseDoc[]; total: number }> {
    const wanted: Record<string, string> = {};
    if (filter.status) wanted.status = filter.status;
    if (filter.kind) wanted.kind = filter.kind;
    if (filter.region)
      wanted[filter.region.level === 'county' ? 'region' : filter.region.level] = filter.region.code;
    // The caller's scope is part of the store query: nothing outside it is read or counted.
    const q = withScope(wanted, caseScopeFilter(by));
    const [items, total] = await Promise.all([
      this.deps.cases.list(q, {
        sort: { openedAt: -1 },
        skip: page.offset,
        limit: page.limit,
        projection: { timeline: 0, recentLeads: 0, report: 0, alerts: 0 },
      }),
      this.deps.cases.count(q),
    ]);
    return { items, total };
  }

  /** How many units acknowledged an alert (counted from the facts, each unit once). */
  acknowledgements(alertId: string): Promise<number> {
    return this.deps.acks.count({ alertId });
  }

  /** One change of a case: decide on the current document, one write with its events. */
  private change<R>(caseId: string, decide: (doc: CaseDoc) => Decision<R> | null) {
    return this.deps.cases.update(caseId, decide, {
      notFound: () => Errors.caseNotFound.error(`no case "${caseId}"`),
    });
  }

  /**
   * A caller's change of a case: as {@link change}, but a case the caller does not reach for
   * `action` is refused as missing (404), checked under the lease on the document it changes.
   */
  private act<R>(
    caseId: string,
    by: Principal,
    action: CaseAccessAction,
    decide: (doc: CaseDoc) => Decision<R> | null,
  ) {
    return this.change(caseId, (doc) => {
      if (!mayReach(doc, by, action)) throw Errors.caseNotFound.error(`no case "${caseId}"`);
      return decide(doc);
    });
  }

  /** Keeps the index in step with an alert just written (MongoDB stays the truth). */
  private async schedule(alert: AlertState): Promise<void> {
    await this.deps.schedule.set(alert.alertId, alert.status === 'active' ? alert.nextDueAt : null);
  }

  /** Records a new case from `homeward.case.opened` and starts its team clock; false if it was known already. */
  async recordOpened(event: HomewardEvent<'homeward.case.opened'>): Promise<boolean> {
    const doc = openedCase(event, this.deps.clock.now());
    const fresh = await this.deps.cases.insertOnce(doc);
    if (fresh) await this.deps.teamIndex.bringForward(doc._id, teamDeadline(doc, this.deps.teamPolicy));
    return fresh;
  }

  /**
   * After a case.opened: a police missing-child report has its alert issued at once, once
   * however often the event comes (a case that has an alert, or moved on, is left alone).
   */
  async afterOpened(d: EventData<'homeward.case.opened'>): Promise<AlertState | null> {
    if (!issuesAtOnce(d)) return null;
    const now = this.deps.clock.now();
    const { result } = await this.change(d.caseId, (doc) =>
      doc.alerts.length > 0 || doc.status !== 'opened' ? null : issueCaseAlert(doc, this.deps.policy, now),
    );
    if (result) await this.issued(result);
    return result;
  }

  /**
   * A lead: the case numbers it, counts it and keeps it among its newest (skipping a lead it
   * holds already), then its row is inserted once under that number. A crash between the two
   * is finished by the redelivery: the case finds the lead among its newest and the row goes in
   * under the number it was given. An event handled to the end never comes back (the consumer
   * runner drops it by its id), so the newest leads are window enough to tell a repeat. An
   * unknown case is refused before anything is written.
   */
  async recordLead(event: HomewardEvent<'homeward.case.lead-added'>): Promise<void> {
    const now = this.deps.clock.now();
    const lead = newLead(event);
    const { doc, result } = await this.change(lead.caseId, (c) => addLead(c, lead, now));
    const row = result ?? doc.recentLeads.find((l) => l.leadId === lead.leadId);
    if (row) await this.deps.leads.insertOnce(row);
  }

  /**
   * A page of a case's leads, oldest first, and how many it has: exact `_id` reads of the rows
   * numbered `offset + 1` onwards, a few at a time, so a page costs the same on the 10,000th
   * lead as on the first.
   */
  async listLeads(
    caseId: string,
    by: Principal,
    page: { limit: number; offset: number },
  ): Promise<{ doc: CaseDoc; items: LeadRecord[]; total: number }> {
    const doc = await this.getCase(caseId, by);
    const seqs: number[] = [];
    for (let seq = page.offset + 1; seq <= Math.min(doc.leadCount, page.offset + page.limit); seq++)
      seqs.push(seq);
    const items: LeadRecord[] = [];
    for (let i = 0; i < seqs.length; i += 20) {
      const rows = await Promise.all(
        seqs.slice(i, i + 20).map((seq) => this.deps.leads.get(leadRowId(caseId, seq))),
      );
      for (const row of rows) if (row) items.push(row);
    }
    return { doc, items, total: doc.leadCount };
  }

  /**
   * A confirmed match identifies the child on the parents' case and on the child's own, and
   * links them (each once per match). A case this service does not know is skipped; if it knows
   * neither, the event is refused (the handler dead-letters it). Returns the cases changed.
   */
  async recordIdentified(event: HomewardEvent<'homeward.dna.match-confirmed'>): Promise<string[]> {
    const now = this.deps.clock.now();
    const known: string[] = [];
    let missing: unknown;
    for (const caseId of casesOfMatch(event.data)) {
      try {
        await this.change(caseId, (doc) => markIdentified(doc, event, now));
        known.push(caseId);
      } catch (err) {
        if (!(err instanceof NotFoundError)) throw err;
        missing = err;
        this.deps.logger.warn(
          { caseId, matchId: event.data.matchId },
          'confirmed match names an unknown case',
        );
      }
    }
    if (known.length === 0 && missing) throw missing;
    return known;
  }

  /**
   * Police record the buying household after the rescue, state there is none, or clear the
   * current guardian; a case outside the caller's region is 404, as a missing one.
   */
  async recordHousehold(caseId: string, input: HouseholdInput, by: Principal): Promise<CaseDoc> {
    const now = this.deps.clock.now();
    const notFound = () => Errors.caseNotFound.error(`no case "${caseId}"`);
    return (
      await this.change(caseId, (doc) => {
        ensureInScope(by, doc, (d) => d.region, notFound);
        return recordHousehold(doc, input, by, now);
      })
    ).doc;
  }

  /** Names the team by roster ids; the roster, not the caller, says who they are and may lead. */
  async assignTeam(caseId: string, team: TeamRequest, by: Principal): Promise<CaseDoc> {
    const now = this.deps.clock.now();
    const roster = this.deps.roster;
    const { doc } = await this.act(caseId, by, 'assign-team', (d) =>
      assignTeam(d, team, (id) => roster.officer(id), by, now),
    );
    await this.deps.teamIndex.set(caseId, null);
    return doc;
  }

  /**
   * The team clock for one case: if it ran out, raises `homeward.case.team-overdue` in the outbox
   * of a claim whose `_id` is the case id (a taken `_id` fails atomically: any number of
   * checkers, and restarts, raise it once); then leaves the index right (the deadline still to
   * come, or no entry). Returns how many it raised (0 or 1).
   */
  async raiseTeamOverdue(caseId: string): Promise<number> {
    const doc = await this.deps.cases.get(caseId);
    const now = this.deps.clock.now();
    const deadline = doc ? teamDeadline(doc, this.deps.teamPolicy) : undefined;
    if (!doc || !deadline || now.getTime() < deadline.getTime()) {
      await this.deps.teamIndex.set(caseId, deadline ?? null);
      return 0;
    }
    const raised = await this.deps.teamClaims.insertOnce({ _id: caseId, detectedAt: now.toISOString() }, [
      teamOverdueEvent(doc, this.deps.teamPolicy, now),
    ]);
    await this.deps.teamIndex.set(caseId, null);
    if (raised) this.deps.logger.info({ caseId, deadline }, 'special team overdue');
    return raised ? 1 : 0;
  }

  /** Refills the team clock's index from MongoDB (at start): every case still waiting for its team. */
  async rebuildTeamClock(): Promise<number> {
    const waiting = await this.deps.cases.list(
      { team: { $exists: false }, status: { $ne: 'closed' } },
      { projection: { _id: 1, kind: 1, openedAt: 1, status: 1 } },
    );
    const entries: Array<[string, Date]> = [];
    for (const doc of waiting) {
      const at = teamDeadline(doc, this.deps.teamPolicy);
      if (at) entries.push([doc._id, at]);
    }
    await this.deps.teamIndex.bringForwardAll(entries);
    return entries.length;
  }

  /** Cases in the caller's scope whose team is overdue now, longest overdue first (a listing: reads the cases). */
  async overdueTeams(caller: Scoped): Promise<Array<{ doc: CaseDoc; dueAt: Date }>> {
    const now = this.deps.clock.now();
    const waiting = await this.deps.cases.list(
      withScope({ team: { $exists: false }, status: { $ne: 'closed' } }, scopeFilter(caller, 'region')),
      { projection: { timeline: 0, leads: 0, report: 0, alerts: 0 } },
    );
    return waiting
      .filter((d) => teamOverdueAt(d, this.deps.teamPolicy, now))
      .map((doc) => ({ doc, dueAt: teamDeadline(doc, this.deps.teamPolicy)! }))
      .sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime() || a.doc._id.localeCompare(b.doc._id));
  }

  async issueAlert(caseId: string, by: Principal): Promise<AlertState> {
    const now = this.deps.clock.now();
    const { result } = await this.act(caseId, by, 'issue-alert', (doc) =>
      issueCaseAlert(doc, this.deps.policy, now),
    );
    // issueCaseAlert decides or throws: a result is always there.
    await this.issued(result!);
    return result!;
  }

  private async issued(alert: AlertState): Promise<void> {
    await this.schedule(alert);
    this.deps.logger.info(
      { alertId: alert.alertId, caseId: alert.caseId, radiusKm: alert.radiusKm, step: alert.step },
      'alert issued',
    );
  }

  /** Police add victims found later, several in one action. */
  async addVictims(
    caseId: string,
    input: { victims: NewVictim[]; foundAt?: string },
    by: Principal,
  ): Promise<{ doc: CaseDoc; added: VictimRecord[] }> {
    const now = this.deps.clock.now();
    const { doc, result } = await this.change(caseId, (d) => {
      // A case outside the caller's region answers as a missing one.
      ensureInScope(
        by,
        d,
        (c) => c.region,
        () => Errors.caseNotFound.error(`no case "${caseId}"`),
      );
      return addVictims(d, input, by, now);
    });
    return { doc, added: result! };
  }

  async locate(caseId: string, input: LocatedInput, by: Principal): Promise<CaseDoc> {
    const now = this.deps.clock.now();
    return this.ended((await this.act(caseId, by, 'locate', (doc) => locate(doc, input, by, now))).doc);
  }

  async rescue(caseId: string, input: RescuedInput, by: Principal): Promise<CaseDoc> {
    const now = this.deps.clock.now();
    return this.ended((await this.act(caseId, by, 'rescue', (doc) => rescue(doc, input, by, now))).doc);
  }

  /** After located or rescued: the alerts that ended with the search leave the index. */
  private async ended(doc: CaseDoc): Promise<CaseDoc> {
    for (const alert of doc.alerts) if (alert.status !== 'active') await this.schedule(alert);
    return doc;
  }

  async close(caseId: string, reason: string, by: Principal): Promise<CaseDoc> {
    const now = this.deps.clock.now();
    return (await this.act(caseId, by, 'close', (doc) => close(doc, reason, by, now))).doc;
  }

  /** The case's own police ask another region's police to assist (404 for anyone else). */
  async requestAssistance(caseId: string, input: AssistanceRequest, by: Principal): Promise<Assistance> {
    const now = this.deps.clock.now();
    const { result } = await this.change(caseId, (doc) => {
      if (!isCasePolice(doc, by)) throw Errors.caseNotFound.error(`no case "${caseId}"`);
      return requestAssistance(doc, input, by, now);
    });
    return result!;
  }

  /** The addressed region's police accept or decline (404 for anyone else). */
  async answerAssistance(
    caseId: string,
    assistanceId: string,
    answer: 'accepted' | 'declined',
    by: Principal,
  ): Promise<Assistance> {
    const now = this.deps.clock.now();
    const notFound = () =>
      Errors.assistanceNotFound.error(`no assistance "${assistanceId}" on case "${caseId}"`);
    const { result } = await this.deps.cases.update(
      caseId,
      (doc) => answerAssistance(doc, assistanceId, answer, by, now),
      { notFound },
    );
    return result!;
  }

  /** The case's own police end an assistance (404 for anyone else). */
  async revokeAssistance(caseId: string, assistanceId: string, by: Principal): Promise<Assistance> {
    const now = this.deps.clock.now();
    const { result } = await this.change(caseId, (doc) => {
      if (!isCasePolice(doc, by)) throw Errors.caseNotFound.error(`no case "${caseId}"`);
      return revokeAssistance(doc, assistanceId, by, now);
    });
    return result!;
  }

  /** Police cancel an alert with a reason every notified unit is told. */
  async cancelAlert(
    alertId: string,
    reason: CancelReason,
    note: string | undefined,
    by: Principal,
  ): Promise<AlertState> {
    const now = this.deps.clock.now();
    const alert = await this.changeAlert(alertId, by, 'cancel-alert', (doc) =>
      cancelCaseAlert(doc, alertId, { reason, note }, by, now),
    );
    await this.schedule(alert);
    this.deps.logger.info({ alertId, caseId: alert.caseId, reason }, 'alert cancelled');
    return alert;
  }

  /** Police move a running alert's centre to a lead's place (the schedule does not change). */
  async moveCentre(alertId: string, leadId: string, by: Principal): Promise<AlertState> {
    const now = this.deps.clock.now();
    const caseId = caseIdOfAlert(alertId);
    const lead = caseId ? await this.findLead(caseId, leadId) : null;
    return this.changeAlert(alertId, by, 'move-centre', (doc) =>
      moveAlertCentre(doc, alertId, leadId, lead, by, now),
    );
  }

  /**
   * A lead of a case by its id: among the newest on the case document, else from its row (a
   * filtered read of `case_leads`: a police action, not a hot path).
   */
  private async findLead(caseId: string, leadId: string): Promise<LeadRecord | null> {
    const doc = await this.deps.cases.get(caseId);
    const recent = doc?.recentLeads.find((l) => l.leadId === leadId);
    if (recent || !doc) return recent ?? null;
    const [row] = await this.deps.leads.list({ caseId, leadId }, { limit: 1 });
    return row ?? null;
  }

  private async changeAlert(
    alertId: string,
    by: Principal,
    action: CaseAccessAction,
    decide: (doc: CaseDoc) => Decision<AlertState>,
  ): Promise<AlertState> {
    const notFound = () => Errors.alertNotFound.error(`no alert "${alertId}"`);
    const caseId = caseIdOfAlert(alertId);
    if (!caseId) throw notFound();
    const scoped = (doc: CaseDoc) => {
      if (!mayReach(doc, by, action)) throw notFound();
      return decide(doc);
    };
    // The decisions given here decide or throw: a result is always there.
    return (await this.deps.cases.update(caseId, scoped, { notFound })).result!;
  }

  /**
   * Widens an alert the index says is due, if the case document agrees, and leaves the index
   * right (the next due time, or no entry). Concurrent callers queue on the case's lease, and
   * the later ones find the step done: each step happens once.
   */
  async escalateIfDue(alertId: string): Promise<EscalationOutcome> {
    const caseId = caseIdOfAlert(alertId);
    const now = this.deps.clock.now();
    let plan: EscalationPlan = { outcome: 'ended', nextDueAt: null, decision: null };
    try {
      if (caseId) {
        await this.deps.cases.update(caseId, (doc) => {
          plan = escalateCaseAlert(doc, alertId, this.deps.policy, now);
          return plan.decision;
        });
      }
    } catch (err) {
      // An index entry of a case that is not there: nothing to widen, the entry goes.
      if (!(err instanceof DocumentNotFound)) throw err;
    }
    await this.deps.schedule.set(alertId, plan.nextDueAt);
    if (plan.outcome === 'escalated')
      this.deps.logger.info({ alertId, caseId, nextDueAt: plan.nextDueAt }, 'alert escalated');
    return plan.outcome;
  }

  /** Refills the due-time index from MongoDB (at start): the running alert of each case. */
  async rebuildSchedule(): Promise<number> {
    const searching = await this.deps.cases.list(
      { activeAlertId: { $ne: null } },
      { projection: { timeline: 0, recentLeads: 0, report: 0 } },
    );
    const entries: Array<[string, Date]> = [];
    for (const doc of searching) {
      const alert = doc.alerts.find((a) => a.alertId === doc.activeAlertId);
      if (alert?.status === 'active' && alert.nextDueAt) entries.push([alert.alertId, alert.nextDueAt]);
    }
    await this.deps.schedule.bringForwardAll(entries);
    return entries.length;
  }

  /**
   * Records a unit's acknowledgement of an alert as an append-only fact, each unit once. Kept
   * out of the case document: an alert may reach thousands of units. False for an alert this
   * service does not know.
   */
  async recordAck(alertId: string, unitId: string, acknowledgedAt: Date): Promise<boolean> {
    const caseId = caseIdOfAlert(alertId);
    const doc = caseId ? await this.deps.cases.get(caseId) : null;
    if (!doc?.alerts.some((a) => a.alertId === alertId)) return false;
    await this.deps.acks.insertOnce({ _id: `${alertId}:${unitId}`, alertId, unitId, acknowledgedAt });
    return true;
  }
}
