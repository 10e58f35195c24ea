import { describe, expect, it } from 'vitest';
import {
  DUTIES,
  DUTY_LABELS,
  type DutyInstance,
  dutiesOf,
  isMissed,
  missedDuties,
  recordHref,
} from '../../src/domain/duties.ts';
import type { CaseRecord, FollowupRecord, SampleRecord, SupervisedRecord } from '../../src/domain/records.ts';
import { DEFAULT_LIMITS, LUYANG, SHUSHAN } from '../scenario.ts';

const OPENED = '2026-01-01T00:00:00Z';
const H = 3_600_000;
const after = (hours: number, from = OPENED) => new Date(Date.parse(from) + hours * H).toISOString();
const all = () => true;

const aCase = (over: Partial<CaseRecord> = {}): CaseRecord => ({
  _id: 'case:C',
  kind: 'case',
  caseId: 'C',
  caseKind: 'missing-child',
  region: SHUSHAN,
  openedAt: OPENED,
  ...over,
});
const aSample = (steps: SampleRecord['steps'], over: Partial<SampleRecord> = {}): SampleRecord => ({
  _id: 'sample:S',
  kind: 'sample',
  sampleId: 'S',
  region: SHUSHAN,
  collectorRole: 'police',
  steps,
  ...over,
});
const aFollowup = (over: Partial<FollowupRecord> = {}): FollowupRecord => ({
  _id: 'followup:F',
  kind: 'followup',
  followupId: 'F',
  caseId: 'C',
  type: 'compulsory-education',
  region: SHUSHAN,
  dueDate: '2026-01-10',
  overdueAt: '2026-01-11T01:00:00Z',
  ...over,
});
const byDuty = (r: SupervisedRecord) =>
  Object.fromEntries(dutiesOf(r, DEFAULT_LIMITS, 480).map((d) => [d.duty, d]));

describe('what a case owes the police', () => {
  it('a missing child: acted on and a special team within a day, the parents sampled within three days', () => {
    const duties = dutiesOf(aCase(), DEFAULT_LIMITS, 480);
    expect(duties).toStrictEqual([
      {
        duty: 'report-acted-on',
        region: SHUSHAN,
        department: 'police',
        record: { kind: 'case', id: 'C' },
        caseId: 'C',
        dueAt: after(24),
      },
      {
        duty: 'special-team',
        region: SHUSHAN,
        department: 'police',
        record: { kind: 'case', id: 'C' },
        caseId: 'C',
        dueAt: after(24),
      },
      {
        duty: 'dna-sampling',
        region: SHUSHAN,
        department: 'police',
        record: { kind: 'case', id: 'C' },
        caseId: 'C',
        dueAt: after(72),
        detail: 'parents',
      },
    ]);
  });

  it('a child of unknown origin: the child sampled; a suspected trafficking case: only acted on', () => {
    const unidentified = byDuty(aCase({ caseKind: 'unidentified-child', childSampleAt: after(5) }));
    expect(Object.keys(unidentified)).toEqual(['report-acted-on', 'special-team', 'dna-sampling']);
    expect(unidentified['dna-sampling']).toMatchObject({
      detail: 'child',
      doneAt: after(5),
      dueAt: after(72),
    });
    // The parents' sample does not discharge a child's.
    expect(
      byDuty(aCase({ caseKind: 'unidentified-child', parentSampleAt: after(5) }))['dna-sampling']!.doneAt,
    ).toBe(undefined);
    expect(byDuty(aCase({ parentSampleAt: after(5) }))['dna-sampling']!.doneAt).toBe(after(5));
    expect(Object.keys(byDuty(aCase({ caseKind: 'suspected-trafficking' })))).toEqual(['report-acted-on']);
    expect(Object.keys(byDuty(aCase({ caseKind: undefined })))).toEqual(['report-acted-on']);
  });

  it('a case known only from a later event (no opening, or no region) owes nothing at its opening', () => {
    expect(dutiesOf(aCase({ openedAt: undefined }), DEFAULT_LIMITS, 480)).toEqual([]);
    expect(dutiesOf(aCase({ region: undefined }), DEFAULT_LIMITS, 480)).toEqual([]);
  });

  it('the first of team, alert, located, rescued or closed acts on the report', () => {
    const moments = { teamAt: after(30), alertAt: after(3), locatedAt: after(10), rescuedAt: after(20) };
    expect(byDuty(aCase(moments))['report-acted-on']!.doneAt).toBe(after(3));
    expect(byDuty(aCase({ teamAt: after(30), locatedAt: after(10) }))['report-acted-on']!.doneAt).toBe(
      after(10),
    );
    expect(byDuty(aCase({ rescuedAt: after(40), closedAt: after(2) }))['report-acted-on']!.doneAt).toBe(
      after(2),
    );
    expect(byDuty(aCase({ teamAt: after(7) }))['report-acted-on']!.doneAt).toBe(after(7));
    expect(byDuty(aCase())['report-acted-on']).not.toHaveProperty('doneAt');
    // By the instant, not by the text: 10:00 in China is 02:00 UTC, before 03:00 UTC.
    const alertLocal = '2026-01-01T10:00:00+08:00';
    expect(byDuty(aCase({ teamAt: after(3), alertAt: alertLocal }))['report-acted-on']!.doneAt).toBe(
      alertLocal,
    );
    expect(byDuty(aCase({ alertAt: alertLocal, teamAt: after(3) }))['report-acted-on']!.doneAt).toBe(
      alertLocal,
    );
  });

  it('a case closed at the moment a duty falls due owes it no more; closed a millisecond later it still does', () => {
    const atLimit = byDuty(aCase({ closedAt: after(24) }));
    expect(atLimit['special-team']!.void).toBe(true);
    // Closing acts on the report, so that duty is done, not void.
    expect(atLimit['report-acted-on']).toMatchObject({ doneAt: after(24) });
    expect(atLimit['report-acted-on']).not.toHaveProperty('void');
    expect(atLimit['dna-sampling']!.void).toBe(true);
    const justAfter = byDuty(aCase({ closedAt: new Date(Date.parse(after(24)) + 1).toISOString() }));
    expect(justAfter['special-team']).not.toHaveProperty('void');
    expect(justAfter['dna-sampling']!.void).toBe(true);
    // A duty done before the case closed is done, not void.
    expect(byDuty(aCase({ teamAt: after(1), closedAt: after(2) }))['special-team']).toEqual(
      expect.objectContaining({ doneAt: after(1) }),
    );
    expect(byDuty(aCase({ teamAt: after(1), closedAt: after(2) }))['special-team']).not.toHaveProperty(
      'void',
    );
  });
});

