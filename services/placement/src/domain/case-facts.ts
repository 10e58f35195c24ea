import type { CaseKind, EventData, IdentificationMethod } from '@homeward/events';
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
}

export function emptyFacts(): CaseFacts {
  return { buyerHouseholds: [], policeIdentifications: [], dnaIdentifications: [] };
}

/** The first opening wins; a repeat changes nothing. */
export function onCaseOpened(f: CaseFacts, d: EventData<'homeward.case.opened'>): CaseFacts | undefined {
  if (f.openedAt !== undefined) return undefined;
  const next: CaseFacts = { ...f, kind: d.kind, region: d.region, openedAt: d.openedAt };
  const report = d.report;
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

export function onChildLocated(
  f: CaseFacts,
  d: EventData<'homeward.case.child-located'>,
): CaseFacts | undefined {
  let next: CaseFacts | undefined;
  if (f.locatedAt === undefined) next = { ...f, locatedAt: d.locatedAt };
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
 */
export function onChildRescued(
  f: CaseFacts,
  d: EventData<'homeward.case.child-rescued'>,
): CaseFacts | undefined {
  let next: CaseFacts | undefined;
  if (f.rescue === undefined) next = { ...f, rescue: { rescuedAt: d.rescuedAt, region: d.region } };
  next = withHousehold(next ?? f, d) ?? next;
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

function addPolice(
  list: PoliceIdentificationRecord[],
  rec: PoliceIdentificationRecord,
): PoliceIdentificationRecord[] | undefined {
  if (list.some((x) => x.via === rec.via && x.at === rec.at)) return undefined;
  return [...list, rec];
}
