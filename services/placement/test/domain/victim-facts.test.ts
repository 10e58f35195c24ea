import { describe, expect, it } from 'vitest';
import {
  buyerRecordMissing,
  type CaseFacts,
  emptyFacts,
  onCaseOpened,
  onChildLocated,
  onChildRescued,
  onDnaMatchConfirmed,
  onHouseholdRecorded,
  onVictimsAdded,
  onVictimsLocated,
  onVictimsRescued,
  victimsOfFacts,
} from '../../src/domain/case-facts.ts';

const actor = { agencyId: 'hefei-psb', role: 'police' as const, region: '340100' };
const place = {
  at: '2026-01-10T08:00:00+08:00',
  place: 'station',
  lat: 31.79,
  lon: 117.29,
  region: '340104',
};
const police = { method: 'documents' as const, identifiedBy: 'officer 1' };

/** A case as placement recorded it before victims existed (no `victims`). */
const legacy = (over: Partial<CaseFacts> = {}): CaseFacts => ({
  ...emptyFacts(),
  kind: 'missing-child',
  region: '340104',
  openedAt: '2026-01-10T09:00:00+08:00',
  ...over,
});

/** A case whose opening named its victims: the child c.v1 and a woman c.v2. */
function withTwoVictims(): CaseFacts {
  return onCaseOpened(emptyFacts(), {
    caseId: 'c',
    kind: 'suspected-trafficking',
    region: '340104',
    openedAt: '2026-01-10T09:00:00+08:00',
    reportId: 'r',
    reportedBy: actor,
    report: { kind: 'suspected-trafficking', location: place, description: 'a raid' } as never,
    victims: [
      { victimId: 'c.v1', category: 'child', sex: 'male', apparentAge: 0, ageObservedAt: '2026-01-10' },
      {
        victimId: 'c.v2',
        category: 'adult',
        sex: 'female',
        birthDate: '1999-02-03',
        disability: { kinds: ['physical'] },
      },
    ],
  } as never)!;
}

describe('the victims of a case recorded before victims existed', () => {
  it('are its one child, with the birth date, location, rescue and first identification the case recorded', () => {
    const facts = legacy({
      birthDate: '2019-05-01',
      locatedAt: '2026-03-02T10:00:00+08:00',
      rescue: { rescuedAt: '2026-03-03T10:00:00+08:00', region: '341500' },
      policeIdentifications: [
        { ...police, at: '2026-03-03T10:00:00+08:00', via: 'child-rescued' },
        { ...police, at: '2026-03-04T10:00:00+08:00', via: 'child-rescued' },
      ],
    });
    expect(victimsOfFacts('c', facts)).toEqual([
      {
        victimId: 'c.v1',
        category: 'child',
        sex: 'unknown',
        birthDate: '2019-05-01',
        locatedAt: '2026-03-02T10:00:00+08:00',
        rescue: { rescuedAt: '2026-03-03T10:00:00+08:00', region: '341500' },
        policeIdentifiedAt: '2026-03-03T10:00:00+08:00',
      },
    ]);
  });

  it('take an unidentified child’s apparent age and when it was judged', () => {
    const facts = legacy({
      kind: 'unidentified-child',
      apparentAge: { years: 6, observedAt: '2026-02-01T10:00:00Z' },
    });
    expect(victimsOfFacts('c', facts)).toEqual([
      {
        victimId: 'c.v1',
        category: 'child',
        sex: 'unknown',
        apparentAge: 6,
        ageObservedAt: '2026-02-01T10:00:00Z',
      },
    ]);
  });

  it('are none for a suspected-trafficking case, or a case not opened yet', () => {
    expect(victimsOfFacts('c', legacy({ kind: 'suspected-trafficking' }))).toEqual([]);
    expect(victimsOfFacts('c', emptyFacts())).toEqual([]);
  });
});