describe('what a rescued child is owed by civil affairs', () => {
  const rescued = after(48);

  it('placement within a week of the rescue, where it was rescued, or in the case’s region when that is unknown', () => {
    const here = byDuty(aCase({ rescuedAt: rescued }));
    expect(here.placement).toStrictEqual({
      duty: 'placement',
      region: SHUSHAN,
      department: 'civil-affairs',
      record: { kind: 'case', id: 'C' },
      caseId: 'C',
      dueAt: after(168, rescued),
    });
    const there = byDuty(aCase({ rescuedAt: rescued, rescueRegion: LUYANG, placedAt: after(50) }));
    expect(there.placement).toMatchObject({ region: LUYANG, doneAt: after(50) });
    // Rescued in a case coordination never saw opened: the placement is still owed where the rescue was.
    expect(
      dutiesOf(
        aCase({ openedAt: undefined, region: undefined, rescuedAt: rescued, rescueRegion: LUYANG }),
        DEFAULT_LIMITS,
        480,
      ).map((d) => d.duty),
    ).toEqual(['placement']);
    expect(
      dutiesOf(aCase({ openedAt: undefined, region: undefined, rescuedAt: rescued }), DEFAULT_LIMITS, 480),
    ).toEqual([]);
  });

  it('return to the family only once identified, a week from the later of rescue and identification', () => {
    expect(byDuty(aCase({ rescuedAt: rescued }))['return-to-family']).toBeUndefined();
    const identifiedFirst = byDuty(aCase({ rescuedAt: rescued, identifiedAt: after(10) }));
    expect(identifiedFirst['return-to-family']).toStrictEqual({
      duty: 'return-to-family',
      region: SHUSHAN,
      department: 'civil-affairs',
      record: { kind: 'case', id: 'C' },
      caseId: 'C',
      dueAt: after(168, rescued),
    });
    const identifiedLater = byDuty(
      aCase({ rescuedAt: rescued, identifiedAt: after(100), returnedAt: after(120) }),
    );
    expect(identifiedLater['return-to-family']).toMatchObject({ dueAt: after(268), doneAt: after(120) });
    // An identification without a rescue owes no return yet.
    expect(byDuty(aCase({ identifiedAt: after(10) }))['return-to-family']).toBeUndefined();
  });
});

