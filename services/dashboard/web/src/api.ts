/** The page's calls to the dashboard API. Every call carries the session token (never the key). */

export interface Session {
  token: string;
  expiresAt: string;
  agencyId: string;
  role: string;
  region: string;
  /** The deployment's time zone (IANA); a session saved by an older page may lack it. */
  timeZone?: string;
}

export interface EventView {
  id: string;
  source: string;
  type: string;
  time?: string;
  topic: string;
  region?: string;
  caseId?: string;
  summary: string;
  data: unknown;
}

/** An event as the log holds it: the view and its position in the history (the SSE id). */
export interface LogRow extends EventView {
  streamId: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const SESSION_KEY = 'homeward.session';

export function savedSession(): Session | undefined {
  const raw = sessionStorage.getItem(SESSION_KEY);
  if (!raw) return undefined;
  const s = JSON.parse(raw) as Session;
  return Date.parse(s.expiresAt) > Date.now() ? s : undefined;
}

export function forgetSession(): void {
  sessionStorage.removeItem(SESSION_KEY);
}

/** Trades the API key for a session token; the key itself is not kept by the page. */
export async function signIn(apiKey: string): Promise<Session> {
  const res = await fetch('/v1/session', { method: 'POST', headers: { authorization: `Bearer ${apiKey}` } });
  if (!res.ok) {
    const problem = (await res.json().catch(() => ({}))) as { detail?: string };
    throw new ApiError(res.status, problem.detail ?? `sign-in failed (${res.status})`);
  }
  const session = (await res.json()) as Session;
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
  return session;
}

export function withToken(
  path: string,
  token: string,
  params: Record<string, string | undefined> = {},
): string {
  const q = new URLSearchParams({ token });
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, v);
  return `${path}?${q}`;
}

export async function getJson<T>(
  path: string,
  token: string,
  params: Record<string, string | undefined> = {},
): Promise<T> {
  const res = await fetch(withToken(path, token, params));
  if (!res.ok) {
    const problem = (await res.json().catch(() => ({}))) as { detail?: string };
    throw new ApiError(res.status, problem.detail ?? `${path} answered ${res.status}`);
  }
  return (await res.json()) as T;
}

export interface Stats {
  total: number;
  byTopic: Record<string, number>;
  byType: Record<string, number>;
}

export interface AlertView {
  alertId: string;
  caseId: string;
  region: string;
  center: { lat: number; lon: number };
  radiusKm: number;
  step: number;
  issuedAt: string;
  lastSeenAt: string;
  lastSeenPlace: string;
  notified: number;
  acknowledged: number;
  failed: number;
  steps: Array<{ at: string; radiusKm: number; step: number }>;
  coverage: Array<{ at: string; notified: number; acknowledged: number }>;
}

export interface Board {
  generatedAt: string;
  /** Annual reports (coordination): where submissions stand, and who is past the deadline. */
  annualReports?: {
    submitted: number;
    returned: number;
    accepted: number;
    reminded: number;
    overdue: number;
    overdueList: Array<{ year: number; region: string; agencyId: string; role: string }>;
  };
  cases: {
    total: number;
    byStatus: Record<string, number>;
    byRegion: Array<Record<string, number | string>>;
  };
  alerts: AlertView[];
  dna: {
    byStep: Record<string, number>;
    overdueCount: number;
    overdueSamples: Array<{ sampleId: string; step: string; since: string }>;
    awaitingReviewCount: number;
    awaitingReview: Array<{
      matchId: string;
      childSampleId: string;
      caseId: string | null;
      probability: number;
      foundAt: string;
    }>;
  };
  placements: { byType: Record<string, number> };
  followups: {
    scheduled: number;
    completed: number;
    overdue: number;
    overdueList: Array<{ followupId: string; caseId: string; type: string; dueDate: string; region: string }>;
  };
  /** Raised clocks on "as soon as possible", until resolved: team, sampling, rescued-not-placed, identified-not-returned. */
  clocks?: {
    overdue: number;
    byClock: Record<string, number>;
    list: Array<{ clock: string; caseId: string; region: string; since: string; subject?: string }>;
  };
}

export interface ServiceHealth {
  name: string;
  url: string;
  status: string;
  latencyMs: number | null;
  checkedAt: string | null;
}

export interface AnnualReport {
  year: number;
  region: string | null;
  lines: Array<{
    region: string;
    department: string;
    counts: Record<string, number>;
    medianReportToLocatedHours: number | null;
  }>;
  totals: { counts: Record<string, number>; medianReportToLocatedHours: number | null };
}