describe('an opening', () => {
  it('records its victims as named, an apparent age of 0 and a disability included, before any earlier ones', () => {
    const added = onVictimsAdded('c', emptyFacts(), {
      caseId: 'c',
      addedAt: '2026-01-10T08:30:00+08:00',
      addedBy: actor,
      victims: [
        { victimId: 'c.v3', category: 'adult', sex: 'female' },
        { victimId: 'c.v1', category: 'child', sex: 'male' },
      ],
    } as never)!;
    const opened = onCaseOpened(added, {
      caseId: 'c',
      kind: 'suspected-trafficking',
      region: '340104',
      openedAt: '2026-01-10T09:00:00+08:00',
      reportId: 'r',
      reportedBy: actor,
      report: { kind: 'suspected-trafficking', location: place, description: 'a raid' } as never,
      victims: [
        { victimId: 'c.v1', category: 'child', sex: 'male', apparentAge: 0, ageObservedAt: '2026-01-10' },
        {
          victimId: 'c.v2',
          category: 'adult',
          sex: 'female',
          birthDate: '1999-02-03',
          disability: { kinds: ['physical'] },
        },
      ],
    } as never)!;
    expect(opened.victims).toEqual([
      { victimId: 'c.v1', category: 'child', sex: 'male', apparentAge: 0, ageObservedAt: '2026-01-10' },
      {
        victimId: 'c.v2',
        category: 'adult',
        sex: 'female',
        birthDate: '1999-02-03',
        disability: { kinds: ['physical'] },
      },
      { victimId: 'c.v3', category: 'adult', sex: 'female' },
    ]);
    expect(opened).not.toHaveProperty('birthDate');
    expect(opened).not.toHaveProperty('apparentAge');
  });

  it('keeps what an earlier event recorded of a victim it names (a rescue that came first)', () => {
    const rescued = onVictimsRescued('c', emptyFacts(), {
      caseId: 'c',
      rescuedAt: '2026-01-09T10:00:00+08:00',
      place: 'village',
      region: '341500',
      victims: [{ victimId: 'c.v1', category: 'child', sex: 'unknown', ageGroup: 'under-14' }],
    } as never)!;
    const opened = onCaseOpened(rescued, {
      caseId: 'c',
      kind: 'suspected-trafficking',
      region: '340104',
      openedAt: '2026-01-10T09:00:00+08:00',
      reportId: 'r',
      reportedBy: actor,
      report: { kind: 'suspected-trafficking', location: place, description: 'a raid' } as never,
      victims: [{ victimId: 'c.v1', category: 'child', sex: 'male' }],
    } as never)!;
    expect(opened.victims).toEqual([
      {
        victimId: 'c.v1',
        category: 'child',
        sex: 'male',
        rescue: { rescuedAt: '2026-01-09T10:00:00+08:00', region: '341500' },
      },
    ]);
  });

  it('records the groom of a bride found at marriage registration as the buyer once, with his identity number', () => {
    const groom = { name: 'Wang Wu', address: '3 Hill Road, Fuyang', idNumber: '341202199001011234' };
    const data = {
      caseId: 'c',
      kind: 'suspected-trafficking',
      region: '341200',
      openedAt: '2026-01-10T09:00:00+08:00',
      reportId: 'r',
      reportedBy: actor,
      report: { kind: 'suspected-trafficking', location: place, marriageRegistration: { groom } },
    } as never;
    const known: CaseFacts = {
      ...emptyFacts(),
      buyerHouseholds: [
        { headName: 'wang wu', address: '3 Hill Road Fuyang', idNumber: '341202199001011234' },
      ],
    };
    expect(onCaseOpened(known, data)!.buyerHouseholds).toEqual(known.buyerHouseholds);
    expect(onCaseOpened(emptyFacts(), data)!.buyerHouseholds).toEqual([
      { headName: 'Wang Wu', address: '3 Hill Road, Fuyang', idNumber: '341202199001011234' },
    ]);
    const noId = onCaseOpened(emptyFacts(), {
      ...(data as object),
      report: {
        kind: 'suspected-trafficking',
        location: place,
        marriageRegistration: { groom: { ...groom, idNumber: undefined } },
      },
    } as never)!;
    expect(noId.buyerHouseholds[0]).not.toHaveProperty('idNumber');
  });

  it('records the parents of a missing child and the guardian an unidentified child was found with', () => {
    const parents = [
      { relation: 'mother' as const, name: 'Li Na', idNumber: '340104198001011234', living: true },
    ];
    const missing = onCaseOpened(emptyFacts(), {
      caseId: 'c',
      kind: 'missing-child',
      region: '340104',
      openedAt: '2026-01-10T09:00:00+08:00',
      reportId: 'r',
      reportedBy: actor,
      report: {
        kind: 'missing-child',
        child: { name: 'n', sex: 'male', birthDate: '2019-05-01' },
        lastSeen: place,
        parents,
      },
    } as never)!;
    expect(missing.parents).toEqual(parents);
    expect(missing.parents![0]).not.toBe(parents[0]);
    const guardian = { name: 'Zhao Liu', relation: 'uncle', address: '5 River Road' };
    const found = onCaseOpened(emptyFacts(), {
      caseId: 'c',
      kind: 'unidentified-child',
      region: '340104',
      openedAt: '2026-01-10T09:00:00+08:00',
      reportId: 'r',
      reportedBy: actor,
      report: {
        kind: 'unidentified-child',
        child: { sex: 'male', apparentAge: 5 },
        foundAt: place,
        currentGuardian: guardian,
      },
    } as never)!;
    expect(found.currentGuardian).toEqual(guardian);
    expect(found).not.toHaveProperty('parents');
  });
});

