import { readFileSync } from 'node:fs';
import { regionLevel, validateSchema } from '@homeward/events';
import { type Static, Type } from '@sinclair/typebox';

/**
 * An officer's rank as the chief rule reads it: the head of a county, prefecture or province
 * police (county level or higher, who may lead a case), or an `officer` below that (who may
 * lead one of a team's three lines of work).
 */
export const OfficerRanks = ['officer', 'county', 'prefecture', 'province'] as const;
export type OfficerRank = (typeof OfficerRanks)[number];

const RosterFile = Type.Array(
  Type.Object(
    {
      officerId: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]*$' }),
      name: Type.String({ minLength: 1, maxLength: 200 }),
      agencyId: Type.String({ minLength: 1, pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]*$' }),
      rank: Type.Union(OfficerRanks.map((r) => Type.Literal(r))),
      region: Type.String({ pattern: '^[1-8][0-9]{5}$' }),
      /** A duty line the family can call (a family liaison lead's); work contacts only. */
      contact: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    },
    { additionalProperties: false },
  ),
);
export type RosterOfficer = Static<typeof RosterFile>[number];

/**
 * The police roster of one deployment, read from a file as the credentials are (never from a
 * request): who may lead a case is looked up here, not taken from what a caller sends. A head's
 * rank matches the level of its region (a county head heads a county-level division).
 */
export class Roster {
  private readonly byId = new Map<string, RosterOfficer>();

  constructor(officers: readonly RosterOfficer[]) {
    for (const o of officers) {
      if (this.byId.has(o.officerId)) throw new Error(`the roster names officer ${o.officerId} twice`);
      if (o.rank !== 'officer' && regionLevel(o.region) !== o.rank) {
        throw new Error(
          `the roster's officer ${o.officerId} heads at ${o.rank} level but region ${o.region} is a ${regionLevel(o.region)}`,
        );
      }
      this.byId.set(o.officerId, { ...o });
    }
  }

  static fromFile(path: string): Roster {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(path, 'utf8'));
    } catch (err) {
      throw new Error(`cannot read the roster file ${path}: ${(err as Error).message}`);
    }
    const errors = validateSchema(RosterFile, parsed);
    if (errors.length > 0) throw new Error(`the roster file ${path} is invalid: ${JSON.stringify(errors)}`);
    return new Roster(parsed as RosterOfficer[]);
  }

  officer(officerId: string): RosterOfficer | undefined {
    const o = this.byId.get(officerId);
    return o ? { ...o } : undefined;
  }

  get size(): number {
    return this.byId.size;
  }
}
