import {
  type CancelReason,
  createEvent,
  type EventData,
  type HomewardEvent,
  type MissingChildReport,
  type MissingWomanReport,
} from '@homeward/events';
import { Errors } from '../errors.ts';
import { searcherView } from './alert-content.ts';
import { type EscalationPolicy, radiusOf, rungEndsAt, rungFor } from './escalation-policy.ts';
import { alertEventIds, alertIdFor, SOURCE } from './ids.ts';

/**
 * The rapid search alert's plan, as pure functions: each takes the alert's state and the time,
 * and returns its next state with the one event that says so. The application service writes
 * both in one write of the case document (the alert lives inside its case).
 */

export interface Point {
  lat: number;
  lon: number;
}

type AlertEventType = 'homeward.alert.issued' | 'homeward.alert.escalated' | 'homeward.alert.cancelled';

/** One broadcast of an alert (issued, widened, centre moved, cancelled), for the case timeline. */
export interface AlertHistoryEntry {
  at: Date;
  type: AlertEventType;
  eventId: string;
  step?: number;
  radiusKm?: number;
  center?: Point;
  leadId?: string;
  reason?: CancelReason;
  by?: { agencyId: string; role: string };
}

/**
 * A rapid search alert: `active` while it runs and widens, `cancelled` at the end. `step`
 * counts its broadcasts (0 when issued), `rung` is the rung of the escalation policy its radius
 * comes from, and `nextDueAt` when the next widening is due (null on the last rung or once
 * cancelled): the durable schedule that the due-time index is rebuilt from.
 */
export interface AlertState {
  alertId: string;
  caseId: string;
  status: 'active' | 'cancelled';
  issuedAt: Date;
  lastSeenAt: Date;
  lastSeenPlace: string;
  region: string;
  center: Point;
  child: EventData<'homeward.alert.issued'>['child'];
  step: number;
  rung: number;
  radiusKm: number;
  nextDueAt: Date | null;
  cancelled?: { at: Date; reason: CancelReason; note?: string };
  history: AlertHistoryEntry[];
}

/** An alert's next state and the event that announces it. */
export interface AlertChange<T extends AlertEventType> {
  alert: AlertState;
  event: HomewardEvent<T>;
}

/**
 * Issues alert number `ordinal` of a case from its missing-child report: centred where the
 * child was last seen, at the radius the time since then already calls for (a late alert
 * starts wide), due to widen when that rung ends.
 */
export function issueAlert(input: {
  caseId: string;
  ordinal: number;
  report: MissingChildReport | MissingWomanReport;
  policy: EscalationPolicy;
  now: Date;
}): AlertChange<'homeward.alert.issued'> {
  const { caseId, policy, now } = input;
  const alertId = alertIdFor(caseId, input.ordinal);
  const view = searcherView(input.report);
  const lastSeenAt = new Date(view.lastSeenAt);
  const rung = rungFor(policy, now.getTime() - lastSeenAt.getTime());
  const radiusKm = radiusOf(policy, rung);
  const event = createEvent(
    'homeward.alert.issued',
    {
      alertId,
      caseId,
      issuedAt: now.toISOString(),
      lastSeenAt: lastSeenAt.toISOString(),
      lastSeenPlace: view.lastSeenPlace,
      center: view.center,
      region: view.region,
      radiusKm,
      step: rung,
      child: view.child,
      // Said only of an adult, so a child's alert is exactly what it always was.
      ...(view.sought === 'adult' ? { sought: 'adult' as const } : {}),
    },
    { source: SOURCE, subject: alertId, time: now, id: alertEventIds.issued(alertId) },
  );
  const alert: AlertState = {
    alertId,
    caseId,
    status: 'active',
    issuedAt: now,
    lastSeenAt,
    lastSeenPlace: view.lastSeenPlace,
    region: view.region,
    center: view.center,
    child: view.child,
    // A late alert's first broadcast already counts the rungs it skipped.
    step: rung,
    rung,
    radiusKm,
    nextDueAt: rungEndsAt(policy, lastSeenAt, rung),
    history: [{ at: now, type: event.type, eventId: event.id, step: rung, radiusKm, center: view.center }],
  };
  return { alert, event };
}

/**
 * The next broadcast of a running alert: a wider radius, or the same radius around a new
 * centre. The one place `alert.escalated` is built; the step is always the next one, and its
 * event id is the step's, so a retry publishes the same event.
 */
