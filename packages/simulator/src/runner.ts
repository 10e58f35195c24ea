import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { type Credential, credentialFor } from './credentials.ts';
import { type FrequencyTableView, familyProfiles, type Profile } from './genetics.ts';
import type { KafkaReports } from './kafka-reports.ts';
import type { Action, Agency, Plan, Story, UnitPlan } from './plan.ts';
import { PlatformClient, StepFailed } from './platform-client.ts';
import { type Received, UnitReceivers } from './receivers.ts';
import {
  actionCall,
  type HttpCall,
  type ReportEvent,
  reportEvent,
  type ServiceName,
  type StoryRefs,
  unitBody,
} from './requests.ts';
import { caseOfKafkaReport, completeFollowups, confirmMatch } from './story-waits.ts';

/** The contract's ports on one machine (DESIGN.md). */
export const DEFAULT_URLS: Record<ServiceName | 'dashboard', string> = {
  dashboard: 'http://127.0.0.1:8080',
  intake: 'http://127.0.0.1:8081',
  'rescue-coordination': 'http://127.0.0.1:8082',
  placement: 'http://127.0.0.1:8083',
  'dna-tracking': 'http://127.0.0.1:8084',
  notifications: 'http://127.0.0.1:8085',
};

export interface RunOptions {
  plan: Plan;
  credentials: readonly Credential[];
  urls?: Partial<Record<ServiceName, string>>;
  /** The agency topic's sender; without it, reports planned for Kafka go over HTTP. */
  kafka?: KafkaReports;
  /** Scenario seconds per wall second (the plan's by default). */
  speed?: number;
  runId: string;
  logger: Logger;
  /** How long a step waits for the platform to catch up (a case not yet known downstream). */
  settleTimeoutMs?: number;
  /** Told of every step taken, for a progress line. */
  onStep?: (step: StepRecord) => void;
  /**
   * Registers the units under `<namespace>-<unitId>`: a run beside another on the same
   * notifications store (tests on one Redis) must not take over the other's units.
   */
  unitNamespace?: string;
  /** How long no webhook must come before the run counts the units done (5 s). */
  quietMs?: number;
  /** Awaited after the last step, before the units' receivers close (a demo keeps them answering). */
  hold?: () => Promise<void>;
}

/** One step as it went: what, for which story, the status the platform answered. */
export interface StepRecord {
  at: number;
  story?: string;
  do: Action['do'] | 'ack';
  status: number | 'sent' | 'error';
  detail?: string;
}

/** What a run did and what it learnt of the platform's ids. */
export interface RunResult {
  runId: string;
  steps: StepRecord[];
  refs: Record<string, StoryRefs & { alertId?: string }>;
  acks: Array<{ unitId: string; alertId: string; status: number }>;
  received: Received[];
  failures: StepRecord[];
  wallMs: number;
}

/**
 * Plays a plan against a running platform through its public HTTP APIs (and the agency topic
 * for reports planned on it): each story's steps in order at their scenario times, stories side
 * by side; the units' receivers acknowledge what they receive after their delays. A step the
 * platform is not ready for yet (a case intake opened that rescue-coordination has not consumed)
 * is tried again until `settleTimeoutMs`; a step that fails ends its story, is recorded, and the
 * run goes on.
 */
