import type { CaseKind, HomewardEvent, RegionLevel } from '@homeward/events';
import type { AggregateStore, FactStore } from '@homeward/persistence';
import {
  type Clock,
  type DueIndex,
  ensureInScope,
  type Logger,
  NotFoundError,
  type Principal,
  type Roster,
  withScope,
} from '@homeward/service-kit';
import type { AckFact, AlertService } from './alert-service.ts';
import { actOnCase, changeCase, keepScheduled } from './case-writes.ts';
import { caseScopeFilter, mayReach } from './domain/access.ts';
import {
  type AssistanceRequest,
  answerAssistance,
  isCasePolice,
  requestAssistance,
  revokeAssistance,
} from './domain/assistance.ts';
import { type Assistance, type CaseDoc, type LeadRecord, leadRowId } from './domain/case.ts';
import { type HouseholdInput, recordHousehold } from './domain/case-household.ts';
import { casesOfMatch, markIdentified } from './domain/case-identification.ts';
import { addLead, newLead } from './domain/case-leads.ts';
import { assignTeam, close, openedCase, type TeamRequest } from './domain/case-plan.ts';
import { addVictims, type LocatedInput, locate, type RescuedInput, rescue } from './domain/case-recovery.ts';
import type { EscalationPolicy } from './domain/escalation-policy.ts';
import type { CaseStatus } from './domain/lifecycle.ts';
import { type TeamClockPolicy, teamDeadline } from './domain/team-clock.ts';
import type { NewVictim, VictimRecord } from './domain/victims.ts';
import { Errors } from './errors.ts';
import type { TeamClaim, TeamClockService } from './team-clock-service.ts';

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

/**
 * The application service of a case: load the case, decide (domain/case-plan and its neighbours),
 * write it with its events in one write under the case's lease, and keep the due-time indexes
 * in step. Nothing else: no rule lives here. Its alerts are {@link AlertService}'s, its team
 * clock {@link TeamClockService}'s; all three take the same deps.
 */
export class CaseService {
  constructor(private readonly deps: CaseServiceDeps) {}

  /** A case the caller reaches; one outside its scope is 404, as a missing one. */
  async getCase(caseId: string, by: Principal): Promise<CaseDoc> {
    const doc = await this.deps.cases.get(caseId);
    if (!doc || !mayReach(doc, by, 'read')) throw Errors.caseNotFound.error(`no case "${caseId}"`);
    return doc;
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

  /** Records a new case from `homeward.case.opened` and starts its team clock; false if it was known already. */
  async recordOpened(event: HomewardEvent<'homeward.case.opened'>): Promise<boolean> {
    const doc = openedCase(event, this.deps.clock.now());
    const fresh = await this.deps.cases.insertOnce(doc);
    if (fresh) await this.deps.teamIndex.bringForward(doc._id, teamDeadline(doc, this.deps.teamPolicy));
    return fresh;
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
    const { doc, result } = await changeCase(this.deps.cases, lead.caseId, (c) => addLead(c, lead, now));
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
        await changeCase(this.deps.cases, caseId, (doc) => markIdentified(doc, event, now));
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
      await changeCase(this.deps.cases, caseId, (doc) => {
        ensureInScope(by, doc, (d) => d.region, notFound);
        return recordHousehold(doc, input, by, now);
      })
    ).doc;
  }

  /** Names the team by roster ids; the roster, not the caller, says who they are and may lead. */
  async assignTeam(caseId: string, team: TeamRequest, by: Principal): Promise<CaseDoc> {
    const now = this.deps.clock.now();
    const roster = this.deps.roster;
    const { doc } = await actOnCase(this.deps.cases, caseId, by, 'assign-team', (d) =>
      assignTeam(d, team, (id) => roster.officer(id), by, now),
    );
    await this.deps.teamIndex.set(caseId, null);
    return doc;
  }

  /** Police add victims found later, several in one action. */
  async addVictims(
    caseId: string,
    input: { victims: NewVictim[]; foundAt?: string },
    by: Principal,
  ): Promise<{ doc: CaseDoc; added: VictimRecord[] }> {
    const now = this.deps.clock.now();
    const { doc, result } = await changeCase(this.deps.cases, caseId, (d) => {
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
    return this.ended(
      (await actOnCase(this.deps.cases, caseId, by, 'locate', (doc) => locate(doc, input, by, now))).doc,
    );
  }

  async rescue(caseId: string, input: RescuedInput, by: Principal): Promise<CaseDoc> {
    const now = this.deps.clock.now();
    return this.ended(
      (await actOnCase(this.deps.cases, caseId, by, 'rescue', (doc) => rescue(doc, input, by, now))).doc,
    );
  }

  /** After located or rescued: the alerts that ended with the search leave the index. */
  private async ended(doc: CaseDoc): Promise<CaseDoc> {
    for (const alert of doc.alerts)
      if (alert.status !== 'active') await keepScheduled(this.deps.schedule, alert);
    return doc;
  }

  async close(caseId: string, reason: string, by: Principal): Promise<CaseDoc> {
    const now = this.deps.clock.now();
    return (await actOnCase(this.deps.cases, caseId, by, 'close', (doc) => close(doc, reason, by, now))).doc;
  }

  /** The case's own police ask another region's police to assist (404 for anyone else). */
  async requestAssistance(caseId: string, input: AssistanceRequest, by: Principal): Promise<Assistance> {
    const now = this.deps.clock.now();
    const { result } = await changeCase(this.deps.cases, caseId, (doc) => {
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
    const { result } = await changeCase(this.deps.cases, caseId, (doc) => {
      if (!isCasePolice(doc, by)) throw Errors.caseNotFound.error(`no case "${caseId}"`);
      return revokeAssistance(doc, assistanceId, by, now);
    });
    return result!;
  }
}