describe('an event from before victims, on a case that has them', () => {
  it('locates the case’s victim 1 once, identified by police when it says so', () => {
    const facts = withTwoVictims();
    const located = onChildLocated(facts, {
      caseId: 'c',
      locatedAt: '2026-03-02T10:00:00+08:00',
      place: 'bus station',
      region: '341500',
      identification: police,
    } as never)!;
    expect(located.locatedAt).toBe('2026-03-02T10:00:00+08:00');
    expect(located.victims![0]).toMatchObject({
      victimId: 'c.v1',
      locatedAt: '2026-03-02T10:00:00+08:00',
      policeIdentifiedAt: '2026-03-02T10:00:00+08:00',
    });
    expect(located.victims![1]).toEqual(facts.victims![1]);
    expect(located.policeIdentifications).toEqual([
      { ...police, at: '2026-03-02T10:00:00+08:00', via: 'child-located' },
    ]);
    // Located again later, without identification: the first time stays, nothing changes.
    const later = { caseId: 'c', locatedAt: '2026-03-05T10:00:00+08:00', place: 'x', region: '341500' };
    expect(onChildLocated(located, later as never)).toBeUndefined();
    // Located without identification first: no identification on the victim.
    const plain = onChildLocated(facts, later as never)!;
    expect(plain.victims![0]).not.toHaveProperty('policeIdentifiedAt');
    expect(plain.policeIdentifications).toEqual([]);
  });

  it('with victimIds only takes the case’s first located time: its victims’ own event records them', () => {
    const facts = withTwoVictims();
    const located = onChildLocated(facts, {
      caseId: 'c',
      locatedAt: '2026-03-02T10:00:00+08:00',
      place: 'bus station',
      region: '341500',
      identification: police,
      victimIds: ['c.v2'],
    } as never)!;
    expect(located.locatedAt).toBe('2026-03-02T10:00:00+08:00');
    expect(located.victims).toEqual(facts.victims);
    expect(located.policeIdentifications).toEqual([]);
    expect(
      onChildLocated(located, {
        caseId: 'c',
        locatedAt: '2026-03-03T10:00:00+08:00',
        victimIds: ['c.v1'],
      } as never),
    ).toBeUndefined();
  });

  it('rescues the case’s victim 1 once, identified by police when it says so', () => {
    const facts = withTwoVictims();
    const rescue = {
      caseId: 'c',
      rescuedAt: '2026-03-03T10:00:00+08:00',
      place: 'village',
      region: '341500',
    };
    const rescued = onChildRescued(facts, { ...rescue, identification: police } as never)!;
    expect(rescued.rescue).toEqual({ rescuedAt: '2026-03-03T10:00:00+08:00', region: '341500' });
    expect(rescued.victims![0]).toMatchObject({
      rescue: { rescuedAt: '2026-03-03T10:00:00+08:00', region: '341500' },
      policeIdentifiedAt: '2026-03-03T10:00:00+08:00',
    });
    expect(rescued.victims![1]).not.toHaveProperty('rescue');
    expect(rescued.policeIdentifications).toEqual([
      { ...police, at: '2026-03-03T10:00:00+08:00', via: 'child-rescued' },
    ]);
    const again = onChildRescued(rescued, {
      ...rescue,
      rescuedAt: '2026-03-04T10:00:00+08:00',
      region: '340100',
    } as never);
    expect(again).toBeUndefined();
    const plain = onChildRescued(facts, rescue as never)!;
    expect(plain.victims![0]).not.toHaveProperty('policeIdentifiedAt');
    expect(plain.policeIdentifications).toEqual([]);
    // With victimIds: the case's rescue only, the victims untouched.
    const twin = onChildRescued(facts, { ...rescue, identification: police, victimIds: ['c.v2'] } as never)!;
    expect(twin.rescue).toEqual({ rescuedAt: '2026-03-03T10:00:00+08:00', region: '341500' });
    expect(twin.victims).toEqual(facts.victims);
    expect(twin.policeIdentifications).toEqual([]);
  });
});

