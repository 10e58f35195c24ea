// Events as the other services publish them: plain builders with no service behind them, so
// unit tests (test/domain/) import them without loading the app.
import { createEvent, type EventData, type EventType } from '@homeward/events';

const POLICE = { agencyId: 'hefei-psb', role: 'police' as const, region: '340100' };
const HOTLINE = { agencyId: 'anhui-12355-hotline', role: 'hotline' as const, region: '340000' };
const LAB = { agencyId: 'anhui-forensic-dna-lab', role: 'dna-lab' as const, region: '340000' };

export function ev<T extends EventType>(type: T, data: EventData<T>, source = 'homeward/test', id?: string) {
  return createEvent(type, data, { source, ...(id ? { id } : {}) });
}

export function reportSubmitted(name: string, region = '340104') {
  return ev(
    'homeward.report.submitted',
    {
      kind: 'missing-child',
      child: { name, sex: 'male', birthDate: '2019-05-01' },
      lastSeen: {
        at: '2026-03-01T08:50:00+08:00',
        place: 'Hefei South Station',
        lat: 31.7979,
        lon: 117.2906,
        region,
      },
      reporter: { name: 'Li Wei', phone: '+86 138 0000 0000' },
    } as EventData<'homeward.report.submitted'>,
    'agency/hefei-psb',
  );
}

export function caseOpened(
  caseId: string,
  opts: { region?: string; openedAt?: string; reporter?: 'police' | 'hotline'; name?: string } = {},
) {
  const region = opts.region ?? '340104';
  return ev('homeward.case.opened', {
    caseId,
    kind: 'missing-child',
    region,
    openedAt: opts.openedAt ?? '2026-03-01T09:00:00+08:00',
    reportId: `r-${caseId}`,
    reportedBy: opts.reporter === 'hotline' ? HOTLINE : POLICE,
    report: {
      kind: 'missing-child',
      child: { name: opts.name ?? 'Li Xiaoming', sex: 'male', birthDate: '2019-05-01' },
      lastSeen: {
        at: '2026-03-01T08:50:00+08:00',
        place: 'Hefei South Station',
        lat: 31.7979,
        lon: 117.2906,
        region,
      },
      reporter: { name: 'Li Wei', phone: '+86 138 0000 0000' },
    },
  } as EventData<'homeward.case.opened'>);
}

export const leadAdded = (caseId: string, at = '2026-03-01T12:00:00+08:00') =>
  ev('homeward.case.lead-added', {
    caseId,
    leadId: `l-${caseId}-${at.slice(11, 13)}`,
    reportId: `r2-${caseId}-${at.slice(11, 13)}`,
    addedAt: at,
    reportedBy: HOTLINE,
    origin: 'sighting',
    seenAt: { at, place: 'Hefei West bus terminal', lat: 31.85, lon: 117.2, region: '340104' },
  });

export const childLocated = (caseId: string, locatedAt: string) =>
  ev('homeward.case.child-located', { caseId, locatedAt, place: 'Lu an bus station' });
export const childRescued = (caseId: string, rescuedAt: string, region = '341500') =>
  ev('homeward.case.child-rescued', { caseId, rescuedAt, place: 'a village in Lu an', region });
export const caseClosed = (caseId: string, closedAt = '2026-03-05T10:00:00+08:00') =>
  ev('homeward.case.closed', { caseId, closedAt, reason: 'child returned home' });

export const alertIssued = (
  alertId: string,
  caseId: string,
  opts: { region?: string; radiusKm?: number; center?: { lat: number; lon: number }; place?: string } = {},
) =>
  ev('homeward.alert.issued', {
    alertId,
    caseId,
    issuedAt: '2026-03-01T09:05:00+08:00',
    lastSeenAt: '2026-03-01T08:50:00+08:00',
    lastSeenPlace: opts.place ?? 'Hefei South Station',
    center: opts.center ?? { lat: 31.7979, lon: 117.2906 },
    region: opts.region ?? '340104',
    radiusKm: opts.radiusKm ?? 100,
    step: 0,
    child: { sex: 'male', description: 'red jacket' },
  });
export const alertEscalated = (alertId: string, caseId: string) =>
  ev('homeward.alert.escalated', {
    alertId,
    caseId,
    escalatedAt: '2026-03-01T09:50:00+08:00',
    center: { lat: 31.7979, lon: 117.2906 },
    radiusKm: 200,
    previousRadiusKm: 100,
    step: 1,
  });
export const alertCancelled = (
  alertId: string,
  caseId: string,
  reason: 'found' | 'found-deceased' | 'hoax' | 'unfounded' | 'withdrawn',
) => ev('homeward.alert.cancelled', { alertId, caseId, cancelledAt: '2026-03-02T10:00:00+08:00', reason });
/**
 * The alert's case and region, as notifications names them on its events; without it, an event
 * as notifications published them before (placed only through its alert).
 */
