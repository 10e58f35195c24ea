import type { Actor, CancelReason, HomewardEvent } from '@homeward/events';
import { Errors } from '../errors.ts';
import {
  type AlertChange,
  type AlertState,
  cancelAlert,
  type EscalationDecision,
  escalateIfDue,
  issueAlert,
  moveCentre,
} from './alert-plan.ts';
import { byOf, type CaseDoc, type LeadRecord, nextVersion, runningAlert } from './case.ts';
import { type Decision, step } from './case-plan.ts';
import type { EscalationPolicy } from './escalation-policy.ts';

// The case's alerts as case decisions: issued, cancelled, moved and escalated, each one write of
// the case document (the alert's own rules and events are alert-plan's).

/**
 * Issues the case's rapid search alert (a missing child, or a missing woman; one running at a
 * time). A missing woman's alert exists only when police issue it (this action), never at
 * opening (see {@link issuesAtOnce}).
 */
export function issueCaseAlert(doc: CaseDoc, policy: EscalationPolicy, now: Date): Decision<AlertState> {
  const report = doc.report;
  if ((report.kind !== 'missing-child' && report.kind !== 'missing-woman') || doc.kind !== report.kind) {
    throw Errors.alertNotApplicable.error(
      `a rapid search alert is for a missing child or a missing woman; this case is "${doc.kind}"`,
    );
  }
  const running = runningAlert(doc);
  if (running) throw Errors.alertActive.error(`alert "${running.alertId}" of this case is already running`);
  const status = step(doc, 'issue-alert');
  const { alert, event } = issueAlert({
    caseId: doc._id,
    ordinal: doc.alerts.length + 1,
    report,
    policy,
    now,
  });
  return {
    doc: nextVersion(doc, now, { status, activeAlertId: alert.alertId, alerts: [...doc.alerts, alert] }),
    events: [event],
    result: alert,
  };
}

/** The case's alerts with one of them replaced by its next state. */
function withAlert(doc: CaseDoc, alert: AlertState): AlertState[] {
  return doc.alerts.map((a) => (a.alertId === alert.alertId ? alert : a));
}

/** The running alert cancelled with reason `found`, when the child was located or rescued. */
export function endSearch(doc: CaseDoc, now: Date): { alerts: AlertState[]; events: HomewardEvent[] } {
  const running = runningAlert(doc);
  if (!running) return { alerts: doc.alerts, events: [] };
  const { alert, event } = cancelAlert(running, { reason: 'found' }, now);
  return { alerts: withAlert(doc, alert), events: [event] };
}

/** One of the case's alerts, or the 404 that says there is none. */
export function alertOf(doc: CaseDoc, alertId: string): AlertState {
  const alert = doc.alerts.find((a) => a.alertId === alertId);
  if (!alert) throw Errors.alertNotFound.error(`no alert "${alertId}"`);
  return alert;
}

/** Writes an alert's change into its case (and the case stops searching with an ended alert). */
function applyAlert(
  doc: CaseDoc,
  change: AlertChange<'homeward.alert.escalated'> | AlertChange<'homeward.alert.cancelled'>,
  now: Date,
): Decision<AlertState> {
  // Only the running alert changes, so an alert that ended here is the one the case searched with.
  const ended = change.alert.status !== 'active';
  return {
    doc: nextVersion(doc, now, {
      alerts: withAlert(doc, change.alert),
      ...(ended ? { activeAlertId: null } : {}),
    }),
    events: [change.event],
    result: change.alert,
  };
}

/** Police cancel an alert with a reason every notified unit is told. */
export function cancelCaseAlert(
  doc: CaseDoc,
  alertId: string,
  cancel: { reason: CancelReason; note?: string | undefined },
  by: Actor,
  now: Date,
): Decision<AlertState> {
  const change = cancelAlert(alertOf(doc, alertId), { ...cancel, by: byOf(by) }, now);
  return applyAlert(doc, change, now);
}

/** Police move a running alert's centre to one of the case's leads. */
export function moveAlertCentre(
  doc: CaseDoc,
  alertId: string,
  leadId: string,
  lead: LeadRecord | null,
  by: Actor,
  now: Date,
): Decision<AlertState> {
  const alert = alertOf(doc, alertId);
  if (alert.status !== 'active') throw Errors.alertEnded.error(`alert "${alertId}" has ended`);
  if (!lead || lead.caseId !== doc._id || lead.leadId !== leadId)
    throw Errors.leadNotFound.error(`case "${doc._id}" has no lead "${leadId}"`);
  return applyAlert(doc, moveCentre(alert, lead, byOf(by), now), now);
}

/** What a look at a due alert decided, and the write it needs (null: nothing to write). */
export interface EscalationPlan {
  outcome: EscalationDecision['outcome'];
  /** When the alert next comes due (null: never; the index drops it). */
  nextDueAt: Date | null;
  decision: Decision<AlertState> | null;
}

/** Looks at a case's alert that the schedule says is due; see `escalateIfDue`. */
export function escalateCaseAlert(
  doc: CaseDoc,
  alertId: string,
  policy: EscalationPolicy,
  now: Date,
): EscalationPlan {
  const alert = doc.alerts.find((a) => a.alertId === alertId);
  if (!alert) return { outcome: 'ended', nextDueAt: null, decision: null };
  const d = escalateIfDue(alert, policy, now);
  switch (d.outcome) {
    case 'ended':
    case 'final':
      return { outcome: d.outcome, nextDueAt: null, decision: null };
    case 'not-due':
      return { outcome: d.outcome, nextDueAt: d.nextDueAt, decision: null };
    case 'rescheduled':
      return {
        outcome: d.outcome,
        nextDueAt: d.alert.nextDueAt,
        decision: {
          doc: nextVersion(doc, now, { alerts: withAlert(doc, d.alert) }),
          events: [],
          result: d.alert,
        },
      };
    case 'escalated':
      return {
        outcome: d.outcome,
        nextDueAt: d.change.alert.nextDueAt,
        decision: applyAlert(doc, d.change, now),
      };
  }
}
