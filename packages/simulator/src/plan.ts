import { regionContains } from '@homeward/events';
import { PREFECTURES, type Prefecture, UNIT_KINDS } from './province.ts';
import { hashUnit, Random } from './random.ts';
import type { Scenario } from './scenario.ts';

/** An agency the simulator may act as: a development credential without its key. */
export interface Agency {
  role: string;
  agencyId: string;
  region: string;
}

/** A unit (station, hospital, police post) with a webhook receiver in the simulator. */
export interface UnitPlan {
  unitId: string;
  name: string;
  kind: string;
  lat: number;
  lon: number;
  region: string;
  /** The unit agency whose key acknowledges for it. */
  agencyId: string;
  /** Its receiver answers 503: deliveries fail after their retries. */
  broken: boolean;
  /** Whether it acknowledges an alert it receives, and after how many scenario seconds. */
  acks: boolean;
  ackDelaySeconds: number;
}

export interface Place {
  place: string;
  region: string;
  lat: number;
  lon: number;
}

export interface ChildInfo {
  name: string;
  sex: 'female' | 'male';
  birthDate: string;
  description: string;
}

/** One case's story: who it is about and how it is meant to end. */
export interface Story {
  id: string;
  kind: 'missing-child' | 'unidentified-child' | 'suspected-trafficking';
  prefecture: string;
  region: string;
  child?: ChildInfo;
  apparentAge?: number;
  parents?: { mother: string; father: string; address: string };
  /** Hours between the child last seen and the report. */
  hoursSinceLastSeen?: number;
  alert: boolean;
  located: boolean;
  rescued: boolean;
  buyer: boolean;
  dna: boolean;
  placement?: 'return-to-family' | 'civil-affairs-institution';
  overdue: boolean;
  closed: boolean;
  sightings: number;
  duplicate: boolean;
  retry: boolean;
}

export type SampleRole = 'mother' | 'father' | 'child';

/** A step the simulator takes, at a scenario time (seconds from the start). */
export type Action = { at: number; story?: string } & (
  | { do: 'register-units' }
  | {
      do: 'report';
      kind: 'missing-child' | 'unidentified-child' | 'suspected-trafficking' | 'sighting';
      purpose: 'open' | 'retry' | 'duplicate' | 'sighting' | 'malformed';
      channel: 'http' | 'kafka';
      agency: Agency;
      eventKey: string;
      minutesAgo: number;
      place: Place;
      note: string;
    }
  | { do: 'team'; agency: Agency }
  | { do: 'alert'; agency: Agency }
  | { do: 'sample'; sample: SampleRole; agency: Agency }
  | {
      do: 'custody';
      sample: SampleRole;
      step: 'sealed' | 'shipped' | 'received' | 'profiled' | 'stored';
      agency: Agency;
    }
  | { do: 'profile'; sample: SampleRole; agency: Agency }
  | { do: 'confirm-match'; agency: Agency }
  | { do: 'located'; agency: Agency; place: Place; identified: boolean }
  | { do: 'rescued'; agency: Agency; place: Place; identified: boolean; buyer: boolean }
  | {
      do: 'placement';
      agency: Agency;
      type: 'return-to-family' | 'civil-affairs-institution';
      daysAgo: number;
    }
  | { do: 'complete-followups'; agency: Agency }
  | { do: 'close'; agency: Agency; reason: string }
);

export type ActionKind = Action['do'];

/** A scenario made exact by a seed: the units, the stories and every action in time order. */
export interface Plan {
  scenario: string;
  seed: number;
  speed: number;
  units: UnitPlan[];
  stories: Story[];
  actions: Action[];
}

const SURNAMES = ['Wang', 'Li', 'Zhang', 'Liu', 'Chen', 'Yang', 'Zhao', 'Huang', 'Zhou', 'Wu', 'Xu', 'Sun'];
const GIVEN = {
  female: ['Xinyi', 'Yutong', 'Zixuan', 'Ruoxi', 'Yiran', 'Shiyu', 'Mengyao', 'Jiaxin'],
  male: ['Haoran', 'Yichen', 'Jiahao', 'Tianyu', 'Muchen', 'Zihao', 'Junjie', 'Bowen'],
};
const CLOTHES = [
  'a red jacket',
  'a blue school uniform',
  'a yellow raincoat',
  'a grey hoodie',
  'a green sweater',
];
const SPOTS = ['railway station square', 'bus station', 'night market', 'primary school gate', 'city park'];

const round = (n: number, d = 4) => Math.round(n * 10 ** d) / 10 ** d;

/**
 * The story a scenario tells with `seed`: pure and deterministic (the same scenario, seed and
 * agencies give the same plan, action for action). `agencies` are the development credentials
 * without keys: cases happen only where a police agency's region reaches, and each action is
 * taken by an agency of the right role whose region covers the case, so the plan stays within
 * every credential's scope.
 */