describe('what a DNA sample’s custody owes', () => {
  const at = (h: number) => after(h);

  it('each recorded step owes the next within three days: sealing and shipping by the collector, the rest by the lab', () => {
    const s = aSample(
      { collected: at(0), sealed: at(1), shipped: at(2), received: at(3), profiled: at(4) },
      { caseId: 'C', collectorRole: 'health' },
    );
    expect(dutiesOf(s, DEFAULT_LIMITS, 480)).toStrictEqual(
      (
        [
          ['sealed', 0, 1, 'health'],
          ['shipped', 1, 2, 'health'],
          ['received', 2, 3, 'dna-lab'],
          ['profiled', 3, 4, 'dna-lab'],
          ['stored', 4, undefined, 'dna-lab'],
        ] as const
      ).map(
        ([next, from, done, department]): DutyInstance => ({
          duty: 'custody-step',
          region: SHUSHAN,
          department,
          record: { kind: 'sample', id: 'S' },
          caseId: 'C',
          dueAt: after(72, at(from)),
          ...(done === undefined ? {} : { doneAt: at(done) }),
          detail: next,
        }),
      ),
    );
  });

  it('a stored sample owes nothing more; a sample without a collector’s role is owed by the police', () => {
    const stored = aSample(
      { collected: at(0), sealed: at(1), shipped: at(2), received: at(3), profiled: at(4), stored: at(5) },
      { collectorRole: undefined },
    );
    const duties = dutiesOf(stored, DEFAULT_LIMITS, 480);
    expect(duties.map((d) => [d.detail, d.department, d.doneAt])).toEqual([
      ['sealed', 'police', at(1)],
      ['shipped', 'police', at(2)],
      ['received', 'dna-lab', at(3)],
      ['profiled', 'dna-lab', at(4)],
      ['stored', 'dna-lab', at(5)],
    ]);
    expect(duties[0]).not.toHaveProperty('caseId');
  });

  it('destroying a sample discharges the step it was waiting for, but not a step recorded after the destruction', () => {
    const destroyed = dutiesOf(
      aSample({ collected: at(0), sealed: at(1), destroyed: at(1) }),
      DEFAULT_LIMITS,
      480,
    );
    expect(destroyed.map((d) => [d.detail, d.doneAt])).toEqual([
      ['sealed', at(1)],
      ['shipped', at(1)],
    ]);
    // Recorded as destroyed before a step recorded later (events out of order): that step still owes the next.
    const before = dutiesOf(
      aSample({ collected: at(0), sealed: at(5), destroyed: at(2) }),
      DEFAULT_LIMITS,
      480,
    );
    expect(before.map((d) => [d.detail, d.doneAt])).toEqual([
      ['sealed', at(5)],
      ['shipped', undefined],
    ]);
  });

  it('a gap in the recorded chain: only the step after the last recorded one is owed without being done', () => {
    const gap = dutiesOf(aSample({ collected: at(0), shipped: at(2) }), DEFAULT_LIMITS, 480);
    expect(gap.map((d) => [d.detail, d.doneAt])).toEqual([['received', undefined]]);
  });

  it('a sample with no region (its collection not seen yet) owes nothing', () => {
    expect(dutiesOf(aSample({ sealed: at(1) }, { region: undefined }), DEFAULT_LIMITS, 480)).toEqual([]);
  });
});

