import { validateEvent } from '@homeward/events';
import { describe, expect, it } from 'vitest';
import { dutiesOf, missedDuties } from '../../src/domain/duties.ts';
import { recordSteps, type SupervisedRecord } from '../../src/domain/records.ts';
import { inScope } from '../../src/domain/scope.ts';
import { DEFAULT_LIMITS, EXPECTED_MISSED, LUYANG, SHUSHAN, seededYear } from '../scenario.ts';

/** Folds events into records as the handler does, in memory. */
function project(events = seededYear()): SupervisedRecord[] {
  const records = new Map<string, SupervisedRecord>();
  for (const e of events)
    for (const step of recordSteps(e)) records.set(step.id, step.apply(records.get(step.id) ?? null));
  return [...records.values()];
}

const key = (m: { duty: string; region: string; department: string; record: { kind: string; id: string } }) =>
  `${m.duty} ${m.region} ${m.department} ${m.record.kind}:${m.record.id}`;
const NOW = new Date('2027-01-10T09:00:00+08:00');

describe('the seeded scenario', () => {
  it('is valid against the catalogue', () => {
    for (const e of seededYear()) expect(validateEvent(e), e.type).toEqual([]);
  });

  it('misses exactly the duties it was built to miss', () => {
    const missed = missedDuties(project(), NOW, DEFAULT_LIMITS, 480, () => true);
    expect(missed.map(key).sort()).toEqual(EXPECTED_MISSED);
  });

  it('scopes the list by region: each county sees its own', () => {
    const shushan = missedDuties(project(), NOW, DEFAULT_LIMITS, 480, (r) => inScope(SHUSHAN, r));
    const luyang = missedDuties(project(), NOW, DEFAULT_LIMITS, 480, (r) => inScope(LUYANG, r));
    expect(shushan.map(key).sort()).toEqual(EXPECTED_MISSED.filter((k) => k.includes(SHUSHAN)));
    expect(luyang.map(key).sort()).toEqual(EXPECTED_MISSED.filter((k) => k.includes(LUYANG)));
  });

  it('does not depend on the order events arrive in, nor on repeats', () => {
    const events = seededYear();
    const shuffled = [...events].reverse().concat(events.slice(0, 10));
    const a = missedDuties(project(events), NOW, DEFAULT_LIMITS, 480, () => true).map(key);
    const b = missedDuties(project(shuffled), NOW, DEFAULT_LIMITS, 480, () => true).map(key);
    expect(b).toEqual(a);
  });

  it('links each item to its record in the service that owns it', () => {
    const missed = missedDuties(project(), NOW, DEFAULT_LIMITS, 480, () => true);
    const byKey = Object.fromEntries(missed.map((m) => [key(m), m.record]));
    expect(byKey[`custody-step ${SHUSHAN} police sample:S-A3-c`]).toMatchObject({
      href: '/v1/samples/S-A3-c',
      service: 'dna-tracking',
    });
    expect(byKey[`placement ${LUYANG} civil-affairs case:B2`]).toMatchObject({
      href: '/v1/cases/B2/placement',
      service: 'placement',
    });
    expect(byKey[`special-team ${SHUSHAN} police case:A2`]).toMatchObject({
      href: '/v1/cases/A2',
      service: 'rescue-coordination',
    });
  });
});

