import type { Principal } from '@homeward/service-kit';
import type { AlertState } from '../domain/alert-plan.ts';
import type { CaseDoc, LeadRecord } from '../domain/case.ts';
import { buyerRecordOf } from '../domain/case-household.ts';
import { type VictimRecord, victimsOf } from '../domain/victims.ts';

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

/** A lead as the API shows it: its row without the storage key. */
export function leadView(l: LeadRecord) {
  const { _id: _row, ...lead } = l;
  return { ...lead, addedAt: iso(l.addedAt) };
}

/**
 * The report as a reader of `role` may see it. Police see what the case holds (contacts never
 * reach this service: intake keeps them). Anyone else sees an allowlist: the kind, the child's
 * description without its name, where and when; never a contact, even one an older event
 * carried.
 */
function reportFor(report: CaseDoc['report'], role: string): Record<string, unknown> {
  if (role === 'police') {
    const {
      reporter: _r,
      currentGuardian: _g,
      ...rest
    } = report as typeof report & {
      reporter?: unknown;
      currentGuardian?: unknown;
    };
    return rest;
  }
  switch (report.kind) {
    case 'missing-child':
      return {
        kind: report.kind,
        child: { sex: report.child.sex, birthDate: report.child.birthDate },
        lastSeen: report.lastSeen,
      };
    case 'unidentified-child':
      return {
        kind: report.kind,
        child: { sex: report.child.sex, apparentAge: report.child.apparentAge },
        foundAt: report.foundAt,
      };
    case 'suspected-trafficking':
      return { kind: report.kind, observedAt: report.observedAt, location: report.location };
    case 'missing-woman':
      return { kind: report.kind, lastSeen: report.lastSeen, trafficked: report.trafficked };
    default:
      return { kind: report.kind };
  }
}

/**
 * The victims as a reader of `role` may see them: police see each whole (they registered them);
 * anyone else sees who and where on its path (category, sex, the age basis, whether it has a
 * disability, located, rescued, identified), never the description, the disability's note or
 * who added it.
 */
function victimsFor(victims: VictimRecord[], role: string) {
  if (role === 'police') return victims;
  return victims.map((v) => ({
    victimId: v.victimId,
    category: v.category,
    sex: v.sex,
    ...(v.birthDate ? { birthDate: v.birthDate } : {}),
    ...(v.apparentAge !== undefined ? { apparentAge: v.apparentAge } : {}),
    disability: v.disability !== undefined,
    addedAt: v.addedAt,
    ...(v.located ? { located: { at: v.located.at } } : {}),
    ...(v.rescued ? { rescued: { at: v.rescued.at, region: v.rescued.region } } : {}),
    ...(v.identified ? { identified: { at: v.identified.at, via: v.identified.via } } : {}),
  }));
}

/**
 * A rescue as a reader of `role` may see it: police see the buying household whole (they
 * recorded it); anyone else, operators among them, sees that one was recorded, never its
 * identity number, name or address.
 */
function rescuedFor(rescued: NonNullable<CaseDoc['rescued']>, role: string) {
  if (role === 'police') return rescued;
  const { buyerHousehold, identification, ...rest } = rescued;
  return {
    ...rest,
    buyerHouseholdRecorded: buyerHousehold !== undefined,
    ...(identification ? { identification: { method: identification.method } } : {}),
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
 * order, and its newest leads (the rest are paged by `GET /v1/cases/{caseId}/leads`).
 * Projected by the reader's role: see {@link reportFor} and {@link rescuedFor}.
 * `acknowledgements` holds the count of each alert, in the order of `c.alerts`.
 */
export function caseDetail(c: CaseDoc, acknowledgements: number[], reader: Principal) {
  const buyerRecord = buyerRecordOf(c);
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
    report: reportFor(c.report, reader.role),
    ...(c.team ? { team: { ...c.team, assignedAt: iso(c.team.assignedAt) } } : {}),
    activeAlertId: c.activeAlertId,
    alerts: c.alerts.map((a, i) => alertView(a, acknowledgements[i] ?? 0)),
    leadCount: c.leadCount,
    leads: c.recentLeads.map(leadView),
    victims: victimsFor(victimsOf(c), reader.role),
    ...(c.located ? { located: c.located } : {}),
    ...(c.rescued ? { rescued: rescuedFor(c.rescued, reader.role) } : {}),
    ...(c.identified ? { identified: c.identified } : {}),
    ...(c.links ? { links: c.links } : {}),
    ...(buyerRecord ? { buyerRecord } : {}),
    // Household records name the buyer's household and its members: police only, as the rescue.
    ...(c.householdRecords && reader.role === 'police' ? { householdRecords: c.householdRecords } : {}),
    ...(c.closed ? { closed: { ...c.closed, closedAt: iso(c.closed.closedAt) } } : {}),
    timeline,
  };
}
