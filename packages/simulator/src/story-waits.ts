import { setTimeout as sleep } from 'node:timers/promises';
import { FollowupOwners, regionContains } from '@homeward/events';
import type { Credential } from './credentials.ts';
import type { Action, Agency, Story } from './plan.ts';
import { type PlatformClient, StepFailed } from './platform-client.ts';
import { followupOutcome, type ReportEvent, type StoryRefs } from './requests.ts';

// The steps of a story that wait on what the platform's services did downstream: the case a
// Kafka report opened, the DNA matches a profile produced, the follow-ups a placement scheduled.

/**
 * The case of a report sent on Kafka. An agency that reported on Kafka gets no answer: its police
 * desk finds the case the way an officer would, among the region's newest cases of that kind, by
 * what was reported. `claimed` holds the cases other stories found already.
 */
export async function caseOfKafkaReport(
  client: PlatformClient,
  story: Story,
  event: ReportEvent,
  police: Agency,
  claimed: Set<string>,
): Promise<string> {
  const when = (event.data.lastSeen ?? event.data.foundAt) as { at?: string } | undefined;
  const marker = Date.parse(when?.at ?? (event.data.observedAt as string));
  const looked = new Set<string>();
  const deadline = Date.now() + client.settleMs;
  for (;;) {
    const list = await client.http({
      service: 'rescue-coordination',
      method: 'GET',
      path: `/v1/cases?kind=${story.kind}&region=${story.region}&limit=100`,
      agency: police,
    });
    const candidates = ((list.body?.items ?? []) as Array<{ caseId: string }>).filter(
      (c) => !claimed.has(c.caseId) && !looked.has(c.caseId),
    );
    for (const c of candidates) {
      const one = await client.http({
        service: 'rescue-coordination',
        method: 'GET',
        path: `/v1/cases/${c.caseId}`,
        agency: police,
      });
      if (one.status !== 200) continue; // not readable yet: looked at again next round
      looked.add(c.caseId);
      // biome-ignore lint/suspicious/noExplicitAny: a report of any kind
      const r = (one.body?.report ?? {}) as Record<string, any>;
      const at = r.lastSeen?.at ?? r.foundAt?.at ?? r.observedAt;
      if (at && Date.parse(at) === marker) {
        claimed.add(c.caseId);
        return c.caseId;
      }
    }
    if (Date.now() > deadline) throw new StepFailed(`the case of Kafka report ${event.id} did not appear`);
    await sleep(300);
  }
}

/** Reviews the matches of the story's child: the parent-pair match confirmed, the others rejected. */
export async function confirmMatch(
  client: PlatformClient,
  action: Extract<Action, { do: 'confirm-match' }>,
  r: StoryRefs,
) {
  const child = r.samples.child;
  const deadline = Date.now() + client.settleMs;
  let matches: Array<{ matchId: string; kind: string; childSampleId: string; status: string }> = [];
  for (;;) {
    const res = await client.http({
      service: 'dna-tracking',
      method: 'GET',
      path: `/v1/matches?caseId=${r.caseId}&limit=50`,
      agency: action.agency,
    });
    matches = (res.body?.matches ?? []).filter((m: { childSampleId: string }) => m.childSampleId === child);
    if (matches.some((m) => m.kind === 'pair')) break;
    if (Date.now() > deadline) throw new StepFailed(`no parent-pair match for sample ${child}`);
    await sleep(300);
  }
  for (const m of matches) {
    if (m.status !== 'pending-review') continue;
    const verdict = m.kind === 'pair' ? 'confirm' : 'reject';
    await client.until(
      {
        service: 'dna-tracking',
        method: 'POST',
        path: `/v1/matches/${m.matchId}/${verdict}`,
        agency: action.agency,
        body: {
          reviewer: `${action.agency.agencyId}-reviewer-1`,
          note:
            verdict === 'confirm'
              ? 'both parents, all loci consistent'
              : 'superseded by the parent-pair match',
        },
      },
      [200, 201],
      [409],
    );
  }
}

/** Completes every scheduled follow-up of the story's case, each by the department that owns it. */
export async function completeFollowups(
  client: PlatformClient,
  credentials: readonly Credential[],
  action: Extract<Action, { do: 'complete-followups' }>,
  r: StoryRefs,
) {
  const deadline = Date.now() + client.settleMs;
  let list: Array<{ followupId: string; type: string; status: string }> = [];
  for (;;) {
    const res = await client.http({
      service: 'placement',
      method: 'GET',
      path: `/v1/followups?caseId=${r.caseId}`,
      agency: action.agency,
    });
    list = res.body?.followups ?? res.body?.items ?? [];
    if (list.length > 0) break;
    if (Date.now() > deadline) throw new StepFailed(`no follow-up scheduled for ${r.caseId}`);
    await sleep(300);
  }
  for (const f of list.filter((x) => x.status === 'scheduled')) {
    await client.until(
      {
        service: 'placement',
        method: 'POST',
        path: `/v1/followups/${f.followupId}/complete`,
        // Only the department that answers for a follow-up completes it (placement's owners).
        agency: ownerAgency(credentials, f.type, (f as { region?: string }).region, action.agency),
        body: followupOutcome(f.type),
      },
      [200, 201],
      [],
    );
  }
}

/** An agency of the role that owns a follow-up, in its region if one is, else any of the role. */
function ownerAgency(
  credentials: readonly Credential[],
  type: string,
  region: string | undefined,
  fallback: Agency,
): Agency {
  const owner = (FollowupOwners as Record<string, string>)[type];
  if (!owner || owner === fallback.role) return fallback;
  const of = credentials.filter((c) => c.role === owner);
  const c = (region ? of.find((x) => regionContains(x.region, region)) : undefined) ?? of[0];
  return c ? { role: c.role, agencyId: c.agencyId, region: c.region } : fallback;
}
