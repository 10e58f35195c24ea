import type { EventData } from '@homeward/events';

// Apart from support.ts so that the domain tests that need it (sampling-duties*.test.ts) do not
// import the whole service with it (support.ts builds the app): a pure test loads what it tests.

/** The data of a `homeward.case.opened` as intake would publish it, for a case a sample names. */
export function caseOpenedData(
  caseId: string,
  kind: 'missing-child' | 'unidentified-child' | 'suspected-trafficking' = 'missing-child',
  opts: { region?: string; openedAt?: string; parents?: unknown[] } = {},
): EventData<'homeward.case.opened'> {
  const region = opts.region ?? '340104';
  const at = opts.openedAt ?? '2026-11-27T08:00:00+08:00';
  const place = { at, place: 'Hefei', lat: 31.82, lon: 117.22, region };
  const report =
    kind === 'missing-child'
      ? {
          kind,
          child: { name: 'Li Xiaoming', sex: 'male', birthDate: '2019-05-01' },
          lastSeen: place,
          ...(opts.parents ? { parents: opts.parents } : {}),
        }
      : kind === 'unidentified-child'
        ? { kind, child: { sex: 'female', apparentAge: 6 }, foundAt: place }
        : { kind, description: 'seen', observedAt: at, location: { place: 'Hefei', region } };
  return {
    caseId,
    kind,
    region,
    openedAt: at,
    reportId: `rep-${caseId}`,
    reportedBy: { agencyId: 'hefei-psb', role: 'police', region: '340100' },
    report,
  } as EventData<'homeward.case.opened'>;
}
