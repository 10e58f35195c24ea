import {
  type CaseKind,
  type Disability,
  type EventData,
  type IdentificationMethod,
  type Sex,
  type VictimCategory,
  victimIdFor,
  victimsOfOpening,
} from '@homeward/events';
import { type BuyerHousehold, buyerKey } from './normalise.ts';

export interface PoliceIdentificationRecord {
  method: IdentificationMethod;
  identifiedBy: string;
  /** When the event that recorded it happened (located or rescued). */
  at: string;
  via: 'child-located' | 'child-rescued';
}

export interface DnaIdentificationRecord {
  matchId: string;
  confirmedAt: string;
  /** The parents' case the match named (the missing child's): where the family is recorded. */
  parentsCaseId?: string;
  /** Which parents matched (a single parent's match names one), when the lab's event says. */
  relations?: Array<'mother' | 'father'>;
}

/** A parent as the missing-child report recorded them. */
export interface ParentRecord {
  relation: 'mother' | 'father';
  name: string;
  idNumber?: string;
  living?: boolean;
}

/** A victim of the case as placement knows it: who, and the police side of its path. */
export interface VictimFacts {
  victimId: string;
  category: VictimCategory;
  sex: Sex;
  birthDate?: string;
  apparentAge?: number;
  ageObservedAt?: string;
  disability?: Disability;
  locatedAt?: string;
  rescue?: { rescuedAt: string; region: string };
  /** Police identified this victim (in the located or rescued action that named it). */
  policeIdentifiedAt?: string;
}

/**
 * What placement knows of a case, projected from `case.events.v1` and `dna.events.v1`. Each
 * fact is recorded once: a repeated or redelivered event finds it there and changes nothing.
 */
export interface CaseFacts {
  kind?: CaseKind;
  region?: string;
  openedAt?: string;
  /** Missing child: the birth date the family reported. */
  birthDate?: string;
  /** Unidentified child: the apparent age in whole years and when it was judged (found at). */
  apparentAge?: { years: number; observedAt: string };
  /** Missing child: the parents the report recorded (the family a return goes to). */
  parents?: ParentRecord[];
  /** Unidentified child: who the child was living with when found (part of the buying household unless cleared). */
  currentGuardian?: { name: string; relation: string; address: string };
  /** Police cleared the current guardian of belonging to the buying household. */
  currentGuardianCleared?: { clearedBy: string; reason: string };
  /** Police stated that the rescued child has no buying household. */
  noBuyerHousehold?: { reason: string };
  locatedAt?: string;
  rescue?: { rescuedAt: string; region: string };
  buyerHouseholds: BuyerHousehold[];
  policeIdentifications: PoliceIdentificationRecord[];
  dnaIdentifications: DnaIdentificationRecord[];
  closed?: { closedAt: string; reason: string };
  /**
   * The victims of the case, each with its rescue; absent in a case recorded before victims
   * existed, whose one victim is derived by {@link victimsOfFacts}.
   */
  victims?: VictimFacts[];
}

/**
 * The victims of a case. Recorded before victims existed, a missing-child or
 * unidentified-child case has one: the child (victim 1), with the birth date or apparent age
 * and the rescue the case recorded.
 */
export function victimsOfFacts(caseId: string, f: CaseFacts): VictimFacts[] {
  if (f.victims) return f.victims;
  if (f.kind !== 'missing-child' && f.kind !== 'unidentified-child') return [];
  return [
    {
      victimId: victimIdFor(caseId, 1),
      category: 'child',
      sex: 'unknown',
      ...(f.birthDate ? { birthDate: f.birthDate } : {}),
      ...(f.apparentAge ? { apparentAge: f.apparentAge.years, ageObservedAt: f.apparentAge.observedAt } : {}),
      ...(f.locatedAt ? { locatedAt: f.locatedAt } : {}),
      ...(f.rescue ? { rescue: f.rescue } : {}),
      ...(f.policeIdentifications[0] ? { policeIdentifiedAt: f.policeIdentifications[0].at } : {}),
    },
  ];
}

