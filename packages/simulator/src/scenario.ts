import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Static, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

const Share = Type.Number({ minimum: 0, maximum: 1 });
const Range = Type.Tuple([Type.Number({ minimum: 0 }), Type.Number({ minimum: 0 })]);

/**
 * A scenario file (`scenarios/<name>.json`): what happens in the province, in shares and
 * ranges; the seed turns it into one exact story (`planScenario`). Times are scenario time:
 * the run plays them `speed` times faster than the clock on the wall.
 */
export const ScenarioSchema = Type.Object(
  {
    name: Type.String({ pattern: '^[a-z0-9-]+$' }),
    title: Type.String(),
    description: Type.String(),
    seed: Type.Integer({ description: 'the default seed' }),
    speed: Type.Number({ exclusiveMinimum: 0, description: 'scenario seconds per wall second, by default' }),
    durationMinutes: Type.Number({ exclusiveMinimum: 0, description: 'when the last story begins' }),
    prefectures: Type.Array(Type.String({ pattern: '^34[0-9]{2}00$' }), {
      minItems: 1,
      description: "where cases happen (only those a police credential's region covers are used)",
    }),
    units: Type.Object({
      perPrefecture: Type.Integer({ minimum: 0, maximum: 50 }),
      ackRate: Share,
      ackDelaySeconds: Range,
      brokenRate: Share,
    }),
    missingChildren: Type.Object({
      count: Type.Integer({ minimum: 0 }),
      hoursSinceLastSeen: Range,
      lateShare: Share,
      lateHoursSinceLastSeen: Range,
      duplicateShare: Share,
      retryShare: Share,
      sightings: Range,
      rescuedShare: Share,
      buyerShare: Share,
      dnaShare: Share,
      overdueShare: Share,
      storyMinutes: Range,
    }),
    unidentifiedChildren: Type.Object({ count: Type.Integer({ minimum: 0 }) }),
    suspectedTrafficking: Type.Object({ count: Type.Integer({ minimum: 0 }) }),
    malformed: Type.Object({ http: Type.Integer({ minimum: 0 }), kafka: Type.Integer({ minimum: 0 }) }),
    kafkaShare: Share,
  },
  { additionalProperties: false },
);
export type Scenario = Static<typeof ScenarioSchema>;

/** The folder of the shipped scenarios. */
export const SCENARIO_DIR = fileURLToPath(new URL('../scenarios/', import.meta.url));

/** Reads a scenario by name (`drill`, `campaign-day`, `quiet-week`) or path, and checks it. */
export function loadScenario(nameOrPath: string): Scenario {
  const path =
    nameOrPath.endsWith('.json') || isAbsolute(nameOrPath)
      ? nameOrPath
      : join(SCENARIO_DIR, `${nameOrPath}.json`);
  const raw = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  return parseScenario(raw, path);
}

export function parseScenario(raw: unknown, where = 'scenario'): Scenario {
  const errors = [...Value.Errors(ScenarioSchema, raw)];
  if (errors.length > 0)
    throw new Error(
      `${where}: ${errors
        .slice(0, 5)
        .map((e) => `${e.path || '/'} ${e.message}`)
        .join('; ')}`,
    );
  return raw as Scenario;
}
