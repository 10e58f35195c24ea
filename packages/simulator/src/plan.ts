import { regionContains } from '@homeward/events';
import { planContext, round } from './plan-context.ts';
import { planMissingChild } from './plan-missing-child.ts';
import { planMalformed, planSuspectedTrafficking, planUnidentifiedChild } from './plan-other-stories.ts';
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

/**
 * The story a scenario tells with `seed`: pure and deterministic (the same scenario, seed and
 * agencies give the same plan, action for action). `agencies` are the development credentials
 * without keys: cases happen only where a police agency's region reaches, and each action is
 * taken by an agency of the right role whose region covers the case, so the plan stays within
 * every credential's scope.
 */
export function planScenario(scenario: Scenario, seed: number, agencies: readonly Agency[]): Plan {
  const rng = new Random(seed);
  const prefectures = scenario.prefectures
    .map((code) => PREFECTURES.find((p) => p.code === code))
    .filter((p): p is Prefecture => p !== undefined)
    .filter((p) => agencies.some((a) => a.role === 'police' && regionContains(a.region, p.seat)));
  if (prefectures.length === 0)
    throw new Error(`no police credential covers any of ${scenario.prefectures.join(', ')}`);

  const units = planUnits(scenario, seed, agencies, rng.fork('units'));
  const ctx = planContext(scenario, agencies, prefectures);
  const stories: Story[] = [];
  const actions: Action[] = [{ at: 0, do: 'register-units' }];
  // Each story draws from a generator of its own (forked by its label), so one story's draws
  // move nothing in another's.
  for (let i = 0; i < scenario.missingChildren.count; i++)
    stories.push(planMissingChild(ctx, i, rng.fork(`missing-${i}`), actions));
  for (let i = 0; i < scenario.unidentifiedChildren.count; i++)
    stories.push(planUnidentifiedChild(ctx, i, rng.fork(`unidentified-${i}`), actions));
  for (let i = 0; i < scenario.suspectedTrafficking.count; i++)
    stories.push(planSuspectedTrafficking(ctx, i, rng.fork(`suspected-${i}`), actions));
  for (const channel of ['http', 'kafka'] as const)
    for (let i = 0; i < scenario.malformed[channel]; i++)
      planMalformed(ctx, channel, i, rng.fork(`malformed-${channel}-${i}`), actions);

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
