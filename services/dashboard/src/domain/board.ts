import { CustodySteps, PlacementTypes } from '@homeward/events';
import { type VictimCounter, victimTable } from '@homeward/figures';
import type { RedisOp } from './live-ops.ts';

export const CASE_STATUSES = ['open', 'team-assigned', 'located', 'rescued', 'closed'] as const;
/** The catalogue's custody steps, in their order (re-exported for the board's readers). */
export const CUSTODY_STEPS = CustodySteps;
/** Steps after which a sample is no longer waiting on anyone. */
const SETTLED_STEPS = new Set(['stored', 'destroyed']);

/** An alert's projected hash, as Redis returns it (strings). */
export type AlertHash = Record<string, string>;

export interface RawBoard {
  caseStatus: Record<string, string>;
  caseRegion: Record<string, string>;
  alerts: Array<{
    alertId: string;
    hash: AlertHash;
    steps: string[];
    timeline: string[];
    /** Units the alert reached (notified), that acknowledged it, that it failed to reach. */
    units?: { notified: string[]; acknowledged: string[]; failed: string[] };
  }>;
  /** Registered units: unit id → `{ kind, region, lat, lon }` JSON (absent before units were projected). */
  units?: Record<string, string>;
  sampleStep: Record<string, string>;
  sampleAt: Record<string, string>;
  matchStatus: Record<string, string>;
  matchInfo: Record<string, string>;
  placementType: Record<string, string>;
  followupStatus: Record<string, string>;
  followupInfo: Record<string, string>;
  /** Raised clocks not yet resolved (`<clock>:<caseId>[:<subject>]` → JSON). */
  overdueClocks?: Record<string, string>;
  /** Annual reports by submission id (absent in projections made before it existed). */
  annualReports?: Record<string, string>;
  /** Victim counters (`rescued:female:18-and-over` → n), as {@link victimBoardOps} keeps them. */
  victims?: Record<string, string>;
}

/**
 * The board's victim counts: one HINCRBY per counter an event adds (see victim-counts.ts), run
 * in the same once-per-event script as the rest of the projection.
 */
export function victimBoardOps(counts: Partial<Record<VictimCounter, number>>, hash: string): RedisOp[] {
  return Object.entries(counts).map(([k, n]) => ['HINCRBY', hash, k.slice('victims:'.length), String(n)]);
}

/** The clocks on "as soon as possible", as the board counts them. */
export const CLOCKS = ['team', 'sampling', 'rescued-not-placed', 'identified-not-returned'] as const;

export interface CoveragePoint {
  at: string;
  notified: number;
  acknowledged: number;
}

const LIST_LIMIT = 50;

/** Where a unit stands for the active alerts, best first: what the map colours it by. */
export const UNIT_STATUSES = ['acknowledged', 'notified', 'failed', 'not-targeted'] as const;
export type UnitStatus = (typeof UNIT_STATUSES)[number];

/**
 * The registered units the caller may see, each with where it stands for the active alerts:
 * `acknowledged` if it acknowledged any, else `notified` if any reached it, else `failed` if
 * one was sent to it and never got through, else `not-targeted` (no active alert covers it).
 */
export function unitsOnBoard(
  raw: RawBoard,
  activeAlertIds: ReadonlySet<string>,
  inScope: (region: string) => boolean,
) {
  const rank = new Map<string, number>();
  const mark = (ids: string[] | undefined, r: number) => {
    for (const id of ids ?? []) rank.set(id, Math.min(rank.get(id) ?? 3, r));
  };
  for (const a of raw.alerts) {
    if (!activeAlertIds.has(a.alertId)) continue;
    mark(a.units?.acknowledged, 0);
    mark(a.units?.notified, 1);
    mark(a.units?.failed, 2);
  }
  const byStatus = Object.fromEntries(UNIT_STATUSES.map((s) => [s, 0])) as Record<UnitStatus, number>;
  const list: Array<{
    unitId: string;
    kind: string;
    region: string;
    lat: number;
    lon: number;
    status: UnitStatus;
  }> = [];
  for (const [unitId, json] of Object.entries(raw.units ?? {})) {
    const u = parseJson<{ kind: string; region: string; lat: number; lon: number }>(json);
    if (!u || typeof u.region !== 'string' || !inScope(u.region)) continue;
    const status = UNIT_STATUSES[rank.get(unitId) ?? 3]!;
    byStatus[status]++;
    list.push({ unitId, kind: u.kind, region: u.region, lat: u.lat, lon: u.lon, status });
  }
  list.sort((a, b) => a.unitId.localeCompare(b.unitId));
  return { total: list.length, byStatus, list };
}
const COVERAGE_POINTS = 40;