describe('duty rules', () => {
  const opened = {
    _id: 'case:C',
    kind: 'case' as const,
    caseId: 'C',
    caseKind: 'missing-child' as const,
    region: SHUSHAN,
    openedAt: '2026-01-01T00:00:00Z',
  };

  it('nothing is missed before its limit', () => {
    expect(missedDuties([opened], new Date('2026-01-01T23:59:00Z'), DEFAULT_LIMITS, 480, () => true)).toEqual(
      [],
    );
    expect(
      missedDuties([opened], new Date('2026-01-02T00:00:00Z'), DEFAULT_LIMITS, 480, () => true).map(
        (m) => m.duty,
      ),
    ).toEqual(['report-acted-on', 'special-team']);
  });

  it('a case closed before a duty fell due owes it no more; closed after, it is missed in the record but not listed live', () => {
    const closedEarly = { ...opened, closedAt: '2026-01-01T01:00:00Z' };
    expect(dutiesOf(closedEarly, DEFAULT_LIMITS, 480).filter((d) => d.duty === 'special-team')[0]?.void).toBe(
      true,
    );
    const closedLate = { ...opened, closedAt: '2026-02-01T00:00:00Z' };
    const team = dutiesOf(closedLate, DEFAULT_LIMITS, 480).find((d) => d.duty === 'special-team')!;
    expect(team.void).toBeUndefined();
    expect(team.doneAt).toBeUndefined();
    expect(
      missedDuties([closedLate], new Date('2026-03-01T00:00:00Z'), DEFAULT_LIMITS, 480, () => true),
    ).toEqual([]);
  });

  it('a rescued child is owed a placement where it was rescued, even after the case closed', () => {
    const r = {
      ...opened,
      teamAt: opened.openedAt,
      parentSampleAt: opened.openedAt,
      rescuedAt: '2026-01-05T00:00:00Z',
      rescueRegion: LUYANG,
      closedAt: '2026-01-06T00:00:00Z',
    };
    const missed = missedDuties([r], new Date('2026-01-20T00:00:00Z'), DEFAULT_LIMITS, 480, () => true);
    expect(missed.map((m) => [m.duty, m.region, m.department])).toEqual([
      ['placement', LUYANG, 'civil-affairs'],
    ]);
  });

  it('return-to-family runs from the later of rescue and identification', () => {
    const r = {
      ...opened,
      teamAt: opened.openedAt,
      parentSampleAt: opened.openedAt,
      rescuedAt: '2026-01-05T00:00:00Z',
      identifiedAt: '2026-01-10T00:00:00Z',
      placedAt: '2026-01-06T00:00:00Z',
    };
    const ret = dutiesOf(r, DEFAULT_LIMITS, 480).find((d) => d.duty === 'return-to-family')!;
    expect(ret.dueAt).toBe('2026-01-17T00:00:00.000Z');
  });

  it('custody: the step after the last recorded one is owed, by the collector until shipped and by the lab after', () => {
    const s = (steps: Record<string, string>) => ({
      _id: 'sample:S',
      kind: 'sample' as const,
      sampleId: 'S',
      region: SHUSHAN,
      collectorRole: 'police' as const,
      steps,
    });
    const now = new Date('2026-02-01T00:00:00Z');
    expect(
      missedDuties([s({ collected: '2026-01-01T00:00:00Z' })], now, DEFAULT_LIMITS, 480, () => true)[0],
    ).toMatchObject({ department: 'police', detail: 'sealed' });
    expect(
      missedDuties(
        [
          s({
            collected: '2026-01-01T00:00:00Z',
            sealed: '2026-01-01T01:00:00Z',
            shipped: '2026-01-01T02:00:00Z',
          }),
        ],
        now,
        DEFAULT_LIMITS,
        480,
        () => true,
      )[0],
    ).toMatchObject({ department: 'dna-lab', detail: 'received' });
    expect(
      missedDuties(
        [s({ collected: '2026-01-01T00:00:00Z', destroyed: '2026-01-01T03:00:00Z' })],
        now,
        DEFAULT_LIMITS,
        480,
        () => true,
      ),
    ).toEqual([]);
  });

  it('a follow-up counts only once placement raised it overdue or it was done (a cancelled one is owed by nobody)', () => {
    const f = {
      _id: 'followup:F',
      kind: 'followup' as const,
      followupId: 'F',
      caseId: 'C',
      type: 'compulsory-education' as const,
      region: SHUSHAN,
      dueDate: '2026-01-10',
    };
    expect(dutiesOf(f, DEFAULT_LIMITS, 480)).toEqual([]);
    const overdue = dutiesOf({ ...f, overdueAt: '2026-01-11T01:00:00Z' }, DEFAULT_LIMITS, 480)[0]!;
    expect(overdue).toMatchObject({ department: 'education', dueAt: '2026-01-10T16:00:00.000Z' });
  });
});