/** The facts with the victims changed by `change` (the victims materialised first). */
function withVictims(
  caseId: string,
  f: CaseFacts,
  change: (victims: VictimFacts[]) => VictimFacts[] | undefined,
): CaseFacts | undefined {
  const next = change(victimsOfFacts(caseId, f));
  return next ? { ...f, victims: next } : undefined;
}

export function emptyFacts(): CaseFacts {
  return { buyerHouseholds: [], policeIdentifications: [], dnaIdentifications: [] };
}

/** The first opening wins; a repeat changes nothing. */
export function onCaseOpened(f: CaseFacts, d: EventData<'homeward.case.opened'>): CaseFacts | undefined {
  if (f.openedAt !== undefined) return undefined;
  const next: CaseFacts = { ...f, kind: d.kind, region: d.region, openedAt: d.openedAt };
  // Victims an earlier event (added, rescued) recorded before the opening arrived stay; the
  // opening's own come first.
  const opened = victimsOfOpening(d).map((v) => ({
    victimId: v.victimId,
    category: v.category,
    sex: v.sex,
    ...(v.birthDate ? { birthDate: v.birthDate } : {}),
    ...(v.apparentAge !== undefined ? { apparentAge: v.apparentAge } : {}),
    ...(v.ageObservedAt ? { ageObservedAt: v.ageObservedAt } : {}),
    ...(v.disability ? { disability: v.disability } : {}),
  }));
  const earlier = (f.victims ?? []).filter((x) => !opened.some((o) => o.victimId === x.victimId));
  next.victims = [
    ...opened.map((o) => ({ ...o, ...(f.victims?.find((x) => x.victimId === o.victimId) ?? {}), ...o })),
    ...earlier,
  ];
  const report = d.report;
  // A bride a marriage-registration clerk found bought: the groom's household is the buyer, and
  // she is never placed with it.
  const groom = report.kind === 'suspected-trafficking' ? report.marriageRegistration?.groom : undefined;
  if (groom) {
    const household: BuyerHousehold = { headName: groom.name, address: groom.address };
    if (groom.idNumber !== undefined) household.idNumber = groom.idNumber;
    if (!next.buyerHouseholds.some((x) => buyerKey(x) === buyerKey(household)))
      next.buyerHouseholds = [...next.buyerHouseholds, household];
  }
  if (report.kind === 'missing-child') {
    next.birthDate = report.child.birthDate;
    if (report.parents) next.parents = report.parents.map((p) => ({ ...p }));
  }
  if (report.kind === 'unidentified-child') {
    next.apparentAge = { years: report.child.apparentAge, observedAt: report.foundAt.at };
    if (report.currentGuardian) next.currentGuardian = { ...report.currentGuardian };
  }
  return next;
}

/**
 * The child located. With `victimIds` the event is the twin of a `victims-located` that records
 * the victims and their identification, so only the case's first located time is taken here;
 * without (an event from before victims existed), its identification is the case's, and the
 * case's victim 1 is located.
 */
export function onChildLocated(
  f: CaseFacts,
  d: EventData<'homeward.case.child-located'>,
): CaseFacts | undefined {
  let next: CaseFacts | undefined;
  if (f.locatedAt === undefined) next = { ...f, locatedAt: d.locatedAt };
  if (d.victimIds) return next;
  next =
    legacyVictim(next ?? f, d.caseId, (v) => ({
      ...v,
      locatedAt: v.locatedAt ?? d.locatedAt,
      ...(d.identification && !v.policeIdentifiedAt ? { policeIdentifiedAt: d.locatedAt } : {}),
    })) ?? next;
  if (d.identification) {
    const ids = addPolice((next ?? f).policeIdentifications, {
      method: d.identification.method,
      identifiedBy: d.identification.identifiedBy,
      at: d.locatedAt,
      via: 'child-located',
    });
    if (ids) next = { ...(next ?? f), policeIdentifications: ids };
  }
  return next;
}

/**
 * The first rescue sets the rescued status; every buyer household and police identification
 * any rescue event records is kept (once each), since a placement must never go to any of them.
 * With `victimIds` (the twin of a `victims-rescued`), the identification is the named victims'
 * and is recorded from that event; without, it is the case's, and victim 1 is rescued.
 */
