import type { HomewardEvent } from '@homeward/events';
import type { EventView } from './event-view.ts';

/** A Redis command as the projection script runs it. */
export type RedisOp = string[];

/** The Redis keys of the live projections, under the deployment's topic prefix. */
export function liveKeys(ns: string) {
  return {
    history: `${ns}history`,
    stats: `${ns}stats`,
    seen: (eventKey: string) => `${ns}seen:${eventKey}`,
    session: (digest: string) => `${ns}session:${digest}`,
    caseStatus: `${ns}case:status`,
    caseRegion: `${ns}case:region`,
    caseKind: `${ns}case:kind`,
    alert: (id: string) => `${ns}alert:${id}`,
    alertSteps: (id: string) => `${ns}alert:${id}:steps`,
    alertTimeline: (id: string) => `${ns}alert:${id}:timeline`,
    activeAlerts: `${ns}alerts:active`,
    sampleStep: `${ns}sample:step`,
    sampleAt: `${ns}sample:at`,
    matchStatus: `${ns}match:status`,
    matchInfo: `${ns}match:info`,
    placementType: `${ns}placement:type`,
    followupStatus: `${ns}followup:status`,
    followupInfo: `${ns}followup:info`,
    overdueClocks: `${ns}overdue:clocks`,
    victims: `${ns}victims`,
    /** Annual reports (coordination): submission id → where it stands, as JSON. */
    annualReports: `${ns}annual:reports`,
  };
}
export type LiveKeys = ReturnType<typeof liveKeys>;

/** Where a case stands on the board, by the last event that moved it. */
export const CASE_STATUS: Partial<Record<string, string>> = {
  'homeward.case.opened': 'open',
  'homeward.case.team-assigned': 'team-assigned',
  'homeward.case.child-located': 'located',
  'homeward.case.child-rescued': 'rescued',
  'homeward.case.closed': 'closed',
};

/** The field of a raised clock in the board's hash: `<clock>:<caseId>[:<subject>]`. */
export function clockField(clock: string, caseId: string, subject?: string): string {
  return subject ? `${clock}:${caseId}:${subject}` : `${clock}:${caseId}`;
}

/**
 * The clocks on "as soon as possible" as the board shows them: a raised clock is set, and
 * cleared by what resolves it (the team assigned, the sample taken, the child placed or
 * returned home, the case closed). A resolution that comes before the raise finds nothing to
 * clear; the owning service does not raise a clock that is resolved.
 */
function clockOps(event: HomewardEvent, keys: LiveKeys): RedisOp[] {
  // biome-ignore lint/suspicious/noExplicitAny: each branch reads the fields its type's schema guarantees
  const d = event.data as Record<string, any>;
  const set = (field: string, clock: string, extra: Record<string, unknown>) => [
    'HSET',
    keys.overdueClocks,
    field,
    JSON.stringify({ clock, caseId: d.caseId, region: d.region, detectedAt: d.detectedAt, ...extra }),
  ];
  const clear = (...fields: string[]) => ['HDEL', keys.overdueClocks, ...fields];
  switch (event.type) {
    case 'homeward.case.team-overdue':
      return [set(clockField('team', d.caseId), 'team', { since: d.openedAt })];
    case 'homeward.dna.sampling-overdue':
      return [
        set(clockField('sampling', d.caseId, d.subject), 'sampling', {
          since: d.owedSince,
          subject: d.subject,
        }),
      ];
    case 'homeward.placement.overdue':
      return [set(clockField(d.clock, d.caseId), d.clock, { since: d.since })];
    case 'homeward.case.team-assigned':
      return [clear(clockField('team', d.caseId))];
    case 'homeward.dna.sample-collected': {
      const caseId = d.subject?.caseId;
      if (!caseId) return [];
      const subject = d.subject.kind === 'parent' ? d.subject.relation : 'child';
      return subject ? [clear(clockField('sampling', caseId, subject))] : [];
    }
    case 'homeward.placement.decided':
      return [
        d.type === 'return-to-family'
          ? clear(clockField('rescued-not-placed', d.caseId), clockField('identified-not-returned', d.caseId))
          : clear(clockField('rescued-not-placed', d.caseId)),
      ];
    case 'homeward.case.closed':
      return [
        clear(
          clockField('team', d.caseId),
          ...['mother', 'father', 'child'].map((s) => clockField('sampling', d.caseId, s)),
          clockField('rescued-not-placed', d.caseId),
          clockField('identified-not-returned', d.caseId),
        ),
      ];
    case 'homeward.dna.match-found':
      // A parent pair's match folds the single-parent matches announced before it.
      return (d.foldedMatchIds ?? []).map((id: string) => ['HSET', keys.matchStatus, id, 'folded']);
    default:
      return [];
  }
}