export interface AlertPlace {
  caseId?: string;
  region?: string;
}
export const delivered = (alertId: string, unitId: string, place: AlertPlace = {}) =>
  ev(
    'homeward.notification.delivered',
    {
      alertId,
      unitId,
      step: 0,
      kind: 'alert',
      deliveredAt: '2026-03-01T09:05:01+08:00',
      attempts: 1,
      latencyMs: 40,
      ...place,
    },
    'homeward/notifications',
  );
export const acknowledged = (alertId: string, unitId: string, place: AlertPlace = {}) =>
  ev(
    'homeward.notification.acknowledged',
    { alertId, unitId, acknowledgedAt: '2026-03-01T09:06:00+08:00', ...place },
    'homeward/notifications',
  );

export const failed = (alertId: string, unitId: string, place: AlertPlace = {}) =>
  ev(
    'homeward.notification.failed',
    {
      alertId,
      unitId,
      step: 0,
      kind: 'alert',
      failedAt: '2026-03-01T09:05:30+08:00',
      attempts: 3,
      reason: 'http-5xx',
      ...place,
    },
    'homeward/notifications',
  );
export const unitRegistered = (
  unitId: string,
  location: { lat: number; lon: number } = { lat: 31.86, lon: 117.28 },
  region = '340104',
) =>
  ev(
    'homeward.notification.unit-registered',
    { unitId, kind: 'rail-station', region, location, registeredAt: '2026-03-01T08:00:00+08:00' },
    'homeward/notifications',
  );
export const unitUpdated = (unitId: string, location: { lat: number; lon: number }, region = '340104') =>
  ev(
    'homeward.notification.unit-updated',
    { unitId, kind: 'police-station', region, location, updatedAt: '2026-03-01T08:30:00+08:00' },
    'homeward/notifications',
  );
export const unitRemoved = (unitId: string, region = '340104') =>
  ev(
    'homeward.notification.unit-removed',
    { unitId, region, removedAt: '2026-03-01T09:00:00+08:00' },
    'homeward/notifications',
  );

export const sampleCollected = (
  sampleId: string,
  caseId: string,
  region = '340104',
  collectedAt = '2026-03-02T10:00:00+08:00',
) =>
  ev(
    'homeward.dna.sample-collected',
    {
      sampleId,
      subject: { kind: 'rescued-child', caseId },
      kitBarcode: `kit-${sampleId}`,
      collectedAt,
      collectedBy: LAB,
      region,
    },
    'homeward/dna-tracking',
  );
export const custody = (
  sampleId: string,
  step: 'sealed' | 'shipped' | 'received' | 'profiled' | 'stored',
  at: string,
) =>
  ev(
    'homeward.dna.custody-recorded',
    { sampleId, step, at, by: 'lab tech 7', recordHash: `h-${sampleId}-${step}` },
    'homeward/dna-tracking',
  );
export const matchFound = (matchId: string, childSampleId: string, caseId: string) =>
  ev(
    'homeward.dna.match-found',
    {
      matchId,
      childSampleId,
      parentSampleIds: [`p-${childSampleId}`],
      caseId,
      combinedIndex: 250000,
      probability: 0.999996,
      inconsistentLoci: [],
      frequencyVersion: 'cn-han-2020',
      foundAt: '2026-03-03T10:00:00+08:00',
    },
    'homeward/dna-tracking',
  );
export const matchConfirmed = (matchId: string, childSampleId: string, caseId: string) =>
  ev(
    'homeward.dna.match-confirmed',
    {
      matchId,
      childSampleId,
      parentSampleIds: [`p-${childSampleId}`],
      caseId,
      confirmedAt: '2026-03-04T10:00:00+08:00',
      confirmedBy: 'Dr Wang',
    },
    'homeward/dna-tracking',
  );
export const placementDecided = (caseId: string, type: 'return-to-family' | 'foster-family', revision = 1) =>
  ev(
    'homeward.placement.decided',
    {
      placementId: `pl-${caseId}`,
      caseId,
      type,
      decisionDate: '2026-03-05',
      decidedAt: '2026-03-05T10:00:00+08:00',
      revision,
      region: '340104',
    },
    'homeward/placement',
  );
export const followupScheduled = (followupId: string, caseId: string) =>
  ev(
    'homeward.followup.scheduled',
    {
      followupId,
      caseId,
      placementId: `pl-${caseId}`,
      type: 'compulsory-education',
      dueDate: '2026-04-01',
      region: '340104',
    },
    'homeward/placement',
  );
export const followupCompleted = (followupId: string, caseId: string) =>
  ev(
    'homeward.followup.completed',
    {
      followupId,
      caseId,
      type: 'compulsory-education',
      completedAt: '2026-03-20T10:00:00+08:00',
      outcome: 'enrolled',
    },
    'homeward/placement',
  );
export const followupOverdue = (followupId: string, caseId: string) =>
  ev(
    'homeward.followup.overdue',
    {
      followupId,
      caseId,
      type: 'compulsory-education',
      dueDate: '2026-04-01',
      detectedAt: '2026-04-02T08:00:00+08:00',
    },
    'homeward/placement',
  );
