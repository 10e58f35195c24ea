import { createEvent, type HomewardEvent, type MissingChildReport, regionLevel } from '@homeward/events';
import { Roster } from '@homeward/service-kit';
import type { CaseDoc } from '../../src/domain/case.ts';
import { openedCase } from '../../src/domain/case-plan.ts';
import { parseEscalationPolicy } from '../../src/domain/escalation-policy.ts';

// Builders for unit tests: plain data, no infrastructure.

export const H = 3_600_000;
export const MIN = 60_000;
export const policy = parseEscalationPolicy('1h:100,2h:200,3h:300,*:500');
/** Last seen at 07:50; tests decide "now". */
export const SEEN = new Date('2026-11-28T07:50:00Z');
export const at = (elapsedMs: number) => new Date(SEEN.getTime() + elapsedMs);

export const police = { agencyId: 'hefei-psb', role: 'police', region: '340100' } as const;
/** A national caller: reaches every case (service-level tests that are not about scope). */
export const national = {
  agencyId: 'ministry-of-public-security',
  role: 'police',
  region: '000000',
} as const;
export const by = { agencyId: 'hefei-psb', role: 'police' };

export function report(lastSeenAt = SEEN): MissingChildReport {
  return {
    kind: 'missing-child',
    child: {
      name: 'Li Xiaoming',
      sex: 'male',
      birthDate: '2019-05-01',
      description: 'red jacket',
      photoUrl: 'https://photos.example.org/c/1.jpg',
    },
    lastSeen: {
      at: lastSeenAt.toISOString(),
      place: 'Hefei South Station',
      lat: 31.8,
      lon: 117.3,
      region: '340104',
    },
    reporter: { name: 'Li Wei', phone: '+86 138 0000 0000' },
  };
}

export function openedEvent(
  opts: { caseId?: string; by?: 'police' | 'hotline'; kind?: 'missing-child' | 'suspected-trafficking' } = {},
): HomewardEvent<'homeward.case.opened'> {
  const caseId = opts.caseId ?? 'case-1';
  const reportedBy =
    opts.by === 'hotline'
      ? { agencyId: 'anhui-12355-hotline', role: 'hotline' as const, region: '340000' }
      : { ...police };
  const kind = opts.kind ?? 'missing-child';
  return createEvent(
    'homeward.case.opened',
    {
      caseId,
      kind,
      region: '340104',
      openedAt: SEEN.toISOString(),
      reportId: `rpt-${caseId}`,
      reportedBy,
      report:
        kind === 'missing-child'
          ? report()
          : {
              kind: 'suspected-trafficking',
              description: 'absent pupil',
              observedAt: SEEN.toISOString(),
              location: { place: 'school', region: '340104' },
            },
    },
    { source: 'homeward/intake', subject: caseId, id: `rpt-${caseId}.case-opened` },
  );
}

/** A freshly opened case (version 1, no alert). */
export function openCase(opts: Parameters<typeof openedEvent>[0] = {}): CaseDoc {
  return openedCase(openedEvent(opts), at(5 * MIN));
}

export function leadEvent(caseId = 'case-1', leadId = 'lead-1'): HomewardEvent<'homeward.case.lead-added'> {
  return createEvent(
    'homeward.case.lead-added',
    {
      caseId,
      leadId,
      reportId: leadId,
      addedAt: '2026-11-28T08:30:00Z',
      reportedBy: { agencyId: 'volunteers', role: 'volunteer', region: '340104' },
      origin: 'sighting',
      seenAt: {
        at: '2026-11-28T08:25:00Z',
        place: 'Hefei West bus terminal',
        lat: 31.85,
        lon: 117.2,
        region: '340104',
      },
      description: 'a boy in a red jacket',
      photoUrl: 'https://photos.example.org/l/1.jpg',
    },
    { source: 'homeward/intake', subject: caseId, id: `${leadId}.lead-added` },
  );
}

export const officer = (region: string, id = 'officer') => ({
  officerId: `${id}-${region}`,
  name: `Officer ${id}`,
  agencyId: 'hefei-psb',
  region,
});

/** The team as the roster resolves {@link teamRequest}: what the event and the case carry. */
export const team = (chiefRegion: string) => ({
  chief: officer(chiefRegion, 'chief'),
  investigationLead: officer('340104', 'investigation'),
  rescueLead: officer('340104', 'rescue'),
  familyLiaisonLead: officer('340104', 'liaison'),
});

/** The team as a caller names it: roster ids. */
export const teamRequest = (chiefRegion: string) => ({
  chiefId: `chief-${chiefRegion}`,
  investigationLeadId: 'investigation-340104',
  rescueLeadId: 'rescue-340104',
  familyLiaisonLeadId: 'liaison-340104',
});

const CHIEF_REGIONS = [
  '340000',
  '340100',
  '340104',
  '340102',
  '340105',
  '340200',
  '320000',
  '320100',
  '341500',
];

/** A roster with a head for each region the tests name, the three leads, and a plain officer. */
export const testRoster = new Roster([
  ...CHIEF_REGIONS.map((region) => ({ ...officer(region, 'chief'), rank: regionLevel(region) })),
  ...['investigation', 'rescue', 'liaison'].map((id) => ({
    ...officer('340104', id),
    rank: 'officer' as const,
  })),
  { ...officer('340104', 'plain'), rank: 'officer' as const },
]);

/** Looks an id up in {@link testRoster}, as the service does. */
export const onRoster = (officerId: string) => testRoster.officer(officerId);