/** Timeline entries kept per alert (notified and acknowledged marks for the coverage chart). */
export const ALERT_TIMELINE_MAX = 5000;

const ms = (t: string) => String(Date.parse(t));

/**
 * The Redis commands that project one event: its entry in the history stream (whose id is
 * the SSE event id), the counters of `GET /v1/stats`, and the board's state. Run by one
 * script after a `SET NX` on the event id, so all or none of them apply, once.
 */
export function liveOps(
  event: HomewardEvent,
  view: EventView,
  keys: LiveKeys,
  historyMaxLen: number,
): RedisOp[] {
  return [...historyOps(view, keys, historyMaxLen), ...boardOps(event, view, keys)];
}

/**
 * A view's entry in the history stream (its id is the SSE event id) and the counters of
 * `GET /v1/stats`: what every view projects, an event's or a dead letter's.
 */
export function historyOps(view: EventView, keys: LiveKeys, historyMaxLen: number): RedisOp[] {
  return [
    [
      'XADD',
      keys.history,
      'MAXLEN',
      '~',
      String(historyMaxLen),
      '*',
      'v',
      JSON.stringify(view),
      't',
      view.type,
      'r',
      view.region ?? '',
      'c',
      view.caseId ?? '',
    ],
    ['HINCRBY', keys.stats, 'total', '1'],
    ['HINCRBY', keys.stats, `topic:${view.topic}`, '1'],
    ['HINCRBY', keys.stats, `type:${view.type}`, '1'],
  ];
}

/**
 * The board's state moved by one event: case statuses, alerts, samples, matches, placements,
 * follow-ups, annual reports and the raised clocks.
 */
