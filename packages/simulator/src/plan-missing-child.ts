import type { Action, ChildInfo, Story } from './plan.ts';
import { CLOTHES, GIVEN, type PlanContext, round, SPOTS, SURNAMES } from './plan-context.ts';
import { PREFECTURES } from './province.ts';
import type { Random } from './random.ts';

/**
 * The heart of the story: missing child number `i` (0-based), reported by police, searched for
 * with an alert and sightings, and for the scenario's share rescued, matched by DNA, placed with
 * the family and closed (or left overdue for its follow-ups). Its actions go into `actions`.
 */
export function planMissingChild(ctx: PlanContext, i: number, r: Random, actions: Action[]): Story {
  const { prefectures, span, byRole, need, place, kafkaOr } = ctx;
  const mc = ctx.scenario.missingChildren;
  const id = `mc${i + 1}`;
  const p = r.pick(prefectures);
  const sex = r.chance(0.5) ? 'female' : 'male';
  const surname = r.pick(SURNAMES);
  const age = r.int(3, 13);
  const child: ChildInfo = {
    name: `${surname} ${r.pick(GIVEN[sex])}`,
    sex,
    birthDate: `${2026 - age}-${String(r.int(1, 12)).padStart(2, '0')}-${String(r.int(1, 28)).padStart(2, '0')}`,
    description: `${age} years old, wearing ${r.pick(CLOTHES)}`,
  };
  const late = r.chance(mc.lateShare);
  const [h0, h1] = late ? mc.lateHoursSinceLastSeen : mc.hoursSinceLastSeen;
  const story: Story = {
    id,
    kind: 'missing-child',
    prefecture: p.code,
    region: p.seat,
    child,
    parents: {
      mother: `${r.pick(SURNAMES)} ${r.pick(GIVEN.female)}`,
      father: `${surname} ${r.pick(GIVEN.male)}`,
      address: `${p.name}, ${r.int(1, 300)} Changjiang Road, flat ${r.int(101, 2404)}`,
    },
    hoursSinceLastSeen: round(r.between(h0, h1), 2),
    alert: true,
    located: false,
    rescued: false,
    buyer: false,
    dna: false,
    overdue: false,
    closed: false,
    sightings: r.int(mc.sightings[0], mc.sightings[1]),
    duplicate: r.chance(mc.duplicateShare),
    retry: r.chance(mc.retryShare),
  };
  story.rescued = r.chance(mc.rescuedShare);
  story.located = story.rescued;
  if (story.rescued) {
    story.buyer = r.chance(mc.buyerShare);
    story.dna = r.chance(mc.dnaShare);
    story.placement = 'return-to-family';
    story.overdue = r.chance(mc.overdueShare);
    story.closed = !story.overdue;
  }

  const t0 = Math.round((span * i) / Math.max(1, mc.count) + r.between(0, span / Math.max(2, mc.count * 2)));
  const S = r.between(mc.storyMinutes[0], mc.storyMinutes[1]) * 60;
  const at = (f: number) => Math.round(t0 + f * S);
  const police = need('police', p.seat, r);
  const lastSeen = place(r, p, r.pick(SPOTS));
  const open: Action = {
    at: t0,
    story: id,
    do: 'report',
    kind: 'missing-child',
    purpose: 'open',
    channel: kafkaOr(r),
    agency: police,
    eventKey: `${id}-report`,
    minutesAgo: Math.round(story.hoursSinceLastSeen! * 60),
    place: lastSeen,
    note: `${child.name} reported missing`,
  };
  actions.push(open);
  // An agency system that did not see the answer sends the same report again: same event id.
  if (story.retry) actions.push({ ...open, at: t0 + 3, purpose: 'retry', channel: 'http' });
  actions.push({ at: at(0.04), story: id, do: 'team', agency: police });
  actions.push({ at: at(0.08), story: id, do: 'alert', agency: police });
  if (story.duplicate)
    actions.push({
      ...open,
      at: at(0.12),
      purpose: 'duplicate',
      channel: 'http',
      agency: need('police', p.seat, r),
      eventKey: `${id}-report-again`,
      minutesAgo: open.minutesAgo - 5,
      note: `${child.name} reported missing a second time, by another desk`,
    });
  for (let s = 0; s < story.sightings; s++) {
    const reporter =
      byRole(r.pick(['transport', 'volunteer', 'hotline', 'unit']), p.seat, r) ?? need('police', p.seat, r);
    const near = PREFECTURES.filter((q) => Math.abs(q.lat - p.lat) + Math.abs(q.lon - p.lon) < 2.2);
    actions.push({
      at: at(0.16 + (0.36 * s) / Math.max(1, story.sightings)),
      story: id,
      do: 'report',
      kind: 'sighting',
      purpose: 'sighting',
      channel: kafkaOr(r),
      agency: reporter,
      eventKey: `${id}-sighting-${s + 1}`,
      minutesAgo: r.int(2, 20),
      place: place(r, r.pick(near.length > 0 ? near : [p]), r.pick(SPOTS)),
      note: `a child like ${child.name} seen`,
    });
  }
  if (story.dna) {
    const lab = need('dna-lab', p.seat, r, 'police');
    for (const who of ['mother', 'father'] as const) {
      // Police collect; every later custody step is the lab's (only a dna-lab records them).
      actions.push({ at: at(0.1), story: id, do: 'sample', sample: who, agency: police });
      actions.push({ at: at(0.14), story: id, do: 'custody', sample: who, step: 'sealed', agency: lab });
      actions.push({
        at: at(0.18),
        story: id,
        do: 'custody',
        sample: who,
        step: 'shipped',
        agency: lab,
      });
      actions.push({ at: at(0.3), story: id, do: 'custody', sample: who, step: 'received', agency: lab });
      actions.push({ at: at(0.34), story: id, do: 'profile', sample: who, agency: lab });
      actions.push({ at: at(0.36), story: id, do: 'custody', sample: who, step: 'profiled', agency: lab });
      actions.push({ at: at(0.4), story: id, do: 'custody', sample: who, step: 'stored', agency: lab });
    }
  }
  if (story.rescued) {
    const where = place(r, r.pick(prefectures), 'village, a buying household');
    actions.push({
      at: at(0.56),
      story: id,
      do: 'located',
      agency: police,
      place: where,
      identified: !story.dna,
    });
    actions.push({
      at: at(0.6),
      story: id,
      do: 'rescued',
      agency: police,
      place: where,
      identified: !story.dna,
      buyer: story.buyer,
    });
    if (story.dna) {
      const lab = need('dna-lab', p.seat, r, 'police');
      actions.push({ at: at(0.62), story: id, do: 'sample', sample: 'child', agency: police });
      actions.push({
        at: at(0.64),
        story: id,
        do: 'custody',
        sample: 'child',
        step: 'sealed',
        agency: lab,
      });
      actions.push({
        at: at(0.66),
        story: id,
        do: 'custody',
        sample: 'child',
        step: 'shipped',
        agency: lab,
      });
      actions.push({
        at: at(0.7),
        story: id,
        do: 'custody',
        sample: 'child',
        step: 'received',
        agency: lab,
      });
      actions.push({ at: at(0.72), story: id, do: 'profile', sample: 'child', agency: lab });
      actions.push({
        at: at(0.73),
        story: id,
        do: 'custody',
        sample: 'child',
        step: 'profiled',
        agency: lab,
      });
      actions.push({
        at: at(0.74),
        story: id,
        do: 'custody',
        sample: 'child',
        step: 'stored',
        agency: lab,
      });
      actions.push({ at: at(0.76), story: id, do: 'confirm-match', agency: lab });
    }
    const civil = need('civil-affairs', p.seat, r);
    actions.push({
      at: at(0.82),
      story: id,
      do: 'placement',
      agency: civil,
      type: 'return-to-family',
      // An overdue story is one whose caseworker decided weeks ago and never followed up.
      daysAgo: story.overdue ? r.int(45, 58) : 0,
    });
    if (!story.overdue) {
      actions.push({ at: at(0.9), story: id, do: 'complete-followups', agency: civil });
      actions.push({
        at: at(0.96),
        story: id,
        do: 'close',
        agency: police,
        reason: 'child returned to family',
      });
    }
  }
  return story;
}