describe('the buying household recorded after the rescue', () => {
  const rescued = () =>
    onChildRescued(legacy(), {
      caseId: 'c',
      rescuedAt: '2026-03-03T10:00:00+08:00',
      place: 'village',
      region: '341500',
    } as never)!;

  it('is missing from a rescue until police record one or state there is none', () => {
    expect(buyerRecordMissing(legacy())).toBe(false);
    expect(buyerRecordMissing(rescued())).toBe(true);
    const none = onHouseholdRecorded(rescued(), {
      caseId: 'c',
      recordedAt: '2026-03-04T10:00:00+08:00',
      recordedBy: actor,
      noBuyerHousehold: { reason: 'the child was abandoned' },
    } as never)!;
    expect(none.noBuyerHousehold).toEqual({ reason: 'the child was abandoned' });
    expect(buyerRecordMissing(none)).toBe(false);
    // A second statement keeps the first.
    expect(
      onHouseholdRecorded(none, { caseId: 'c', noBuyerHousehold: { reason: 'other' } } as never),
    ).toBeUndefined();
  });

  it('keeps its members, each copied, and its head’s identity number', () => {
    const members = [{ name: 'Zhang Si', relation: 'son', idNumber: '340104200001011234' }];
    const recorded = onHouseholdRecorded(rescued(), {
      caseId: 'c',
      recordedAt: '2026-03-04T10:00:00+08:00',
      recordedBy: actor,
      buyerHousehold: {
        headName: 'Zhang San',
        address: '3 Hill Road',
        idNumber: '340104197001011234',
        members,
      },
    } as never)!;
    expect(recorded.buyerHouseholds).toEqual([
      { headName: 'Zhang San', address: '3 Hill Road', idNumber: '340104197001011234', members },
    ]);
    expect(recorded.buyerHouseholds[0]!.members![0]).not.toBe(members[0]);
    expect(buyerRecordMissing(recorded)).toBe(false);
    const noMembers = onHouseholdRecorded(rescued(), {
      caseId: 'c',
      buyerHousehold: { headName: 'Zhang San', address: '3 Hill Road', members: [] },
    } as never)!;
    expect(noMembers.buyerHouseholds[0]).toEqual({ headName: 'Zhang San', address: '3 Hill Road' });
  });

  it('clears the current guardian once, keeping who cleared them and why', () => {
    const cleared = onHouseholdRecorded(rescued(), {
      caseId: 'c',
      currentGuardianCleared: { clearedBy: 'officer 2', reason: 'a neighbour who took the child in' },
    } as never)!;
    expect(cleared.currentGuardianCleared).toEqual({
      clearedBy: 'officer 2',
      reason: 'a neighbour who took the child in',
    });
    expect(
      onHouseholdRecorded(cleared, {
        caseId: 'c',
        currentGuardianCleared: { clearedBy: 'officer 3', reason: 'again' },
      } as never),
    ).toBeUndefined();
  });
});

