import {
  type Actor,
  type CaseKind,
  createEvent,
  type Disability,
  type HomewardEvent,
  type Place,
  type ReportData,
  type ReportedVictim,
  victimsOfReport,
} from '@homeward/events';
import { caseIdFor, eventIdFor } from './ids.ts';
import type { Refusal } from './screening.ts';

/** The `source` of every event intake publishes. */
export const SOURCE = 'homeward/intake';

/** What a report became: a new case, or a lead on an open one. */
export const Outcomes = ['case-opened', 'lead-added'] as const;
export type Outcome = (typeof Outcomes)[number];

/** Where a report goes: the case it opens or adds to, and the child key that decided it. */
export interface Decision {
  caseId: string;
  outcome: Outcome;
  /** The duplicate-child key of a missing-child report (see duplicate-child.ts). */
  childKey?: string;
}

/** A report that is not a sighting and not a duplicate opens its own case, its id derived from the report's. */
export function opensCase(reportId: string, childKey?: string): Decision {
  return { caseId: caseIdFor(reportId), outcome: 'case-opened', ...(childKey ? { childKey } : {}) };
}

/** A sighting adds a lead to the case it names, which intake must know and which must be open. */
export function decideSighting(
  caseId: string,
  known: { status: 'open' | 'closed' } | null,
): Decision | Refusal {
  if (!known) return { refused: 'caseNotFound', detail: `no case "${caseId}"` };
  if (known.status === 'closed') return { refused: 'caseClosed', detail: `the case "${caseId}" is closed` };
  return { caseId, outcome: 'lead-added' };
}

/** The division a report happened in. */
export function regionOf(data: ReportData): string {
  switch (data.kind) {
    case 'missing-child':
      return data.lastSeen.region;
    case 'unidentified-child':
      return data.foundAt.region;
    case 'suspected-trafficking':
      return data.location.region;
    case 'sighting':
      return data.seenAt.region;
    case 'missing-woman':
      return data.lastSeen.region;
  }
}

/** What the event about a report says besides the decision: who sent it, when, in which trace. */
export interface OutcomeContext {
  reportId: string;
  reportedBy: Actor;
  now: Date;
  traceparent?: string | undefined;
}

type CaseReport = Exclude<ReportData, { kind: 'sighting' }>;

/**
 * The report as `case.opened` carries it: an allowlist per kind, so the reporter's contacts
 * (and any field an agency adds beyond the contract) stay in intake, read through
 * `GET /v1/reports/{reportId}/contacts`. What remains is what a consumer needs, named with its
 * reason in the catalogue: a missing child's parents (the DNA samples owed, the family a return
 * may go to) and an unidentified child's current guardian (part of the buying household for
 * placement until police clear them), the victims a report names (sex, birth date or apparent
 * age, the description police search by, a disability for placement), and a marriage-registration
 * finding's groom (placement's buying household); never a missing woman's circumstances nor a
 * marriage-registration intermediary (free text and a phone).
 */