function nextStep(
  alert: AlertState,
  to: Pick<AlertState, 'rung' | 'radiusKm' | 'center' | 'nextDueAt'>,
  now: Date,
  about: { leadId?: string; by?: { agencyId: string; role: string } } = {},
): AlertChange<'homeward.alert.escalated'> {
  const step = alert.step + 1;
  const event = createEvent(
    'homeward.alert.escalated',
    {
      alertId: alert.alertId,
      caseId: alert.caseId,
      escalatedAt: now.toISOString(),
      center: to.center,
      radiusKm: to.radiusKm,
      previousRadiusKm: alert.radiusKm,
      step,
    },
    { source: SOURCE, subject: alert.alertId, time: now, id: alertEventIds.step(alert.alertId, step) },
  );
  const entry: AlertHistoryEntry = {
    at: now,
    type: event.type,
    eventId: event.id,
    step,
    radiusKm: to.radiusKm,
    center: to.center,
    ...about,
  };
  return { alert: { ...alert, ...to, step, history: [...alert.history, entry] }, event };
}

/** What a look at a due alert decided. */
export type EscalationDecision =
  /** Widened: the next state and its `alert.escalated`. */
  | { outcome: 'escalated'; change: AlertChange<'homeward.alert.escalated'> }
  /** Not due yet. */
  | { outcome: 'not-due'; nextDueAt: Date }
  /** Due by the old schedule, not by the policy in force (it changed): only the due time moves. */
  | { outcome: 'rescheduled'; alert: AlertState }
  /** On its last rung: nothing more to schedule. */
  | { outcome: 'final' }
  /** No longer running. */
  | { outcome: 'ended' };

/**
 * Widens a running alert whose time has come, straight to the rung the elapsed time calls for:
 * a service that was down for hours widens once, not once per missed rung.
 */
export function escalateIfDue(alert: AlertState, policy: EscalationPolicy, now: Date): EscalationDecision {
  if (alert.status !== 'active') return { outcome: 'ended' };
  if (alert.nextDueAt === null) return { outcome: 'final' };
  if (alert.nextDueAt.getTime() > now.getTime()) return { outcome: 'not-due', nextDueAt: alert.nextDueAt };
  const rung = Math.max(alert.rung, rungFor(policy, now.getTime() - alert.lastSeenAt.getTime()));
  const nextDueAt = rungEndsAt(policy, alert.lastSeenAt, rung);
  if (rung === alert.rung) {
    return { outcome: 'rescheduled', alert: { ...alert, nextDueAt } };
  }
  const change = nextStep(
    alert,
    { rung, radiusKm: radiusOf(policy, rung), center: alert.center, nextDueAt },
    now,
  );
  return { outcome: 'escalated', change };
}

/**
 * Moves a running alert's centre to a lead's place, on police's word: the same radius, the
 * next step (units newly inside the moved circle are told), the widening schedule unchanged.
 */
export function moveCentre(
  alert: AlertState,
  lead: { leadId: string; seenAt: Point },
  by: { agencyId: string; role: string },
  now: Date,
): AlertChange<'homeward.alert.escalated'> {
  if (alert.status !== 'active') throw Errors.alertEnded.error(`alert "${alert.alertId}" has ended`);
  const center = { lat: lead.seenAt.lat, lon: lead.seenAt.lon };
  const to = { rung: alert.rung, radiusKm: alert.radiusKm, center, nextDueAt: alert.nextDueAt };
  return nextStep(alert, to, now, { leadId: lead.leadId, by });
}

/**
 * Ends a running alert with the reason every notified unit is told. `by` is the officer who
 * cancelled it; absent when the case ended it (the child found).
 */
export function cancelAlert(
  alert: AlertState,
  cancel: { reason: CancelReason; note?: string | undefined; by?: { agencyId: string; role: string } },
  now: Date,
): AlertChange<'homeward.alert.cancelled'> {
  if (alert.status !== 'active') throw Errors.alertEnded.error(`alert "${alert.alertId}" has already ended`);
  const { reason, note, by } = cancel;
  const event = createEvent(
    'homeward.alert.cancelled',
    {
      alertId: alert.alertId,
      caseId: alert.caseId,
      cancelledAt: now.toISOString(),
      reason,
      ...(note ? { note } : {}),
    },
    { source: SOURCE, subject: alert.alertId, time: now, id: alertEventIds.cancelled(alert.alertId) },
  );
  const entry: AlertHistoryEntry = {
    at: now,
    type: event.type,
    eventId: event.id,
    reason,
    ...(by ? { by } : {}),
  };
  const cancelled = { at: now, reason, ...(note ? { note } : {}) };
  return {
    alert: { ...alert, status: 'cancelled', nextDueAt: null, cancelled, history: [...alert.history, entry] },
    event,
  };
}