/** Cumulative notified and acknowledged counts over time, thinned to a few points. */
export function coverageSeries(timeline: string[]): CoveragePoint[] {
  const marks = timeline
    .map((m) => ({ kind: m[0], t: Number(m.slice(1)) }))
    .filter((m) => Number.isFinite(m.t))
    .sort((a, b) => a.t - b.t);
  let notified = 0;
  let acknowledged = 0;
  const all = marks.map((m) => {
    if (m.kind === 'n') notified++;
    else acknowledged++;
    return { at: new Date(m.t).toISOString(), notified, acknowledged };
  });
  if (all.length <= COVERAGE_POINTS) return all;
  const step = all.length / COVERAGE_POINTS;
  const out: CoveragePoint[] = [];
  for (let i = 1; i <= COVERAGE_POINTS; i++)
    out.push(all[Math.min(all.length - 1, Math.round(i * step) - 1)]!);
  return out;
}

const parseJson = <T>(s: string | undefined): T | undefined => {
  if (s === undefined) return undefined;
  try {
    return JSON.parse(s) as T;
  } catch {
    return undefined;
  }
};

/** The board the page draws: cases by status and region, alerts, DNA, placements, follow-ups. */
export function buildBoard(
  raw: RawBoard,
  now: Date,
  sampleOverdueHours: number,
  unitInScope: (region: string) => boolean = () => true,
) {
  const byStatus = Object.fromEntries(CASE_STATUSES.map((s) => [s, 0])) as Record<string, number>;
  const regions = new Map<string, Record<string, number>>();
  for (const [caseId, status] of Object.entries(raw.caseStatus)) {
    byStatus[status] = (byStatus[status] ?? 0) + 1;
    const region = raw.caseRegion[caseId] ?? 'unknown';
    const row = regions.get(region) ?? Object.fromEntries(CASE_STATUSES.map((s) => [s, 0]));
    row[status] = (row[status] ?? 0) + 1;
    regions.set(region, row);
  }

  const alerts = raw.alerts
    .filter((a) => a.hash.status === 'active' && a.hash.lat !== undefined)
    .map((a) => ({
      alertId: a.alertId,
      caseId: a.hash.caseId ?? '',
      region: a.hash.region ?? '',
      center: { lat: Number(a.hash.lat), lon: Number(a.hash.lon) },
      radiusKm: Number(a.hash.radiusKm),
      step: Number(a.hash.step ?? 0),
      issuedAt: a.hash.issuedAt ?? '',
      lastSeenAt: a.hash.lastSeenAt ?? '',
      lastSeenPlace: a.hash.lastSeenPlace ?? '',
      notified: Number(a.hash.notified ?? 0),
      acknowledged: Number(a.hash.acknowledged ?? 0),
      failed: Number(a.hash.failed ?? 0),
      steps: a.steps.flatMap((s) => parseJson<{ at: string; radiusKm: number; step: number }>(s) ?? []),
      coverage: coverageSeries(a.timeline),
    }))
    .sort((a, b) => a.issuedAt.localeCompare(b.issuedAt));

  const byStep = Object.fromEntries(CUSTODY_STEPS.map((s) => [s, 0])) as Record<string, number>;
  const overdueBefore = now.getTime() - sampleOverdueHours * 3_600_000;
  const overdueSamples: Array<{ sampleId: string; step: string; since: string }> = [];
  for (const [sampleId, step] of Object.entries(raw.sampleStep)) {
    byStep[step] = (byStep[step] ?? 0) + 1;
    const at = Number(raw.sampleAt[sampleId]);
    if (!SETTLED_STEPS.has(step) && Number.isFinite(at) && at < overdueBefore)
      overdueSamples.push({ sampleId, step, since: new Date(at).toISOString() });
  }
  overdueSamples.sort((a, b) => a.since.localeCompare(b.since));
  const awaiting = Object.entries(raw.matchStatus)
    .filter(([, s]) => s === 'found')
    .map(([matchId]) => ({
      matchId,
      ...(parseJson<{ childSampleId: string; caseId: string | null; probability: number; foundAt: string }>(
        raw.matchInfo[matchId],
      ) ?? { childSampleId: '', caseId: null, probability: 0, foundAt: '' }),
    }))
    .sort((a, b) => a.foundAt.localeCompare(b.foundAt));

  const placements = Object.fromEntries(PlacementTypes.map((t) => [t, 0])) as Record<string, number>;
  for (const type of Object.values(raw.placementType)) placements[type] = (placements[type] ?? 0) + 1;

  const followups = { scheduled: 0, completed: 0, overdue: 0 };
  const overdueList: Array<{
    followupId: string;
    caseId: string;
    type: string;
    dueDate: string;
    region: string;
  }> = [];
  for (const [followupId, status] of Object.entries(raw.followupStatus)) {
    if (status === 'scheduled' || status === 'completed' || status === 'overdue') followups[status]++;
    if (status === 'overdue') {
      const info = parseJson<{ caseId: string; type: string; dueDate: string; region: string }>(
        raw.followupInfo[followupId],
      );
      overdueList.push({
        followupId,
        caseId: info?.caseId ?? '',
        type: info?.type ?? '',
        dueDate: info?.dueDate ?? '',
        region: info?.region ?? '',
      });
    }
  }
  overdueList.sort((a, b) => a.dueDate.localeCompare(b.dueDate));

  const byClock = Object.fromEntries(CLOCKS.map((c) => [c, 0])) as Record<string, number>;
  const clockList: Array<{ clock: string; caseId: string; region: string; since: string; subject?: string }> =
    [];
  for (const value of Object.values(raw.overdueClocks ?? {})) {
    const c = parseJson<{ clock: string; caseId: string; region?: string; since?: string; subject?: string }>(
      value,
    );
    if (!c) continue;
    byClock[c.clock] = (byClock[c.clock] ?? 0) + 1;
    clockList.push({
      clock: c.clock,
      caseId: c.caseId,
      region: c.region ?? '',
      since: c.since ?? '',
      ...(c.subject ? { subject: c.subject } : {}),
    });
  }
  clockList.sort((a, b) => a.since.localeCompare(b.since) || a.caseId.localeCompare(b.caseId));
  // Annual reports: who was reminded and has not submitted since, and who is past the deadline.
  const reports = { submitted: 0, returned: 0, accepted: 0, reminded: 0, overdue: 0 };
  const overdueReports: Array<{ year: number; region: string; agencyId: string; role: string }> = [];
  for (const json of Object.values(raw.annualReports ?? {})) {
    const r = parseJson<{ year: number; region: string; agencyId: string; role: string; state: string }>(
      json,
    );
    if (!r) continue;
    if (r.state === 'reminded:overdue') {
      reports.overdue++;
      overdueReports.push({ year: r.year, region: r.region, agencyId: r.agencyId, role: r.role });
    } else if (r.state.startsWith('reminded:')) reports.reminded++;
    else if (r.state === 'submitted' || r.state === 'returned' || r.state === 'accepted') reports[r.state]++;
  }
  overdueReports.sort(
    (a, b) => a.year - b.year || a.region.localeCompare(b.region) || a.agencyId.localeCompare(b.agencyId),
  );

  return {
    generatedAt: now.toISOString(),
    cases: {
      total: Object.keys(raw.caseStatus).length,
      byStatus,
      byRegion: [...regions]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([region, counts]) => ({ region, ...counts })),
    },
    alerts,
    units: unitsOnBoard(raw, new Set(alerts.map((a) => a.alertId)), unitInScope),
    dna: {
      byStep,
      overdueCount: overdueSamples.length,
      overdueSamples: overdueSamples.slice(0, LIST_LIMIT),
      awaitingReviewCount: awaiting.length,
      awaitingReview: awaiting.slice(0, LIST_LIMIT),
    },
    placements: { byType: placements },
    victims: victimTable(
      Object.fromEntries(Object.entries(raw.victims ?? {}).map(([k, v]) => [`victims:${k}`, v])),
    ),
    followups: { ...followups, overdueList: overdueList.slice(0, LIST_LIMIT) },
    clocks: { overdue: clockList.length, byClock, list: clockList.slice(0, LIST_LIMIT) },
    annualReports: { ...reports, overdueList: overdueReports.slice(0, LIST_LIMIT) },
  };
}

export type Board = ReturnType<typeof buildBoard>;