describe('what a follow-up owes', () => {
  it('is due at the end of its due date in the reports’ calendar, owed by the department its type names', () => {
    expect(dutiesOf(aFollowup({ completedAt: '2026-01-12T00:00:00Z' }), DEFAULT_LIMITS, 480)).toStrictEqual([
      {
        duty: 'followup',
        region: SHUSHAN,
        department: 'education',
        record: { kind: 'followup', id: 'F' },
        caseId: 'C',
        dueAt: '2026-01-10T16:00:00.000Z',
        doneAt: '2026-01-12T00:00:00Z',
        detail: 'compulsory-education',
      },
    ]);
    expect(dutiesOf(aFollowup({ caseId: undefined }), DEFAULT_LIMITS, 0)[0]).toMatchObject({
      dueAt: '2026-01-11T00:00:00.000Z',
    });
    expect(dutiesOf(aFollowup({ caseId: undefined }), DEFAULT_LIMITS, 0)[0]).not.toHaveProperty('caseId');
    // Raised overdue, not done: no moment it was done.
    expect(dutiesOf(aFollowup(), DEFAULT_LIMITS, 480)[0]).not.toHaveProperty('doneAt');
    expect(dutiesOf(aFollowup({ type: 'legal-aid' }), DEFAULT_LIMITS, 480)[0]!.department).toBe(
      'womens-federation',
    );
  });

  it('counts once completed even if never raised overdue, and a type this version does not know falls to civil affairs', () => {
    expect(
      dutiesOf(aFollowup({ overdueAt: undefined, completedAt: '2026-01-09T00:00:00Z' }), DEFAULT_LIMITS, 480),
    ).toHaveLength(1);
    const unknown = aFollowup({ type: 'something-new' as FollowupRecord['type'] });
    expect(dutiesOf(unknown, DEFAULT_LIMITS, 480)[0]!.department).toBe('civil-affairs');
  });

  it('without its region, due date or type it cannot be placed, and is owed by nobody', () => {
    expect(dutiesOf(aFollowup({ region: undefined }), DEFAULT_LIMITS, 480)).toEqual([]);
    expect(dutiesOf(aFollowup({ dueDate: undefined }), DEFAULT_LIMITS, 480)).toEqual([]);
    expect(dutiesOf(aFollowup({ type: undefined }), DEFAULT_LIMITS, 480)).toEqual([]);
  });
});

describe('which duty is missed now', () => {
  const due = (over: Partial<DutyInstance> = {}): DutyInstance => ({
    duty: 'special-team',
    region: SHUSHAN,
    department: 'police',
    record: { kind: 'case', id: 'C' },
    caseId: 'C',
    dueAt: OPENED,
    ...over,
  });
  const none = new Set<string>();

  it('from the moment it falls due, not a millisecond before, unless done or void', () => {
    expect(isMissed(due(), new Date(OPENED), none)).toBe(true);
    expect(isMissed(due(), new Date(Date.parse(OPENED) - 1), none)).toBe(false);
    expect(isMissed(due({ doneAt: after(1) }), new Date(after(2)), none)).toBe(false);
    expect(isMissed(due({ void: true }), new Date(after(2)), none)).toBe(false);
  });

  it('a closed case’s police duties are no longer listed; its placement, other records and other cases still are', () => {
    const closed = new Set(['C']);
    expect(isMissed(due(), new Date(after(2)), closed)).toBe(false);
    expect(isMissed(due(), new Date(after(2)), new Set(['D']))).toBe(true);
    expect(
      isMissed(due({ duty: 'placement', department: 'civil-affairs' }), new Date(after(2)), closed),
    ).toBe(true);
    expect(isMissed(due({ record: { kind: 'sample', id: 'S' } }), new Date(after(2)), closed)).toBe(true);
  });

  it('links each record where it is read', () => {
    expect(recordHref(due())).toBe('/v1/cases/C');
    expect(recordHref(due({ duty: 'placement' }))).toBe('/v1/cases/C/placement');
    expect(recordHref(due({ duty: 'return-to-family' }))).toBe('/v1/cases/C/placement');
    expect(recordHref(due({ duty: 'custody-step', record: { kind: 'sample', id: 'S' } }))).toBe(
      '/v1/samples/S',
    );
    expect(recordHref(due({ duty: 'followup', record: { kind: 'followup', id: 'F' } }))).toBe(
      '/v1/cases/C/placement#F',
    );
    const { caseId: _, ...noCase } = due({ duty: 'followup', record: { kind: 'followup', id: 'F' } });
    expect(recordHref(noCase)).toBe('/v1/cases//placement#F');
  });
});