export function publishedReport(data: CaseReport): CaseReport {
  const opt = <K extends string, V>(k: K, v: V | undefined) => (v === undefined ? {} : { [k]: v });
  const place = (p: Place): Place => ({ at: p.at, place: p.place, lat: p.lat, lon: p.lon, region: p.region });
  switch (data.kind) {
    case 'missing-child':
      return {
        kind: data.kind,
        child: {
          name: data.child.name,
          sex: data.child.sex,
          birthDate: data.child.birthDate,
          ...opt('description', data.child.description),
          ...opt('photoUrl', data.child.photoUrl),
        },
        lastSeen: place(data.lastSeen),
        ...opt(
          'parents',
          data.parents?.map((p) => ({
            relation: p.relation,
            name: p.name,
            ...opt('idNumber', p.idNumber),
            ...opt('living', p.living),
          })),
        ),
      };
    case 'unidentified-child':
      return {
        kind: data.kind,
        child: {
          sex: data.child.sex,
          apparentAge: data.child.apparentAge,
          ...opt('description', data.child.description),
          ...opt('photoUrl', data.child.photoUrl),
        },
        foundAt: place(data.foundAt),
        ...opt(
          'currentGuardian',
          data.currentGuardian && {
            name: data.currentGuardian.name,
            relation: data.currentGuardian.relation,
            address: data.currentGuardian.address,
          },
        ),
      };
    case 'suspected-trafficking':
      return {
        kind: data.kind,
        description: data.description,
        observedAt: data.observedAt,
        location: {
          place: data.location.place,
          region: data.location.region,
          ...opt('lat', data.location.lat),
          ...opt('lon', data.location.lon),
        },
        ...opt(
          'persons',
          data.persons?.map((p) => ({
            description: p.description,
            ...opt('sex', p.sex),
            ...opt('apparentAge', p.apparentAge),
          })),
        ),
        ...opt('victims', data.victims?.map(reportedVictim)),
        ...opt(
          'marriageRegistration',
          data.marriageRegistration && {
            registryOffice: data.marriageRegistration.registryOffice,
            applicationDate: data.marriageRegistration.applicationDate,
            signs: data.marriageRegistration.signs,
            bride: reportedVictim(data.marriageRegistration.bride),
            groom: {
              name: data.marriageRegistration.groom.name,
              address: data.marriageRegistration.groom.address,
              ...opt('idNumber', data.marriageRegistration.groom.idNumber),
            },
            ...opt('applicationRefused', data.marriageRegistration.applicationRefused),
          },
        ),
      };
    case 'missing-woman':
      return {
        kind: data.kind,
        woman: {
          name: data.woman.name,
          ...opt('birthDate', data.woman.birthDate),
          ...opt('apparentAge', data.woman.apparentAge),
          ...opt('description', data.woman.description),
          ...opt('photoUrl', data.woman.photoUrl),
          ...opt('disability', data.woman.disability && disability(data.woman.disability)),
        },
        lastSeen: place(data.lastSeen),
        trafficked: data.trafficked,
      };
  }
}

/** A victim a report names, as published: who and how old, the description police search by. */
function reportedVictim(v: ReportedVictim): ReportedVictim {
  return {
    sex: v.sex,
    ...(v.birthDate !== undefined ? { birthDate: v.birthDate } : {}),
    ...(v.apparentAge !== undefined ? { apparentAge: v.apparentAge } : {}),
    description: v.description,
    ...(v.disability ? { disability: disability(v.disability) } : {}),
  };
}

/** A disability as published: its kinds and note (placement's disability consideration). */
function disability(d: Disability): Disability {
  return { kinds: d.kinds, ...(d.note !== undefined ? { note: d.note } : {}) };
}

/**
 * The event a decided report publishes on `case.events.v1`: `case.opened` with the report
 * without its contacts ({@link publishedReport}), or `case.lead-added` with what a searcher needs of it. Its id is derived from the report id,
 * so a retry or a recovery publishes the same event, which consumers drop as a repeat.
 */
export function outcomeEvent(decision: Decision, data: ReportData, ctx: OutcomeContext): HomewardEvent {
  const { reportId, reportedBy, now } = ctx;
  const common = {
    source: SOURCE,
    subject: decision.caseId,
    time: now,
    ...(ctx.traceparent ? { traceparent: ctx.traceparent } : {}),
  };
  if (decision.outcome === 'case-opened') {
    if (data.kind === 'sighting') throw new Error('a sighting never opens a case');
    return createEvent(
      'homeward.case.opened',
      {
        caseId: decision.caseId,
        kind: data.kind satisfies CaseKind,
        region: regionOf(data),
        openedAt: now.toISOString(),
        reportId,
        reportedBy,
        report: publishedReport(data),
        victims: victimsOfReport(decision.caseId, data),
      },
      { ...common, id: eventIdFor(reportId, 'case-opened') },
    );
  }
  return createEvent(
    'homeward.case.lead-added',
    {
      caseId: decision.caseId,
      leadId: reportId,
      reportId,
      addedAt: now.toISOString(),
      reportedBy,
      ...leadOf(data),
    },
    { ...common, id: eventIdFor(reportId, 'lead-added') },
  );
}

/** What a lead carries: where and when the child was seen, and how to recognise it. */
function leadOf(data: ReportData) {
  switch (data.kind) {
    case 'sighting':
      return {
        origin: 'sighting' as const,
        seenAt: data.seenAt,
        description: data.description,
        ...(data.photoUrl ? { photoUrl: data.photoUrl } : {}),
      };
    case 'missing-child':
      return {
        origin: 'duplicate-report' as const,
        seenAt: data.lastSeen,
        ...(data.child.description ? { description: data.child.description } : {}),
        ...(data.child.photoUrl ? { photoUrl: data.child.photoUrl } : {}),
      };
    default:
      throw new Error(`a ${data.kind} report never adds a lead`);
  }
}