function boardOps(event: HomewardEvent, view: EventView, keys: LiveKeys): RedisOp[] {
  const ops: RedisOp[] = [];
  // biome-ignore lint/suspicious/noExplicitAny: each branch reads the fields its type's schema guarantees
  const d = event.data as Record<string, any>;
  const status = CASE_STATUS[event.type];
  if (status) {
    ops.push(['HSET', keys.caseStatus, d.caseId, status]);
    if (view.region) ops.push(['HSET', keys.caseRegion, d.caseId, view.region]);
    if (event.type === 'homeward.case.opened') ops.push(['HSET', keys.caseKind, d.caseId, d.kind]);
  }
  switch (event.type) {
    case 'homeward.alert.issued':
      ops.push(
        [
          'HSET',
          keys.alert(d.alertId),
          'caseId',
          d.caseId,
          'region',
          d.region,
          'lat',
          String(d.center.lat),
          'lon',
          String(d.center.lon),
          'radiusKm',
          String(d.radiusKm),
          'step',
          String(d.step),
          'issuedAt',
          d.issuedAt,
          'lastSeenAt',
          d.lastSeenAt,
          'lastSeenPlace',
          d.lastSeenPlace,
          'status',
          'active',
        ],
        ['SADD', keys.activeAlerts, d.alertId],
        [
          'RPUSH',
          keys.alertSteps(d.alertId),
          JSON.stringify({ at: d.issuedAt, radiusKm: d.radiusKm, step: d.step }),
        ],
      );
      break;
    case 'homeward.alert.escalated':
      ops.push(
        [
          'HSET',
          keys.alert(d.alertId),
          'radiusKm',
          String(d.radiusKm),
          'step',
          String(d.step),
          'lat',
          String(d.center.lat),
          'lon',
          String(d.center.lon),
        ],
        [
          'RPUSH',
          keys.alertSteps(d.alertId),
          JSON.stringify({ at: d.escalatedAt, radiusKm: d.radiusKm, step: d.step }),
        ],
      );
      break;
    case 'homeward.alert.cancelled':
      ops.push(
        [
          'HSET',
          keys.alert(d.alertId),
          'status',
          'cancelled',
          'cancelReason',
          d.reason,
          'cancelledAt',
          d.cancelledAt,
        ],
        ['SREM', keys.activeAlerts, d.alertId],
      );
      break;
    case 'homeward.notification.delivered':
      if (d.kind !== 'cancellation')
        ops.push(
          ['HINCRBY', keys.alert(d.alertId), 'notified', '1'],
          ['RPUSH', keys.alertTimeline(d.alertId), `n${ms(d.deliveredAt)}`],
          ['LTRIM', keys.alertTimeline(d.alertId), String(-ALERT_TIMELINE_MAX), '-1'],
        );
      break;
    case 'homeward.notification.acknowledged':
      ops.push(
        ['HINCRBY', keys.alert(d.alertId), 'acknowledged', '1'],
        ['RPUSH', keys.alertTimeline(d.alertId), `a${ms(d.acknowledgedAt)}`],
        ['LTRIM', keys.alertTimeline(d.alertId), String(-ALERT_TIMELINE_MAX), '-1'],
      );
      break;
    case 'homeward.notification.failed':
      if (d.kind !== 'cancellation') ops.push(['HINCRBY', keys.alert(d.alertId), 'failed', '1']);
      break;
    case 'homeward.dna.sample-collected':
      ops.push(
        ['HSET', keys.sampleStep, d.sampleId, 'collected'],
        ['HSET', keys.sampleAt, d.sampleId, ms(d.collectedAt)],
      );
      break;
    case 'homeward.dna.custody-recorded':
      ops.push(['HSET', keys.sampleStep, d.sampleId, d.step], ['HSET', keys.sampleAt, d.sampleId, ms(d.at)]);
      break;
    case 'homeward.dna.match-found':
      ops.push(
        ['HSET', keys.matchStatus, d.matchId, 'found'],
        [
          'HSET',
          keys.matchInfo,
          d.matchId,
          JSON.stringify({
            childSampleId: d.childSampleId,
            caseId: d.caseId ?? null,
            probability: d.probability,
            foundAt: d.foundAt,
          }),
        ],
      );
      break;
    case 'homeward.dna.match-confirmed':
      ops.push(['HSET', keys.matchStatus, d.matchId, 'confirmed']);
      break;
    case 'homeward.dna.match-rejected':
      ops.push(['HSET', keys.matchStatus, d.matchId, 'rejected']);
      break;
    case 'homeward.placement.decided':
      ops.push(['HSET', keys.placementType, d.caseId, d.type]);
      break;
    case 'homeward.followup.scheduled':
      ops.push(
        ['HSETNX', keys.followupStatus, d.followupId, 'scheduled'],
        [
          'HSET',
          keys.followupInfo,
          d.followupId,
          JSON.stringify({ caseId: d.caseId, type: d.type, dueDate: d.dueDate, region: d.region }),
        ],
      );
      break;
    case 'homeward.followup.completed':
      ops.push(['HSET', keys.followupStatus, d.followupId, 'completed']);
      break;
    case 'homeward.followup.overdue':
      ops.push(['HSET', keys.followupStatus, d.followupId, 'overdue']);
      break;
    case 'homeward.coordination.submission-reminder':
    case 'homeward.coordination.submission-submitted':
    case 'homeward.coordination.submission-returned':
    case 'homeward.coordination.submission-accepted': {
      // One entry per submission, moved by its events in order (one key, one partition).
      const state =
        event.type === 'homeward.coordination.submission-reminder'
          ? `reminded:${d.stage}`
          : event.type.slice('homeward.coordination.submission-'.length);
      ops.push([
        'HSET',
        keys.annualReports,
        d.submissionId,
        JSON.stringify({ year: d.year, region: d.region, agencyId: d.agencyId, role: d.role, state }),
      ]);
      break;
    }
  }
  ops.push(...clockOps(event, keys));
  return ops;
}