describe('the live supervision list', () => {
  it('names each missed duty, its owner, its record and service, and how many whole hours it is overdue', () => {
    const now = new Date(Date.parse(after(24)) + 2.9 * H);
    const list = missedDuties(
      [aCase({ teamAt: after(1), parentSampleAt: after(2) })],
      now,
      DEFAULT_LIMITS,
      480,
      all,
    );
    expect(list).toEqual([]);
    const missed = missedDuties([aCase({ alertAt: after(1) })], now, DEFAULT_LIMITS, 480, all);
    expect(missed).toStrictEqual([
      {
        duty: 'special-team',
        label: DUTY_LABELS['special-team'],
        region: SHUSHAN,
        department: 'police',
        record: { kind: 'case', id: 'C', href: '/v1/cases/C', service: 'rescue-coordination' },
        caseId: 'C',
        dueAt: after(24),
        overdueHours: 2,
      },
    ]);
  });

  it('leaves out what is outside the scope, and a closed case’s police duties', () => {
    const records = [aCase(), aCase({ _id: 'case:D', caseId: 'D', region: LUYANG })];
    const now = new Date(after(100));
    const inShushan = missedDuties(records, now, DEFAULT_LIMITS, 480, (r) => r === SHUSHAN);
    expect(new Set(inShushan.map((m) => m.region))).toEqual(new Set([SHUSHAN]));
    expect(inShushan.map((m) => m.duty)).toEqual(['report-acted-on', 'special-team', 'dna-sampling']);
    const closedLate = aCase({ closedAt: after(80) });
    expect(missedDuties([closedLate], now, DEFAULT_LIMITS, 480, all)).toEqual([]);
  });

  it('is sorted oldest first, then by record, then by duty; the detail says which step or sample', () => {
    const records: SupervisedRecord[] = [
      aCase({ _id: 'case:B', caseId: 'B', openedAt: after(1) }),
      aCase({ _id: 'case:A', caseId: 'A', openedAt: after(1) }),
      aSample({ collected: OPENED }),
    ];
    const list = missedDuties(records, new Date(after(500)), DEFAULT_LIMITS, 480, all);
    expect(list.map((m) => [m.record.id, m.duty, m.detail, m.record.service])).toEqual([
      ['A', 'report-acted-on', undefined, 'rescue-coordination'],
      ['A', 'special-team', undefined, 'rescue-coordination'],
      ['B', 'report-acted-on', undefined, 'rescue-coordination'],
      ['B', 'special-team', undefined, 'rescue-coordination'],
      ['S', 'custody-step', 'sealed', 'dna-tracking'],
      ['A', 'dna-sampling', 'parents', 'rescue-coordination'],
      ['B', 'dna-sampling', 'parents', 'rescue-coordination'],
    ]);
    expect(list[0]).not.toHaveProperty('detail');
    expect(list[4]).not.toHaveProperty('caseId');
    expect(list[4]!.record.href).toBe('/v1/samples/S');
  });

  it('say each duty in words an office reads', () => {
    expect(DUTY_LABELS).toStrictEqual({
      'report-acted-on': 'report acted on (team, alert, located, rescued or closed)',
      'special-team': 'child case led by a special team',
      'dna-sampling': 'DNA sample of the parents of a missing child, or of a child of unknown origin',
      'custody-step': 'next DNA custody step recorded',
      placement: 'rescued child placed',
      'return-to-family': 'identified child returned to the family',
      followup: 'follow-up done by its due date',
    });
    expect(DUTIES).toStrictEqual([
      'report-acted-on',
      'special-team',
      'dna-sampling',
      'custody-step',
      'placement',
      'return-to-family',
      'followup',
    ]);
  });

  it('every duty has a label and a service', () => {
    const services: Record<string, string> = {};
    const rescued = aCase({ rescuedAt: after(1), identifiedAt: after(1) });
    const records: SupervisedRecord[] = [
      rescued,
      aCase({ _id: 'case:D', caseId: 'D' }),
      aSample({ collected: OPENED }),
      aFollowup(),
    ];
    for (const m of missedDuties(records, new Date(after(1000)), DEFAULT_LIMITS, 480, all)) {
      services[m.duty] = m.record.service;
      expect(m.label).toBe(DUTY_LABELS[m.duty]);
    }
    expect(services).toEqual({
      'report-acted-on': 'rescue-coordination',
      'special-team': 'rescue-coordination',
      'dna-sampling': 'rescue-coordination',
      'custody-step': 'dna-tracking',
      placement: 'placement',
      'return-to-family': 'placement',
      followup: 'placement',
    });
    expect(Object.keys(services).sort()).toEqual([...DUTIES].sort());
  });
});
