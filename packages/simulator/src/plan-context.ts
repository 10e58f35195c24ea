import { regionContains } from '@homeward/events';
import type { Action, Agency, Place } from './plan.ts';
import type { Prefecture } from './province.ts';
import type { Random } from './random.ts';
import type { Scenario } from './scenario.ts';

// What every story of a plan draws on: its scenario, the prefectures in play, and the agencies
// that may act where a story happens.

export const SURNAMES = [
  'Wang',
  'Li',
  'Zhang',
  'Liu',
  'Chen',
  'Yang',
  'Zhao',
  'Huang',
  'Zhou',
  'Wu',
  'Xu',
  'Sun',
];
export const GIVEN = {
  female: ['Xinyi', 'Yutong', 'Zixuan', 'Ruoxi', 'Yiran', 'Shiyu', 'Mengyao', 'Jiaxin'],
  male: ['Haoran', 'Yichen', 'Jiahao', 'Tianyu', 'Muchen', 'Zihao', 'Junjie', 'Bowen'],
};
export const CLOTHES = [
  'a red jacket',
  'a blue school uniform',
  'a yellow raincoat',
  'a grey hoodie',
  'a green sweater',
];
export const SPOTS = [
  'railway station square',
  'bus station',
  'night market',
  'primary school gate',
  'city park',
];

/** Rounded to `d` decimals (coordinates to about 10 m). */
export const round = (n: number, d = 4) => Math.round(n * 10 ** d) / 10 ** d;

/** A plan's scenario and the helpers each story uses to pick agencies, places and channels. */
export interface PlanContext {
  scenario: Scenario;
  /** The prefectures in play that a police credential covers. */
  prefectures: Prefecture[];
  /** The scenario's length in seconds. */
  span: number;
  /** An agency of `role` whose region covers `region`, if there is one. */
  byRole: (role: string, region: string, r: Random) => Agency | undefined;
  /** As `byRole` (or `fallback`'s), or an error that says which credential to add. */
  need: (role: string, region: string, r: Random, fallback?: string) => Agency;
  /** A place near the prefecture's seat. */
  place: (r: Random, p: Prefecture, label: string) => Place;
  /** The channel of a report: Kafka for the scenario's share of them, else HTTP. */
  kafkaOr: (r: Random) => Extract<Action, { do: 'report' }>['channel'];
}

/** The context of a plan over `prefectures` with `agencies` (development credentials without keys). */
export function planContext(
  scenario: Scenario,
  agencies: readonly Agency[],
  prefectures: Prefecture[],
): PlanContext {
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
  const place = (r: Random, p: Prefecture, label: string): Place => ({
    place: `${p.name} ${label}`,
    region: p.seat,
    lat: round(p.lat + r.between(-0.06, 0.06)),
    lon: round(p.lon + r.between(-0.06, 0.06)),
  });
  const kafkaOr = (r: Random) => (r.chance(scenario.kafkaShare) ? 'kafka' : 'http') as 'kafka' | 'http';
  return { scenario, prefectures, span: scenario.durationMinutes * 60, byRole, need, place, kafkaOr };
}
