import type { Principal } from '@homeward/service-kit';
import type { AlertState } from '../domain/alert-plan.ts';
import type { CaseDoc } from '../domain/case.ts';
import { victimsOf } from '../domain/victims.ts';

const iso = (d: Date | string) => new Date(d).toISOString();

/** An alert as the API shows it, with the number of units that acknowledged it. */
export function alertView(a: AlertState, acknowledgements: number) {
  return {
    alertId: a.alertId,
    caseId: a.caseId,
    status: a.status,
    issuedAt: iso(a.issuedAt),
    center: a.center,
    radiusKm: a.radiusKm,
    step: a.step,
    nextEscalationAt: a.nextDueAt ? iso(a.nextDueAt) : null,
    acknowledgements,
    ...(a.cancelled
      ? {
          cancelled: {
            at: iso(a.cancelled.at),
            reason: a.cancelled.reason,
            ...(a.cancelled.note ? { note: a.cancelled.note } : {}),
          },
        }
      : {}),
  };
}

export function caseSummary(c: CaseDoc) {
  return {
    caseId: c._id,
    kind: c.kind,
    status: c.status,
    region: c.region,
    openedAt: iso(c.openedAt),
    updatedAt: iso(c.updatedAt),
    activeAlertId: c.activeAlertId,
    ...(c.team
      ? {
          chief: {
            officerId: c.team.chief.officerId,
            agencyId: c.team.chief.agencyId,
            region: c.team.chief.region,
          },
        }
      : {}),
    identified: c.identified !== undefined,
    victims: victimCount(c),
  };
}

/**
 * How many victims a case has, from a listing's projection (without the report): its victims,
 * or for a case stored before victims existed, the child of a child report's kind.
 */
export function victimCount(c: Pick<CaseDoc, 'kind' | 'victims'>): number {
  if (c.victims) return c.victims.length;
  return c.kind === 'missing-child' || c.kind === 'unidentified-child' ? 1 : 0;
}

/**
 * The whole case with its timeline: the case's own entries and its alerts' broadcasts, in time
 * order. Operators read it without the reporter's contacts, which only police need.
 * `acknowledgements` holds the count of each alert, in the order of `c.alerts`.
 */
export function caseDetail(c: CaseDoc, acknowledgements: number[], reader: Principal) {
  const { reporter: _reporter, ...reportWithoutContacts } = c.report as typeof c.report & {
    reporter?: unknown;
  };
  const timeline = [
    ...c.timeline.map((t) => ({ ...t, at: iso(t.at) })),
    ...c.alerts.flatMap((a) => a.history.map((h) => ({ ...h, at: iso(h.at), alertId: a.alertId }))),
  ].sort((x, y) => x.at.localeCompare(y.at));
  return {
    caseId: c._id,
    kind: c.kind,
    status: c.status,
    region: c.region,
    openedAt: iso(c.openedAt),
    updatedAt: iso(c.updatedAt),
    version: c.version,
    reportId: c.reportId,
    reportedBy: c.reportedBy,
    report: reader.role === 'police' ? c.report : reportWithoutContacts,
    ...(c.team ? { team: { ...c.team, assignedAt: iso(c.team.assignedAt) } } : {}),
    activeAlertId: c.activeAlertId,
    alerts: c.alerts.map((a, i) => alertView(a, acknowledgements[i] ?? 0)),
    leads: c.leads.map((l) => ({ ...l, addedAt: iso(l.addedAt) })),
    victims: victimsOf(c),
    ...(c.located ? { located: c.located } : {}),
    ...(c.rescued ? { rescued: c.rescued } : {}),
    ...(c.identified ? { identified: c.identified } : {}),
    ...(c.closed ? { closed: { ...c.closed, closedAt: iso(c.closed.closedAt) } } : {}),
    timeline,
  };
}
