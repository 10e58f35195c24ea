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
  if (report.kind === 'missing-child') next.birthDate = report.child.birthDate;
  if (report.kind === 'unidentified-child')
    next.apparentAge = { years: report.child.apparentAge, observedAt: report.foundAt.at };
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
  const b = d.buyerHousehold;
  if (b && !(next ?? f).buyerHouseholds.some((x) => buyerKey(x) === buyerKey(b))) {
    const household: BuyerHousehold = { headName: b.headName, address: b.address };
    if (b.idNumber !== undefined) household.idNumber = b.idNumber;
    next = { ...(next ?? f), buyerHouseholds: [...(next ?? f).buyerHouseholds, household] };
  }
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

export function onCaseClosed(f: CaseFacts, d: EventData<'homeward.case.closed'>): CaseFacts | undefined {
  if (f.closed !== undefined) return undefined;
  return { ...f, closed: { closedAt: d.closedAt, reason: d.reason } };
}

export function onDnaMatchConfirmed(
  f: CaseFacts,
  d: EventData<'homeward.dna.match-confirmed'>,
): CaseFacts | undefined {
  if (f.dnaIdentifications.some((x) => x.matchId === d.matchId)) return undefined;
  return {
    ...f,
    dnaIdentifications: [...f.dnaIdentifications, { matchId: d.matchId, confirmedAt: d.confirmedAt }],
  };
}

function addPolice(
  list: PoliceIdentificationRecord[],
  rec: PoliceIdentificationRecord,
): PoliceIdentificationRecord[] | undefined {
  if (list.some((x) => x.via === rec.via && x.at === rec.at)) return undefined;
  return [...list, rec];
}
