import type { Action, Story } from './plan.ts';
import { type PlanContext, SPOTS } from './plan-context.ts';
import type { Random } from './random.ts';

// The stories around the missing children: children of unknown origin, suspected trafficking,
// and systems that send what they should not.

/** Child of unknown origin number `i`, found in screening: its own case, placed by civil affairs. */
export function planUnidentifiedChild(ctx: PlanContext, i: number, r: Random, actions: Action[]): Story {
  const { prefectures, span, byRole, need, place, kafkaOr } = ctx;
  // Its story takes as long as a missing child's.
  const mc = ctx.scenario.missingChildren;
  const id = `uc${i + 1}`;
  const p = r.pick(prefectures);
  const reporter =
    byRole(r.pick(['health', 'education', 'civil-affairs', 'family-planning']), p.seat, r) ??
    need('police', p.seat, r);
  const police = need('police', p.seat, r);
  const civil = need('civil-affairs', p.seat, r);
  const story: Story = {
    id,
    kind: 'unidentified-child',
    prefecture: p.code,
    region: p.seat,
    apparentAge: r.int(4, 12),
    alert: false,
    located: true,
    rescued: true,
    buyer: true,
    dna: false,
    placement: 'civil-affairs-institution',
    overdue: false,
    closed: false,
    sightings: 0,
    duplicate: false,
    retry: false,
  };
  const t0 = Math.round(r.between(0, span));
  const S = r.between(mc.storyMinutes[0], mc.storyMinutes[1]) * 60;
  const at = (f: number) => Math.round(t0 + f * S);
  const found = place(r, p, 'village, a household with no papers for the child');
  actions.push({
    at: t0,
    story: id,
    do: 'report',
    kind: 'unidentified-child',
    purpose: 'open',
    channel: kafkaOr(r),
    agency: reporter,
    eventKey: `${id}-report`,
    minutesAgo: r.int(30, 300),
    place: found,
    note: 'a child of unknown origin',
  });
  actions.push({ at: at(0.1), story: id, do: 'team', agency: police });
  actions.push({
    at: at(0.3),
    story: id,
    do: 'rescued',
    agency: police,
    place: found,
    identified: false,
    buyer: true,
  });
  actions.push({
    at: at(0.5),
    story: id,
    do: 'placement',
    agency: civil,
    type: 'civil-affairs-institution',
    daysAgo: 0,
  });
  return story;
}

/** Suspected trafficking number `i`: a lead that a team looks into; half turn out unfounded. */
export function planSuspectedTrafficking(ctx: PlanContext, i: number, r: Random, actions: Action[]): Story {
  const { prefectures, span, byRole, need, place, kafkaOr } = ctx;
  const id = `st${i + 1}`;
  const p = r.pick(prefectures);
  const reporter =
    byRole(
      r.pick(['transport', 'womens-federation', 'hotline', 'family-planning', 'volunteer']),
      p.seat,
      r,
    ) ?? need('police', p.seat, r);
  const police = need('police', p.seat, r);
  const unfounded = r.chance(0.5);
  const story: Story = {
    id,
    kind: 'suspected-trafficking',
    prefecture: p.code,
    region: p.seat,
    alert: false,
    located: false,
    rescued: false,
    buyer: false,
    dna: false,
    overdue: false,
    closed: unfounded,
    sightings: 0,
    duplicate: false,
    retry: false,
  };
  const t0 = Math.round(r.between(0, span));
  actions.push({
    at: t0,
    story: id,
    do: 'report',
    kind: 'suspected-trafficking',
    purpose: 'open',
    channel: kafkaOr(r),
    agency: reporter,
    eventKey: `${id}-report`,
    minutesAgo: r.int(10, 600),
    place: place(r, p, r.pick(SPOTS)),
    note: 'a woman with two young children who do not seem to know her',
  });
  actions.push({ at: t0 + 120, story: id, do: 'team', agency: police });
  if (unfounded) actions.push({ at: t0 + 600, story: id, do: 'close', agency: police, reason: 'unfounded' });
  return story;
}

/** Malformed report number `i` on `channel`: refused over HTTP, dead-lettered on Kafka. */
export function planMalformed(
  ctx: PlanContext,
  channel: 'http' | 'kafka',
  i: number,
  r: Random,
  actions: Action[],
): void {
  const { prefectures, span, need, place } = ctx;
  const p = r.pick(prefectures);
  actions.push({
    at: Math.round(r.between(0, span)),
    do: 'report',
    kind: 'missing-child',
    purpose: 'malformed',
    channel,
    agency: need('police', p.seat, r),
    eventKey: `malformed-${channel}-${i + 1}`,
    minutesAgo: 30,
    place: place(r, p, r.pick(SPOTS)),
    note: 'a report without the child',
  });
}