export function onChildRescued(
  f: CaseFacts,
  d: EventData<'homeward.case.child-rescued'>,
): CaseFacts | undefined {
  let next: CaseFacts | undefined;
  if (f.rescue === undefined) next = { ...f, rescue: { rescuedAt: d.rescuedAt, region: d.region } };
  next = withHousehold(next ?? f, d) ?? next;
  if (d.victimIds) return next;
  next =
    legacyVictim(next ?? f, d.caseId, (v) => ({
      ...v,
      rescue: v.rescue ?? { rescuedAt: d.rescuedAt, region: d.region },
      ...(d.identification && !v.policeIdentifiedAt ? { policeIdentifiedAt: d.rescuedAt } : {}),
    })) ?? next;
  if (d.identification) {
    const ids = addPolice((next ?? f).policeIdentifications, {
      method: d.identification.method,
      identifiedBy: d.identification.identifiedBy,
      at: d.rescuedAt,
      via: 'child-rescued',
    });
    if (ids) next = { ...(next ?? f), policeIdentifications: ids };
  }
  return next;
}

/**
 * What police record about the buying household, at the rescue or after it: the household
 * (kept once each, with its members), the statement that there is none, the clearance of the
 * current guardian. Undefined when nothing new.
 */
function withHousehold(
  f: CaseFacts,
  d: Pick<
    EventData<'homeward.case.household-recorded'>,
    'buyerHousehold' | 'noBuyerHousehold' | 'currentGuardianCleared'
  >,
): CaseFacts | undefined {
  let next: CaseFacts | undefined;
  const b = d.buyerHousehold;
  if (b && !f.buyerHouseholds.some((x) => buyerKey(x) === buyerKey(b))) {
    const household: BuyerHousehold = { headName: b.headName, address: b.address };
    if (b.idNumber !== undefined) household.idNumber = b.idNumber;
    if (b.members?.length) household.members = b.members.map((m) => ({ ...m }));
    next = { ...f, buyerHouseholds: [...f.buyerHouseholds, household] };
  }
  if (d.noBuyerHousehold && !(next ?? f).noBuyerHousehold)
    next = { ...(next ?? f), noBuyerHousehold: { reason: d.noBuyerHousehold.reason } };
  if (d.currentGuardianCleared && !(next ?? f).currentGuardianCleared)
    next = { ...(next ?? f), currentGuardianCleared: { ...d.currentGuardianCleared } };
  return next;
}

export function onHouseholdRecorded(
  f: CaseFacts,
  d: EventData<'homeward.case.household-recorded'>,
): CaseFacts | undefined {
  return withHousehold(f, d);
}

/** Whether a rescued child's buying household is still unrecorded (neither it nor "none" stated). */
export function buyerRecordMissing(f: CaseFacts): boolean {
  return f.rescue !== undefined && f.buyerHouseholds.length === 0 && !f.noBuyerHousehold;
}

export function onCaseClosed(f: CaseFacts, d: EventData<'homeward.case.closed'>): CaseFacts | undefined {
  if (f.closed !== undefined) return undefined;
  return { ...f, closed: { closedAt: d.closedAt, reason: d.reason } };
}

export function onDnaMatchConfirmed(
  f: CaseFacts,
  d: EventData<'homeward.dna.match-confirmed'>,
): CaseFacts | undefined {
  if (f.dnaIdentifications.some((x) => x.matchId === d.matchId)) return undefined;
  const record: DnaIdentificationRecord = { matchId: d.matchId, confirmedAt: d.confirmedAt };
  if (d.caseId) record.parentsCaseId = d.caseId;
  if (d.parents) record.relations = d.parents.map((p) => p.relation);
  return { ...f, dnaIdentifications: [...f.dnaIdentifications, record] };
}

/**
 * An event from before victims existed is about the case's victim 1: when the case records its
 * victims (a newer opening), that victim is changed; otherwise it is derived from the case's
 * facts when read and nothing is to change.
 */
function legacyVictim(
  f: CaseFacts,
  caseId: string,
  change: (v: VictimFacts) => VictimFacts,
): CaseFacts | undefined {
  if (!f.victims) return undefined;
  const id = victimIdFor(caseId, 1);
  const victims = f.victims.map((v) => (v.victimId === id ? change(v) : v));
  return JSON.stringify(victims) === JSON.stringify(f.victims) ? undefined : { ...f, victims };
}

