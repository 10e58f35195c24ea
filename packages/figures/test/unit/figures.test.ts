import { createEvent, type EventType, type HomewardEvent } from '@homeward/events';
import { MemoryPersistence } from '@homeward/persistence';
import { describe, expect, it } from 'vitest';
import {
  AGE_LABELS,
  caseRef,
  contributionOf,
  FiguresLedger,
  legacyVictimRef,
  needsCaseRef,
  type Ref,
  victimCountsOf,
  victimTable,
} from '../../src/index.ts';

// Only the fields each rule reads: the rules are what is under test, not the schemas.
// biome-ignore lint/suspicious/noExplicitAny: event data built loosely on purpose
const ev = (type: EventType, data: Record<string, any>, id?: string): HomewardEvent =>
  createEvent(type, data as never, { source: 'homeward/test', ...(id ? { id } : {}) });

const AT = '2026-05-01T10:00:00+08:00';
const REGION = '340104';
const caseFacts: Ref = { _id: caseRef('C'), region: REGION };

describe('contributionOf: what one event adds', () => {
  it('counts a special team for the police of the case region', () => {
    expect(
      contributionOf(ev('homeward.case.team-assigned', { caseId: 'C', assignedAt: AT }), caseFacts, 480),
    ).toEqual({ year: 2026, region: REGION, department: 'police', counts: { teamsAssigned: 1 } });
  });

  it('counts victims rescued by sex and age group in the police row of the rescue region, a woman as a woman', () => {
    const rescued = ev('homeward.case.victims-rescued', {
      caseId: 'C',
      rescuedAt: AT,
      region: '340102',
      victims: [
        { victimId: 'C.v1', category: 'adult', sex: 'female', ageGroup: '18-and-over' },
        { victimId: 'C.v2', category: 'child', sex: 'male', ageGroup: 'under-14' },
        { victimId: 'C.v3', category: 'child', sex: 'male', ageGroup: 'under-14' },
        { victimId: 'C.v4', category: 'child', sex: 'female' },
      ],
    });
    expect(contributionOf(rescued, undefined, 480)).toEqual({
      year: 2026,
      region: '340102',
      department: 'police',
      counts: {
        'victims:rescued:female:18-and-over': 1,
        'victims:rescued:male:under-14': 2,
        'victims:rescued:female:age-unknown': 1,
      },
    });
  });

  it('counts each child of a rescue that names them, and leaves their victims to victims-rescued', () => {
    const twin = ev('homeward.case.child-rescued', {
      caseId: 'C',
      rescuedAt: AT,
      region: REGION,
      victimIds: ['C.v2', 'C.v3'],
    });
    const withChild = { ...caseFacts, victimSex: 'male', turns14: '2030-01-01', turns18: '2034-01-01' };
    expect(contributionOf(twin, withChild, 480)?.counts).toEqual({ childrenRescued: 2 });
  });

  it("counts the one child of a rescue from before victims by the case's remembered child", () => {
    const legacy = ev('homeward.case.child-rescued', { caseId: 'C', rescuedAt: AT, region: REGION });
    // Turns 14 the day after the rescue: still under 14.
    const child = { ...caseFacts, victimSex: 'female', turns14: '2026-05-02', turns18: '2030-05-02' };
    expect(contributionOf(legacy, child, 480)?.counts).toEqual({
      childrenRescued: 1,
      'victims:rescued:female:under-14': 1,
    });
    // On the fourteenth birthday: 14–17.
    const older = { ...child, turns14: '2026-05-01' };
    expect(contributionOf(legacy, older, 480)?.counts).toEqual({
      childrenRescued: 1,
      'victims:rescued:female:14-17': 1,
    });
  });

  it('counts a first return home as a placement and a return home; a revision counts nothing', () => {
    const decided = (revision: number) =>
      ev('homeward.placement.decided', {
        caseId: 'C',
        type: 'return-to-family',
        decisionDate: '2026-05-01',
        decidedAt: AT,
        revision,
        region: REGION,
        victimId: 'C.v1',
        sex: 'male',
        ageGroup: '14-17',
      });
    expect(contributionOf(decided(1), undefined, 480)).toEqual({
      year: 2026,
      region: REGION,
      department: 'civil-affairs',
      counts: {
        'placements:return-to-family': 1,
        'victims:placed:male:14-17': 1,
        'victims:returnedHome:male:14-17': 1,
      },
    });
    expect(contributionOf(decided(2), undefined, 480)).toBeUndefined();
  });

  it("names the contract's owner of a follow-up kind and counts a victim in training or employed", () => {
    const training = ev('homeward.followup.scheduled', {
      followupId: 'F',
      caseId: 'C',
      type: 'vocational-training',
      dueDate: '2026-06-01',
      region: REGION,
      victimId: 'C.v1',
      sex: 'female',
      ageGroup: '18-and-over',
    });
    expect(contributionOf(training, undefined, 480)).toEqual({
      year: 2026,
      region: REGION,
      department: 'human-resources-social-security',
      counts: { followupsScheduled: 1, 'victims:inTraining:female:18-and-over': 1 },
    });
    const employed = ev('homeward.followup.completed', {
      followupId: 'F',
      caseId: 'C',
      type: 'employment-services',
      completedAt: AT,
      victimId: 'C.v1',
      sex: 'female',
      ageGroup: '18-and-over',
    });
    expect(contributionOf(employed, { _id: 'followup:F', region: REGION }, 480)).toEqual({
      year: 2026,
      region: REGION,
      department: 'human-resources-social-security',
      counts: { followupsCompleted: 1, 'victims:employed:female:18-and-over': 1 },
    });
  });

  it('keeps the time from report to located when the case opening is known and earlier', () => {
    const located = ev('homeward.case.child-located', { caseId: 'C', locatedAt: '2026-05-01T12:00:00Z' });
    const opened = { ...caseFacts, openedAt: '2026-05-01T10:00:00Z' };
    expect(contributionOf(located, opened, 480)?.reportToLocatedMs).toBe(7_200_000);
    expect(
      contributionOf(located, { ...caseFacts, openedAt: '2026-05-01T13:00:00Z' }, 480),
    ).not.toHaveProperty('reportToLocatedMs');
  });
});