export function planScenario(scenario: Scenario, seed: number, agencies: readonly Agency[]): Plan {
  const rng = new Random(seed);
  const byRole = (role: string, region: string, r: Random): Agency | undefined => {
    const fits = agencies.filter((a) => a.role === role && regionContains(a.region, region));
    return fits.length > 0 ? r.pick(fits) : undefined;
  };
  const need = (role: string, region: string, r: Random, fallback?: string): Agency => {
    const a = byRole(role, region, r) ?? (fallback ? byRole(fallback, region, r) : undefined);
    if (!a)
      throw new Error(
        `no ${role}${fallback ? ` or ${fallback}` : ''} credential covers region ${region}: add one to the credentials file`,
      );
    return a;
  };

  const prefectures = scenario.prefectures
    .map((code) => PREFECTURES.find((p) => p.code === code))
    .filter((p): p is Prefecture => p !== undefined)
    .filter((p) => agencies.some((a) => a.role === 'police' && regionContains(a.region, p.seat)));
  if (prefectures.length === 0)
    throw new Error(`no police credential covers any of ${scenario.prefectures.join(', ')}`);

  const units = planUnits(scenario, seed, agencies, rng.fork('units'));
  const stories: Story[] = [];
  const actions: Action[] = [{ at: 0, do: 'register-units' }];
  const span = scenario.durationMinutes * 60;
  const place = (r: Random, p: Prefecture, label: string): Place => ({
    place: `${p.name} ${label}`,
    region: p.seat,
    lat: round(p.lat + r.between(-0.06, 0.06)),
    lon: round(p.lon + r.between(-0.06, 0.06)),
  });
  const kafkaOr = (r: Random) => (r.chance(scenario.kafkaShare) ? 'kafka' : 'http') as 'kafka' | 'http';

  // Missing children: the heart of the story.
  const mc = scenario.missingChildren;
  for (let i = 0; i < mc.count; i++) {
    const r = rng.fork(`missing-${i}`);
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
    stories.push(story);

    const t0 = Math.round(
      (span * i) / Math.max(1, mc.count) + r.between(0, span / Math.max(2, mc.count * 2)),
    );
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
  }

  // Children of unknown origin, found in screening: their own cases, placed by civil affairs.
  for (let i = 0; i < scenario.unidentifiedChildren.count; i++) {
    const r = rng.fork(`unidentified-${i}`);
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
    stories.push(story);
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
  }

  // Suspected trafficking: leads that a team looks into; some turn out unfounded.
  for (let i = 0; i < scenario.suspectedTrafficking.count; i++) {
    const r = rng.fork(`suspected-${i}`);
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
    stories.push({
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
    });
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
    if (unfounded)
      actions.push({ at: t0 + 600, story: id, do: 'close', agency: police, reason: 'unfounded' });
  }

  // Systems that send what they should not: refused over HTTP, dead-lettered on Kafka.
  for (const channel of ['http', 'kafka'] as const) {
    for (let i = 0; i < scenario.malformed[channel]; i++) {
      const r = rng.fork(`malformed-${channel}-${i}`);
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
  }

  actions.sort((a, b) => a.at - b.at);
  return { scenario: scenario.name, seed, speed: scenario.speed, units, stories, actions };
}

function planUnits(scenario: Scenario, seed: number, agencies: readonly Agency[], rng: Random): UnitPlan[] {
  const unitAgencies = agencies.filter((a) => a.role === 'unit');
  if (unitAgencies.length === 0 && scenario.units.perPrefecture > 0)
    throw new Error('no unit credential: units could not acknowledge');
  const out: UnitPlan[] = [];
  for (const p of PREFECTURES) {
    for (let k = 0; k < scenario.units.perPrefecture; k++) {
      const kind = UNIT_KINDS[k % UNIT_KINDS.length]!;
      const unitId = `sim-${p.code}-${k + 1}`;
      const agency = unitAgencies.find((a) => regionContains(a.region, p.seat)) ?? unitAgencies[0]!;
      const [d0, d1] = scenario.units.ackDelaySeconds;
      out.push({
        unitId,
        name: `${p.name} ${kind.label}${k >= UNIT_KINDS.length ? ` ${Math.floor(k / UNIT_KINDS.length) + 1}` : ''}`,
        kind: kind.kind,
        lat: round(p.lat + rng.between(-0.18, 0.18)),
        lon: round(p.lon + rng.between(-0.18, 0.18)),
        region: p.seat,
        agencyId: agency.agencyId,
        // Per-unit traits from the seed and the unit alone, so that they do not depend on
        // how many units come before it.
        broken: hashUnit(seed, unitId, 'broken') < scenario.units.brokenRate,
        acks: hashUnit(seed, unitId, 'acks') < scenario.units.ackRate,
        ackDelaySeconds: Math.round(d0 + hashUnit(seed, unitId, 'delay') * (d1 - d0)),
      });
    }
  }
  return out;
}