function addPolice(
  list: PoliceIdentificationRecord[],
  rec: PoliceIdentificationRecord,
): PoliceIdentificationRecord[] | undefined {
  if (list.some((x) => x.via === rec.via && x.at === rec.at)) return undefined;
  return [...list, rec];
}

/** Police registered victims found later; each is recorded once. */
export function onVictimsAdded(
  caseId: string,
  f: CaseFacts,
  d: EventData<'homeward.case.victims-added'>,
): CaseFacts | undefined {
  return withVictims(caseId, f, (victims) => {
    const fresh = d.victims.filter((v) => !victims.some((x) => x.victimId === v.victimId));
    if (fresh.length === 0) return undefined;
    return [
      ...victims,
      ...fresh.map((v) => ({
        victimId: v.victimId,
        category: v.category,
        sex: v.sex,
        ...(v.birthDate ? { birthDate: v.birthDate } : {}),
        ...(v.apparentAge !== undefined ? { apparentAge: v.apparentAge } : {}),
        ...(v.ageObservedAt ? { ageObservedAt: v.ageObservedAt } : {}),
        ...(v.disability ? { disability: v.disability } : {}),
      })),
    ];
  });
}

/** A victim an event names that placement has not heard of yet (its registration may come later). */
function known(
  victims: VictimFacts[],
  t: { victimId: string; category: VictimCategory; sex: Sex },
): VictimFacts[] {
  return victims.some((v) => v.victimId === t.victimId)
    ? victims
    : [...victims, { victimId: t.victimId, category: t.category, sex: t.sex }];
}

/** Victims located: each keeps its first time; police identification marks them. */
export function onVictimsLocated(
  caseId: string,
  f: CaseFacts,
  d: EventData<'homeward.case.victims-located'>,
): CaseFacts | undefined {
  const base = f.locatedAt === undefined ? { ...f, locatedAt: d.locatedAt } : f;
  const next = withVictims(caseId, base, (victims) => {
    let all = victims;
    for (const t of d.victims) all = known(all, t);
    const ids = new Set(d.victims.map((t) => t.victimId));
    const marked = all.map((v) =>
      ids.has(v.victimId)
        ? {
            ...v,
            locatedAt: v.locatedAt ?? d.locatedAt,
            ...(d.identification && !v.policeIdentifiedAt ? { policeIdentifiedAt: d.locatedAt } : {}),
          }
        : v,
    );
    return JSON.stringify(marked) === JSON.stringify(victims) ? undefined : marked;
  });
  return next ?? (base === f ? undefined : base);
}

/**
 * Victims rescued: each keeps its first rescue; the buying household is recorded for the case
 * (no victim is placed with it) and a police identification marks the victims it names. The
 * case's first rescue is recorded too (for views and the rules of cases from before victims).
 */
export function onVictimsRescued(
  caseId: string,
  f: CaseFacts,
  d: EventData<'homeward.case.victims-rescued'>,
): CaseFacts | undefined {
  // The case-level part is what child-rescued always recorded (buyer, first rescue); without
  // victimIds so that it touches no victim.
  const { victims: tallies, identification: _own, ...rest } = d;
  const base = onChildRescued(f, { ...rest, victimIds: tallies.map((t) => t.victimId) }) ?? f;
  const next = withVictims(caseId, base, (victims) => {
    let all = victims;
    for (const t of tallies) all = known(all, t);
    const ids = new Set(tallies.map((t) => t.victimId));
    const marked = all.map((v) =>
      ids.has(v.victimId)
        ? {
            ...v,
            rescue: v.rescue ?? { rescuedAt: d.rescuedAt, region: d.region },
            ...(d.identification && !v.policeIdentifiedAt ? { policeIdentifiedAt: d.rescuedAt } : {}),
          }
        : v,
    );
    return JSON.stringify(marked) === JSON.stringify(victims) ? undefined : marked;
  });
  return next ?? (base === f ? undefined : base);
}