describe('victims of events from before victims', () => {
  it("remembers the case's one child by sex and the days it turns 14 and 18, never its birth date", () => {
    const opened = {
      caseId: 'C',
      kind: 'missing-child',
      region: REGION,
      openedAt: '2026-05-01T10:00:00+08:00',
      report: { kind: 'missing-child' },
      victims: [{ victimId: 'C.v1', category: 'child', sex: 'male', birthDate: '2015-03-04' }],
    };
    const ref = legacyVictimRef(opened as never);
    expect(ref).toEqual({ victimSex: 'male', turns14: '2029-03-04', turns18: '2033-03-04' });
    // Two victims: no one child to remember.
    const two = { ...opened, victims: [...opened.victims, { ...opened.victims[0], victimId: 'C.v2' }] };
    expect(legacyVictimRef(two as never)).toEqual({});
  });

  it('asks for the case facts only for a placement event that names no victim', () => {
    const placement = (victimId?: string) =>
      ev('homeward.placement.decided', { caseId: 'C', revision: 1, ...(victimId ? { victimId } : {}) });
    expect(needsCaseRef(placement())).toBe('C');
    expect(needsCaseRef(placement('C.v1'))).toBeUndefined();
    expect(needsCaseRef(ev('homeward.case.closed', { caseId: 'C' }))).toBeUndefined();
  });

  it('lays the flat counters out as a table, absent ones zero', () => {
    const t = victimTable({ 'victims:rescued:female:18-and-over': 2 });
    expect(t.rescued.female['18-and-over']).toBe(2);
    expect(t.employed.unknown['age-unknown']).toBe(0);
    expect(AGE_LABELS['14-17']).toBe('14–17');
    expect(victimCountsOf(ev('homeward.case.closed', { caseId: 'C' }), undefined)).toEqual({});
  });
});

describe('FiguresLedger', () => {
  const opened = ev(
    'homeward.case.opened',
    {
      caseId: 'C',
      kind: 'missing-child',
      region: REGION,
      openedAt: AT,
      reportedBy: { agencyId: 'a', role: 'police', region: REGION },
      report: {},
    },
    'e1',
  );
  const team = ev('homeward.case.team-assigned', { caseId: 'C', assignedAt: AT }, 'e2');
  const closed = ev('homeward.case.closed', { caseId: 'C', closedAt: AT }, 'e3');
  const elsewhere = ev(
    'homeward.alert.issued',
    { alertId: 'A', caseId: 'X', issuedAt: AT, region: '340202' },
    'e4',
  );
  const key = (e: HomewardEvent) => `${e.source}|${e.id}`;

  it('counts an event once however often it is recorded, and places later events by the facts it keeps', async () => {
    const ledger = new FiguresLedger(new MemoryPersistence(), { contributions: 'c', refs: 'r' });
    for (const e of [opened, team, team, closed, closed, elsewhere]) await ledger.record(key(e), e, 480);
    expect(await ledger.rows(2026)).toEqual([
      {
        year: 2026,
        region: REGION,
        department: 'police',
        counts: { reportsReceived: 1, casesOpened: 1, teamsAssigned: 1, casesClosed: 1 },
        reportToLocatedMs: [],
      },
      {
        year: 2026,
        region: '340202',
        department: 'police',
        counts: { alertsIssued: 1 },
        reportToLocatedMs: [],
      },
    ]);
    expect(await ledger.rows(2026, { region: '340202' })).toHaveLength(1);
    expect(await ledger.rows(2025)).toEqual([]);
    const entry = await ledger.record(key(closed), closed, 480);
    expect(entry.ref).toMatchObject({ _id: caseRef('C'), region: REGION });
  });

  it('stores only the keys a service keeps, and nothing for an event left with none', async () => {
    const ledger = new FiguresLedger(new MemoryPersistence(), {
      contributions: 'c',
      refs: 'r',
      keep: (k) => k !== 'teamsAssigned',
    });
    expect((await ledger.record(key(team), team, 480)).contribution).toBeUndefined();
    await ledger.record(key(opened), opened, 480);
    expect((await ledger.rows(2026)).map((r) => r.counts)).toEqual([{ reportsReceived: 1, casesOpened: 1 }]);
  });
});
