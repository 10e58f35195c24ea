import { createEvent, type EventData, type EventType, type HomewardEvent } from '@homeward/events';

/**
 * A seeded year (2026) in one prefecture (Hefei, 340100) and two of its counties (Shushan
 * 340104, Luyang 340103), with exactly these duties missed as of January 2027 (default limits):
 *
 * - A2 (340104): a missing-child report nobody acted on: report-acted-on, special-team and
 *   dna-sampling (parents), police.
 * - A3 (340104): a child of unknown origin sampled, the sample never sealed: custody-step
 *   (sealed), police.
 * - B2 (340103): rescued and identified by DNA, never placed: placement and return-to-family,
 *   civil affairs.
 * - B3's follow-up (340103): medical rehabilitation raised overdue, never done: followup, health.
 *
 * Everything else (A1, B1, B3's case) was done on time.
 */
export const SHUSHAN = '340104';
export const LUYANG = '340103';
export const HEFEI = '340100';
export const ANHUI = '340000';

const police = (region: string) => ({
  agencyId: region === SHUSHAN ? 'shushan-psb' : 'luyang-psb',
  role: 'police' as const,
  region,
});
const SOURCES: Record<string, string> = {
  case: 'homeward/rescue-coordination',
  alert: 'homeward/rescue-coordination',
  dna: 'homeward/dna-tracking',
  placement: 'homeward/placement',
  followup: 'homeward/placement',
};

let seq = 0;
export function ev<T extends EventType>(type: T, data: EventData<T>, tag: string): HomewardEvent<T> {
  seq++;
  return createEvent(type, data, {
    source: SOURCES[type.split('.')[1]!]!,
    id: `${tag}-${type.split('.').pop()}-${seq}`,
  });
}

const t = (day: string, hour = 9) => `${day}T${String(hour).padStart(2, '0')}:00:00+08:00`;

function opened(
  caseId: string,
  kind: 'missing-child' | 'unidentified-child' | 'suspected-trafficking',
  region: string,
  at: string,
) {
  const report =
    kind === 'missing-child'
      ? {
          kind,
          child: { name: 'Test Child', sex: 'female' as const, birthDate: '2019-05-01' },
          lastSeen: { at, place: 'a market', lat: 31.8, lon: 117.2, region },
        }
      : kind === 'unidentified-child'
        ? {
            kind,
            child: { sex: 'male' as const, apparentAge: 6 },
            foundAt: { at, place: 'a station', lat: 31.8, lon: 117.2, region },
          }
        : {
            kind,
            description: 'a suspicious adoption offer',
            observedAt: at,
            location: { place: 'a village', region },
          };
  return ev(
    'homeward.case.opened',
    { caseId, kind, region, openedAt: at, reportId: `rpt-${caseId}`, reportedBy: police(region), report },
    caseId,
  );
}

const officer = (region: string, n: string) => ({
  officerId: `o-${n}`,
  name: `Officer ${n}`,
  agencyId: police(region).agencyId,
  region,
});
function team(caseId: string, region: string, at: string) {
  return ev(
    'homeward.case.team-assigned',
    {
      caseId,
      assignedAt: at,
      chief: officer(region, '1'),
      investigationLead: officer(region, '2'),
      rescueLead: officer(region, '3'),
      familyLiaisonLead: officer(region, '4'),
    },
    caseId,
  );
}

function sample(
  sampleId: string,
  caseId: string,
  kind: 'parent' | 'unidentified-child' | 'rescued-child',
  region: string,
  at: string,
) {
  return ev(
    'homeward.dna.sample-collected',
    {
      sampleId,
      subject: { kind, caseId, ...(kind === 'parent' ? { relation: 'mother' as const } : {}) },
      kitBarcode: `kit-${sampleId}`,
      collectedAt: at,
      collectedBy: police(region),
      region,
    },
    sampleId,
  );
}

const STEPS = ['sealed', 'shipped', 'received', 'profiled', 'stored'] as const;
function custody(sampleId: string, from: string, steps: readonly (typeof STEPS)[number][] = STEPS) {
  return steps.map((step, i) =>
    ev(
      'homeward.dna.custody-recorded',
      {
        sampleId,
        step,
        at: new Date(Date.parse(from) + (i + 1) * 3_600_000).toISOString(),
        by: 'lab tech',
        recordHash: `h${i}`,
      },
      sampleId,
    ),
  );
}

function rescued(caseId: string, region: string, at: string, identified = false) {
  return ev(
    'homeward.case.child-rescued',
    {
      caseId,
      rescuedAt: at,
      place: 'a village',
      region,
      ...(identified ? { identification: { method: 'documents' as const, identifiedBy: 'officer 7' } } : {}),
    },
    caseId,
  );
}

function placed(
  caseId: string,
  type: 'return-to-family' | 'civil-affairs-institution',
  region: string,
  at: string,
) {
  return ev(
    'homeward.placement.decided',
    {
      placementId: `pl-${caseId}`,
      caseId,
      type,
      decisionDate: at.slice(0, 10),
      decidedAt: at,
      revision: 1,
      region,
    },
    caseId,
  );
}