export async function runPlan(opts: RunOptions): Promise<RunResult> {
  const speed = opts.speed ?? opts.plan.speed;
  const urls = { ...DEFAULT_URLS, ...opts.urls };
  const settle = opts.settleTimeoutMs ?? 30_000;
  const log = opts.logger;
  const steps: StepRecord[] = [];
  const failures: StepRecord[] = [];
  const refs: RunResult['refs'] = {};
  const acks: RunResult['acks'] = [];
  const pendingAcks: Promise<void>[] = [];
  const stories = new Map(opts.plan.stories.map((s) => [s.id, s]));
  const units = new Map(opts.plan.units.map((u) => [u.unitId, u]));
  const ns = opts.unitNamespace ? `${opts.unitNamespace}-` : '';
  /** The id the platform knows a planned unit by, and back. */
  const liveId = (unitId: string) => `${ns}${unitId}`;
  const plannedId = (live: string) => (ns && live.startsWith(ns) ? live.slice(ns.length) : live);
  const secret = (unitId: string) => `sim-${opts.runId}-${plannedId(unitId)}-webhook-secret`;
  const client = new PlatformClient(opts.credentials, urls, settle);
  const http = (call: HttpCall) => client.http(call);
  const until = (call: HttpCall, ok: number[], wait?: number[]) => client.until(call, ok, wait);
  let table: FrequencyTableView | undefined;
  const profiles = new Map<string, { mother: Profile; father: Profile; child: Profile }>();

  const record = (s: StepRecord) => {
    steps.push(s);
    if (s.status === 'error') failures.push(s);
    opts.onStep?.(s);
  };

  const receivers = new UnitReceivers(secret, (r) => {
    const unit = units.get(plannedId(r.unitId));
    if (!unit?.acks || unit.broken) return;
    if (r.type !== 'homeward.alert.issued' && r.type !== 'homeward.alert.escalated') return;
    pendingAcks.push(acknowledge(unit, r.alertId));
  });

  async function acknowledge(unit: UnitPlan, alertId: string): Promise<void> {
    await sleep((unit.ackDelaySeconds * 1000) / speed);
    try {
      // The key of the unit's own agency: only it may acknowledge for the unit.
      const agency: Agency = { role: 'unit', agencyId: unit.agencyId, region: unit.region };
      const res = await http({
        service: 'notifications',
        method: 'POST',
        path: `/v1/alerts/${alertId}/acks`,
        agency,
        body: { unitId: liveId(unit.unitId) },
      });
      acks.push({ unitId: unit.unitId, alertId, status: res.status });
      record({ at: -1, do: 'ack', status: res.status, detail: `${unit.unitId} ${alertId}` });
    } catch (err) {
      record({ at: -1, do: 'ack', status: 'error', detail: String(err) });
    }
  }

  const claimed = new Set<string>();
  const sent = new Map<string, ReportEvent>();

  async function report(action: Extract<Action, { do: 'report' }>, story: Story | undefined, r: StoryRefs) {
    // A retry is the very same event (same id, same content), as a system that lost the answer sends it.
    const event =
      (action.purpose === 'retry' ? sent.get(action.eventKey) : undefined) ??
      reportEvent(action, { runId: opts.runId, now: new Date(), ...(story ? { story } : {}), refs: r });
    sent.set(action.eventKey, event);
    if (action.channel === 'kafka' && opts.kafka) {
      await opts.kafka.send(event);
      record({
        at: action.at,
        ...(action.story ? { story: action.story } : {}),
        do: 'report',
        status: 'sent',
        detail: `${action.purpose} on Kafka`,
      });
      if (action.purpose === 'open' && story) {
        const police = credentialFor(opts.credentials, 'police', story.region);
        r.caseId = await caseOfKafkaReport(client, story, event, police, claimed);
      }
      return;
    }
    const res = await http({
      service: 'intake',
      method: 'POST',
      path: '/v1/reports',
      agency: action.agency,
      body: event,
      contentType: 'application/cloudevents+json',
    });
    record({
      at: action.at,
      ...(action.story ? { story: action.story } : {}),
      do: 'report',
      status: res.status,
      detail: action.purpose,
    });
    if (action.purpose === 'malformed') {
      if (res.status !== 400) throw new StepFailed(`a malformed report answered ${res.status}, not 400`);
      return;
    }
    if (res.status !== 202)
      throw new StepFailed(`report ${action.eventKey} answered ${res.status} ${res.body?.code ?? ''}`);
    if (action.purpose === 'open') {
      r.caseId = res.body.caseId;
      claimed.add(res.body.caseId);
    }
  }

  async function step(action: Action): Promise<void> {
    const story = action.story ? stories.get(action.story) : undefined;
    if (action.story && !refs[action.story]) refs[action.story] = { samples: {} };
    const r = action.story ? refs[action.story]! : { samples: {} };
    const ctx = { runId: opts.runId, now: new Date(), ...(story ? { story } : {}), refs: r };
    switch (action.do) {
      case 'register-units':
        for (const u of opts.plan.units) {
          const res = await until(
            {
              service: 'notifications',
              method: 'PUT',
              path: `/v1/units/${liveId(u.unitId)}`,
              agency: credentialFor(opts.credentials, 'admin', u.region),
              body: unitBody(u, receivers.urlFor(liveId(u.unitId), u.broken), secret(u.unitId)),
            },
            [200, 201],
            [409],
          );
          record({ at: action.at, do: action.do, status: res.status, detail: u.unitId });
        }
        return;
      case 'report':
        return report(action, story, r);
      case 'profile': {
        table ??= (
          await http({
            service: 'dna-tracking',
            method: 'GET',
            path: '/v1/allele-frequencies',
            agency: action.agency,
          })
        ).body as FrequencyTableView;
        const family = profiles.get(action.story!) ?? familyProfiles(table, opts.plan.seed, action.story!);
        profiles.set(action.story!, family);
        const sampleId = r.samples[action.sample];
        const res = await until(
          {
            service: 'dna-tracking',
            method: 'POST',
            path: `/v1/samples/${sampleId}/profile`,
            agency: action.agency,
            body: { loci: family[action.sample] },
          },
          [200, 201],
          [409],
        );
        record({ at: action.at, story: action.story!, do: action.do, status: res.status });
        return;
      }
      case 'confirm-match':
        await confirmMatch(client, action, r);
        record({ at: action.at, story: action.story!, do: action.do, status: 200 });
        return;
      case 'complete-followups':
        await completeFollowups(client, opts.credentials, action, r);
        record({ at: action.at, story: action.story!, do: action.do, status: 200 });
        return;
      case 'alert': {
        // Police systems open the alert of a missing child as soon as the case opens; the
        // desk issues it by hand only when it is not already out.
        const res = await until(actionCall(action, ctx), [201, 409], [404]);
        let alertId = res.status === 201 ? (res.body.alertId as string) : undefined;
        if (!alertId) {
          const c = await http({
            service: 'rescue-coordination',
            method: 'GET',
            path: `/v1/cases/${r.caseId}`,
            agency: action.agency,
          });
          alertId =
            c.body?.activeAlertId ??
            c.body?.alerts?.find((a: { status: string }) => a.status === 'active')?.alertId;
        }
        if (!alertId)
          throw new StepFailed(`case ${r.caseId} has no alert (${res.status} ${res.body?.code ?? ''})`);
        (r as { alertId?: string }).alertId = alertId;
        record({ at: action.at, story: action.story!, do: action.do, status: res.status });
        return;
      }
      default: {
        const call = actionCall(action, ctx);
        // Downstream services learn of a case from its events: "not yet" is 404 (unknown case),
        // 409 (a step its consumer has not recorded yet) or 422 (placement before the rescue).
        const res = await until(call, [200, 201, 202]);
        if (action.do === 'sample') r.samples[action.sample] = res.body.sampleId;
        record({
          at: action.at,
          ...(action.story ? { story: action.story } : {}),
          do: action.do,
          status: res.status,
        });
      }
    }
  }

  await receivers.start();
  const t0 = Date.now();
  const due = (at: number) => t0 + (at * 1000) / speed;
  // One chain per story (its steps in order), the stories side by side.
  const chains = new Map<string, Action[]>();
  for (const a of opts.plan.actions) {
    const k = a.story ?? `loose-${a.do}-${a.at}-${chains.size}`;
    const list = chains.get(k) ?? [];
    list.push(a);
    chains.set(k, list);
  }
  const register = opts.plan.actions.find((a) => a.do === 'register-units');
  if (register) {
    await step(register);
    chains.delete([...chains.keys()].find((k) => chains.get(k)!.includes(register))!);
  }
  try {
    await Promise.all(
      [...chains.values()].map(async (list) => {
        for (const action of list) {
          const wait = due(action.at) - Date.now();
          if (wait > 0) await sleep(wait);
          try {
            await step(action);
          } catch (err) {
            const detail = err instanceof Error ? err.message : String(err);
            log.warn({ story: action.story, do: action.do, detail }, 'step failed; its story stops here');
            record({
              at: action.at,
              ...(action.story ? { story: action.story } : {}),
              do: action.do,
              status: 'error',
              detail,
            });
            return;
          }
        }
      }),
    );
    // Units still receiving and acknowledging: the last alerts' webhooks may come after the last
    // step. Done when no webhook came for `quietMs` and every acknowledgement is answered.
    const quietMs = opts.quietMs ?? 5_000;
    const until = Date.now() + settle;
    for (;;) {
      for (let i = 0; i < pendingAcks.length; i++) await pendingAcks[i];
      const last = receivers.received.at(-1)?.at ?? 0;
      if (Date.now() - last >= quietMs || Date.now() > until) break;
      await sleep(500);
    }
    await opts.hold?.();
  } finally {
    await receivers.stop();
  }
  return {
    runId: opts.runId,
    steps,
    refs,
    acks,
    received: receivers.received,
    failures,
    wallMs: Date.now() - t0,
  };
}