describe('a confirmed DNA match', () => {
  it('records the parents’ case it names and which parents matched', () => {
    const confirmed = onDnaMatchConfirmed(emptyFacts(), {
      matchId: 'm',
      childSampleId: 's',
      parentSampleIds: ['p1', 'p2'],
      caseId: 'parents-case',
      parents: [
        { sampleId: 'p1', relation: 'mother' },
        { sampleId: 'p2', relation: 'father' },
      ],
      confirmedAt: '2026-11-21T00:00:00Z',
    } as never)!;
    expect(confirmed.dnaIdentifications).toEqual([
      {
        matchId: 'm',
        confirmedAt: '2026-11-21T00:00:00Z',
        parentsCaseId: 'parents-case',
        relations: ['mother', 'father'],
      },
    ]);
  });
});

describe('victims registered, located and rescued', () => {
  it('registers only victims not known yet, with what police recorded of them', () => {
    const facts = withTwoVictims();
    const added = onVictimsAdded('c', facts, {
      caseId: 'c',
      addedAt: '2026-03-01T10:00:00+08:00',
      addedBy: actor,
      victims: [
        { victimId: 'c.v2', category: 'adult', sex: 'female' },
        {
          victimId: 'c.v3',
          category: 'child',
          sex: 'female',
          apparentAge: 0,
          ageObservedAt: '2026-03-01',
          disability: { kinds: ['hearing'] },
        },
        { victimId: 'c.v4', category: 'adult', sex: 'female', birthDate: '2001-01-01' },
      ],
    } as never)!;
    expect(added.victims!.slice(2)).toEqual([
      {
        victimId: 'c.v3',
        category: 'child',
        sex: 'female',
        apparentAge: 0,
        ageObservedAt: '2026-03-01',
        disability: { kinds: ['hearing'] },
      },
      { victimId: 'c.v4', category: 'adult', sex: 'female', birthDate: '2001-01-01' },
    ]);
    expect(added.victims!.slice(0, 2)).toEqual(facts.victims);
    expect(
      onVictimsAdded('c', added, {
        caseId: 'c',
        victims: [{ victimId: 'c.v4', category: 'adult', sex: 'female' }],
      } as never),
    ).toBeUndefined();
  });

  it('locates each named victim once, registering one not heard of yet, identified by police when it says so', () => {
    const facts = withTwoVictims();
    const located = onVictimsLocated('c', facts, {
      caseId: 'c',
      locatedAt: '2026-03-02T10:00:00+08:00',
      place: 'bus station',
      region: '341500',
      identification: police,
      victims: [
        { victimId: 'c.v2', category: 'adult', sex: 'female', ageGroup: '18-and-over' },
        { victimId: 'c.v5', category: 'child', sex: 'male', ageGroup: 'under-14' },
      ],
    } as never)!;
    expect(located.locatedAt).toBe('2026-03-02T10:00:00+08:00');
    expect(located.victims).toEqual([
      facts.victims![0],
      {
        ...facts.victims![1],
        locatedAt: '2026-03-02T10:00:00+08:00',
        policeIdentifiedAt: '2026-03-02T10:00:00+08:00',
      },
      {
        victimId: 'c.v5',
        category: 'child',
        sex: 'male',
        locatedAt: '2026-03-02T10:00:00+08:00',
        policeIdentifiedAt: '2026-03-02T10:00:00+08:00',
      },
    ]);
    const again = {
      caseId: 'c',
      locatedAt: '2026-03-04T10:00:00+08:00',
      place: 'x',
      region: '341500',
      victims: [{ victimId: 'c.v2', category: 'adult', sex: 'female', ageGroup: '18-and-over' }],
    };
    expect(onVictimsLocated('c', located, again as never)).toBeUndefined();
    // Without identification, a victim located is not identified.
    const plain = onVictimsLocated('c', facts, again as never)!;
    expect(plain.locatedAt).toBe('2026-03-04T10:00:00+08:00');
    expect(plain.victims![1]).toEqual({ ...facts.victims![1], locatedAt: '2026-03-04T10:00:00+08:00' });
  });

  it('takes the case’s first located time even when every victim named was located already', () => {
    const facts = { ...withTwoVictims(), locatedAt: undefined };
    const victims = facts.victims!.map((v) => ({ ...v, locatedAt: '2026-03-01T10:00:00+08:00' }));
    const next = onVictimsLocated('c', { ...facts, victims }, {
      caseId: 'c',
      locatedAt: '2026-03-02T10:00:00+08:00',
      victims: [{ victimId: 'c.v1', category: 'child', sex: 'male', ageGroup: 'under-14' }],
    } as never)!;
    expect(next.locatedAt).toBe('2026-03-02T10:00:00+08:00');
    expect(next.victims).toEqual(victims);
  });

  it('rescues each named victim once and records the buying household for the case', () => {
    const facts = withTwoVictims();
    const buyerHousehold = { headName: 'Zhang San', address: '3 Hill Road' };
    const rescued = onVictimsRescued('c', facts, {
      caseId: 'c',
      rescuedAt: '2026-03-03T10:00:00+08:00',
      place: 'village',
      region: '341500',
      buyerHousehold,
      identification: police,
      victims: [{ victimId: 'c.v2', category: 'adult', sex: 'female', ageGroup: '18-and-over' }],
    } as never)!;
    expect(rescued.rescue).toEqual({ rescuedAt: '2026-03-03T10:00:00+08:00', region: '341500' });
    expect(rescued.buyerHouseholds).toEqual([buyerHousehold]);
    expect(rescued.victims).toEqual([
      facts.victims![0],
      {
        ...facts.victims![1],
        rescue: { rescuedAt: '2026-03-03T10:00:00+08:00', region: '341500' },
        policeIdentifiedAt: '2026-03-03T10:00:00+08:00',
      },
    ]);
    // The identification is the named victims': not the case's victim 1, not a case-level record.
    expect(rescued.policeIdentifications).toEqual([]);
    const later = {
      caseId: 'c',
      rescuedAt: '2026-03-05T10:00:00+08:00',
      place: 'y',
      region: '340100',
      victims: [{ victimId: 'c.v2', category: 'adult', sex: 'female', ageGroup: '18-and-over' }],
    };
    expect(onVictimsRescued('c', rescued, later as never)).toBeUndefined();
    const plain = onVictimsRescued('c', facts, later as never)!;
    expect(plain.victims![1]).toEqual({
      ...facts.victims![1],
      rescue: { rescuedAt: '2026-03-05T10:00:00+08:00', region: '340100' },
    });
    // A victim not heard of yet is registered as rescued.
    const fresh = onVictimsRescued('c', rescued, {
      ...later,
      victims: [{ victimId: 'c.v6', category: 'child', sex: 'female', ageGroup: 'under-14' }],
    } as never)!;
    expect(fresh.victims!.at(-1)).toEqual({
      victimId: 'c.v6',
      category: 'child',
      sex: 'female',
      rescue: { rescuedAt: '2026-03-05T10:00:00+08:00', region: '340100' },
    });
    expect(fresh.rescue).toEqual(rescued.rescue);
  });
});
