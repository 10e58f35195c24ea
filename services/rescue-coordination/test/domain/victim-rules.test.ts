import { describe, expect, it } from 'vitest';
import type { CaseDoc } from '../../src/domain/case.ts';
import {
  markVictims,
  newVictimErrors,
  newVictims,
  policeIdentified,
  tallyOf,
  type VictimRecord,
  victimsFor,
  victimsOf,
} from '../../src/domain/victims.ts';
import { openCase, police, SEEN } from './fixtures.ts';

// The victim rules one by one: which victims an action may name, what police must state when
// they register one, and how a victim is counted.

const FOUND = '2026-11-28T09:00:00Z';
const v = (n: number, extra: Partial<VictimRecord> = {}): VictimRecord => ({
  victimId: `case-1.v${n}`,
  category: 'child',
  sex: 'female',
  apparentAge: 10,
  ageObservedAt: FOUND,
  description: `victim ${n}`,
  addedAt: FOUND,
  ...extra,
});
const withVictims = (victims: VictimRecord[]): CaseDoc => ({
  ...openCase({ kind: 'suspected-trafficking' }),
  victims,
});

describe('a case stored before victims existed', () => {
  it("derives its report's child as victim 1, added when the case opened; a trafficking report names none", () => {
    const { victims: _v, ...legacy } = openCase();
    const [child, ...rest] = victimsOf(legacy as CaseDoc);
    expect(rest).toEqual([]);
    expect(child).toMatchObject({
      victimId: 'case-1.v1',
      category: 'child',
      addedAt: legacy.openedAt.toISOString(),
    });
    const unidentified = {
      ...legacy,
      report: {
        kind: 'unidentified-child',
        child: { sex: 'female', apparentAge: 4, description: 'girl at the station' },
        foundAt: { at: SEEN.toISOString(), place: 'station', lat: 31.8, lon: 117.3, region: '340104' },
      },
    } as unknown as CaseDoc;
    expect(victimsOf(unidentified).map((x) => x.victimId)).toEqual(['case-1.v1']);
    const { victims: _w, ...trafficking } = openCase({ kind: 'suspected-trafficking' });
    expect(victimsOf(trafficking as CaseDoc)).toEqual([]);
  });

  it('a case with victims recorded shows those, not its report', () => {
    expect(victimsOf(withVictims([v(1), v(2)])).map((x) => x.victimId)).toEqual(['case-1.v1', 'case-1.v2']);
  });
});

describe('registering victims', () => {
  it('numbers them after the case, records who added them and when', () => {
    const added = newVictims(
      withVictims([v(1)]),
      [{ sex: 'male', apparentAge: 30, description: 'man' }],
      FOUND,
      police,
    );
    expect(added).toEqual([
      expect.objectContaining({ victimId: 'case-1.v2', category: 'adult', addedAt: FOUND, addedBy: police }),
    ]);
  });

  it('needs an age, and a birth date no later than the finding (the same day is fine); each error names its victim', () => {
    expect(
      newVictimErrors(
        [
          { sex: 'female', apparentAge: 9, description: 'fine' },
          { sex: 'female', description: 'no age' },
          { sex: 'male', birthDate: '2026-11-29', description: 'born after' },
          { sex: 'male', birthDate: '2026-11-28', description: 'born that day' },
        ],
        '2026-11-28T00:00:00Z',
      ),
    ).toEqual([
      { field: '/victims/1', message: 'needs a birthDate or an apparentAge' },
      { field: '/victims/2/birthDate', message: 'must not be after the time found' },
    ]);
    expect(newVictimErrors([{ sex: 'male', birthDate: '2020-01-01', description: 'x' }], FOUND)).toEqual([]);
  });
});

describe('which victims an action is about', () => {
  const doc = withVictims([
    v(1),
    v(2, { located: { at: FOUND, place: 'p' } }),
    v(3, { rescued: { at: FOUND, place: 'p', region: '340104' } }),
  ]);

  it('by default every victim not past the step: a rescued victim counts as located', () => {
    expect(victimsFor(doc, 'located', undefined).map((x) => x.victimId)).toEqual(['case-1.v1']);
    expect(victimsFor(doc, 'rescued', undefined).map((x) => x.victimId)).toEqual(['case-1.v1', 'case-1.v2']);
  });

  it('the named ones, each once, when each is the case’s and not past the step', () => {
    expect(
      victimsFor(doc, 'rescued', ['case-1.v2', 'case-1.v1', 'case-1.v2']).map((x) => x.victimId),
    ).toEqual(['case-1.v2', 'case-1.v1']);
  });

  it('refuses the whole action naming every victim that cannot be marked, by its place in the list', () => {
    expect(() => victimsFor(doc, 'located', ['case-1.v1', 'case-1.v3', 'case-1.v9', 'case-1.v2'])).toThrow(
      expect.objectContaining({
        code: 'RESCUE_ERR_VICTIMS_NOT_APPLICABLE',
        message: 'not every named victim can be marked located',
        errors: [
          { field: '/victimIds/1', message: 'victim "case-1.v3" is located already' },
          { field: '/victimIds/2', message: 'the case has no victim "case-1.v9"' },
          { field: '/victimIds/3', message: 'victim "case-1.v2" is located already' },
        ],
      }),
    );
  });
});

describe('counting and marking victims', () => {
  it('a tally carries the age group at the time counted, and none when no age is known', () => {
    expect(tallyOf(v(1, { apparentAge: 13, ageObservedAt: FOUND }), '2027-12-01T00:00:00Z')).toEqual({
      victimId: 'case-1.v1',
      category: 'child',
      sex: 'female',
      ageGroup: '14-17',
    });
    const { apparentAge: _a, ageObservedAt: _o, ...ageless } = v(2);
    expect(tallyOf(ageless, FOUND)).toEqual({ victimId: 'case-1.v2', category: 'child', sex: 'female' });
  });

  it('marks only the chosen victims, keeping the order of all', () => {
    const all = [v(1), v(2), v(3)];
    const marked = markVictims(all, [v(3), v(1)], (x) => ({ ...x, located: { at: FOUND, place: 'p' } }));
    expect(marked.map((x) => [x.victimId, x.located !== undefined])).toEqual([
      ['case-1.v1', true],
      ['case-1.v2', false],
      ['case-1.v3', true],
    ]);
    expect(marked[1]).toBe(all[1]);
  });

  it('a police identification marks a victim once: the first identification stands, and none without one', () => {
    const identification = { method: 'documents' as const, identifiedBy: 'officer-1' };
    expect(policeIdentified(v(1), identification, FOUND).identified).toEqual({
      at: FOUND,
      via: 'police',
      method: 'documents',
    });
    const byDna = v(2, { identified: { at: SEEN.toISOString(), via: 'dna', matchId: 'm-1' } });
    expect(policeIdentified(byDna, identification, FOUND)).toBe(byDna);
    expect(policeIdentified(v(3), undefined, FOUND)).toEqual(v(3));
  });
});
