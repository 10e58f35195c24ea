import type { CancelReason, EventData } from '@homeward/events';
import { DocumentNotFound } from '@homeward/persistence';
import type { Principal } from '@homeward/service-kit';
import type { CaseServiceDeps } from './case-service.ts';
import { actOnCase, changeCase, keepScheduled } from './case-writes.ts';
import { type CaseAccessAction, mayReach } from './domain/access.ts';
import type { AlertState } from './domain/alert-plan.ts';
import type { CaseDoc, LeadRecord } from './domain/case.ts';
import {
  alertOf,
  cancelCaseAlert,
  type EscalationPlan,
  escalateCaseAlert,
  issueCaseAlert,
  moveAlertCentre,
} from './domain/case-alerts.ts';
import { type Decision, issuesAtOnce } from './domain/case-plan.ts';
import { caseIdOfAlert } from './domain/ids.ts';
import { Errors } from './errors.ts';

/** A unit's acknowledgement of an alert: `_id` `<alertId>:<unitId>`, so each unit counts once. */
export interface AckFact {
  _id: string;
  alertId: string;
  unitId: string;
  acknowledgedAt: Date;
}

export type EscalationOutcome = EscalationPlan['outcome'];

/**
 * The application service of a case's alerts: issued, cancelled, moved and escalated in their
 * case's document (decided by domain/case-alerts), the due-time index kept in step, and units'
 * acknowledgements kept as facts. Nothing else: no rule lives here.
 */
export class AlertService {
  constructor(
    private readonly deps: Pick<
      CaseServiceDeps,
      'cases' | 'leads' | 'acks' | 'schedule' | 'clock' | 'logger' | 'policy'
    >,
  ) {}

  /** An alert, read from its case (the alert id names it), if the caller reaches the case. */
  async getAlert(alertId: string, by: Principal): Promise<AlertState> {
    const caseId = caseIdOfAlert(alertId);
    const doc = caseId ? await this.deps.cases.get(caseId) : null;
    if (!doc || !mayReach(doc, by, 'read')) throw Errors.alertNotFound.error(`no alert "${alertId}"`);
    return alertOf(doc, alertId);
  }

  /** How many units acknowledged an alert (counted from the facts, each unit once). */
  acknowledgements(alertId: string): Promise<number> {
    return this.deps.acks.count({ alertId });
  }

  /**
   * After a case.opened: a police missing-child report has its alert issued at once, once
   * however often the event comes (a case that has an alert, or moved on, is left alone).
   */
  async afterOpened(d: EventData<'homeward.case.opened'>): Promise<AlertState | null> {
    if (!issuesAtOnce(d)) return null;
    const now = this.deps.clock.now();
    const { result } = await changeCase(this.deps.cases, d.caseId, (doc) =>
      doc.alerts.length > 0 || doc.status !== 'opened' ? null : issueCaseAlert(doc, this.deps.policy, now),
    );
    if (result) await this.issued(result);
    return result;
  }

  async issueAlert(caseId: string, by: Principal): Promise<AlertState> {
    const now = this.deps.clock.now();
    const { result } = await actOnCase(this.deps.cases, caseId, by, 'issue-alert', (doc) =>
      issueCaseAlert(doc, this.deps.policy, now),
    );
    // issueCaseAlert decides or throws: a result is always there.
    await this.issued(result!);
    return result!;
  }

  private async issued(alert: AlertState): Promise<void> {
    await keepScheduled(this.deps.schedule, alert);
    this.deps.logger.info(
      { alertId: alert.alertId, caseId: alert.caseId, radiusKm: alert.radiusKm, step: alert.step },
      'alert issued',
    );
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
    await keepScheduled(this.deps.schedule, alert);
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