/** Every event of the seeded year, in an order each producer could have published them. */
export function seededYear(): HomewardEvent[] {
  // Ids by position: every call makes the same events (a second call is a redelivery).
  seq = 0;
  return [
    // A1 (Shushan): everything on time.
    opened('A1', 'missing-child', SHUSHAN, t('2026-03-01')),
    team('A1', SHUSHAN, t('2026-03-01', 11)),
    sample('S-A1-m', 'A1', 'parent', SHUSHAN, t('2026-03-02')),
    ...custody('S-A1-m', t('2026-03-02')),
    rescued('A1', SHUSHAN, t('2026-05-01'), true),
    placed('A1', 'return-to-family', SHUSHAN, t('2026-05-03')),
    ev(
      'homeward.followup.scheduled',
      {
        followupId: 'F-A1',
        caseId: 'A1',
        placementId: 'pl-A1',
        type: 'compulsory-education',
        dueDate: '2026-06-01',
        region: SHUSHAN,
      },
      'A1',
    ),
    ev(
      'homeward.followup.completed',
      {
        followupId: 'F-A1',
        caseId: 'A1',
        type: 'compulsory-education',
        completedAt: t('2026-05-20'),
        outcome: 'enrolled at school 12',
      },
      'A1',
    ),
    // A2 (Shushan): nobody acted.
    opened('A2', 'missing-child', SHUSHAN, t('2026-11-01')),
    // A3 (Shushan): a child of unknown origin, sampled, the sample never sealed.
    opened('A3', 'unidentified-child', SHUSHAN, t('2026-10-01')),
    team('A3', SHUSHAN, t('2026-10-01', 12)),
    sample('S-A3-c', 'A3', 'unidentified-child', SHUSHAN, t('2026-10-02')),
    // B1 (Luyang): suspected trafficking, closed within the hour.
    opened('B1', 'suspected-trafficking', LUYANG, t('2026-06-01')),
    ev('homeward.case.closed', { caseId: 'B1', closedAt: t('2026-06-01', 10), reason: 'unfounded' }, 'B1'),
    // B2 (Luyang): rescued and identified by DNA, never placed.
    opened('B2', 'missing-child', LUYANG, t('2026-04-01')),
    team('B2', LUYANG, t('2026-04-01', 10)),
    sample('S-B2-m', 'B2', 'parent', LUYANG, t('2026-04-01', 12)),
    ...custody('S-B2-m', t('2026-04-01', 12)),
    rescued('B2', LUYANG, t('2026-09-01')),
    sample('S-B2-c', 'B2', 'rescued-child', LUYANG, t('2026-09-01', 12)),
    ...custody('S-B2-c', t('2026-09-01', 12)),
    ev(
      'homeward.dna.match-confirmed',
      {
        matchId: 'M-B2',
        childSampleId: 'S-B2-c',
        parentSampleIds: ['S-B2-m'],
        caseId: 'B2',
        confirmedAt: t('2026-09-05'),
        confirmedBy: 'analyst 3',
      },
      'B2',
    ),
    // B3 (Luyang): placed in time; its medical follow-up raised overdue and never done.
    opened('B3', 'missing-child', LUYANG, t('2026-02-01')),
    team('B3', LUYANG, t('2026-02-01', 10)),
    sample('S-B3-m', 'B3', 'parent', LUYANG, t('2026-02-01', 12)),
    ...custody('S-B3-m', t('2026-02-01', 12)),
    rescued('B3', LUYANG, t('2026-03-01')),
    placed('B3', 'civil-affairs-institution', LUYANG, t('2026-03-02')),
    ev(
      'homeward.followup.scheduled',
      {
        followupId: 'F-B3',
        caseId: 'B3',
        placementId: 'pl-B3',
        type: 'medical-psychological-rehabilitation',
        dueDate: '2026-04-01',
        region: LUYANG,
      },
      'B3',
    ),
    ev(
      'homeward.followup.overdue',
      {
        followupId: 'F-B3',
        caseId: 'B3',
        type: 'medical-psychological-rehabilitation',
        dueDate: '2026-04-01',
        detectedAt: t('2026-04-02'),
      },
      'B3',
    ),
  ];
}

/** The missed duties of the seeded year, as `duty region department record`. */
export const EXPECTED_MISSED = [
  `report-acted-on ${SHUSHAN} police case:A2`,
  `special-team ${SHUSHAN} police case:A2`,
  `dna-sampling ${SHUSHAN} police case:A2`,
  `custody-step ${SHUSHAN} police sample:S-A3-c`,
  `placement ${LUYANG} civil-affairs case:B2`,
  `return-to-family ${LUYANG} civil-affairs case:B2`,
  `followup ${LUYANG} health followup:F-B3`,
].sort();

/** The limits of the service's defaults. */
export const DEFAULT_LIMITS = {
  actHours: 24,
  teamHours: 24,
  samplingHours: 72,
  custodyHours: 72,
  placementHours: 168,
  returnHours: 168,
};
