import {
  type Actor,
  type AgeGroup,
  ageGroupOf,
  type Disability,
  type EventData,
  type FieldError,
  type Sex,
  type Victim,
  victimAgeAt,
  victimFromReport,
  victimsOfReport,
} from '@homeward/events';
import { Errors } from '../errors.ts';
import type { CaseDoc } from './case.ts';

/**
 * A victim as rescue coordination keeps it: who (the contract's victim) and its own path on the
 * police side: located, rescued, identified. Placement keeps the rest of the path (placed,
 * followed up).
 */
export interface VictimRecord extends Victim {
  addedAt: string;
  /** Set when police added the victim after the case opened. */
  addedBy?: Actor;
  located?: { at: string; place: string };
  rescued?: { at: string; place: string; region: string };
  identified?: { at: string; via: 'police' | 'dna'; method?: string; matchId?: string };
}

/** A victim police register on a case: what the officers could establish. */
export interface NewVictim {
  sex: Sex;
  birthDate?: string;
  apparentAge?: number;
  description: string;
  disability?: Disability;
}

/**
 * The victims of a case. A case stored before victims existed has none recorded: its
 * missing-child or unidentified-child report names its one victim (`<caseId>.v1`), as every
 * consumer derives it.
 */
export function victimsOf(doc: CaseDoc): VictimRecord[] {
  if (doc.victims) return doc.victims;
  const at = new Date(doc.openedAt).toISOString();
  return doc.report.kind === 'missing-child' || doc.report.kind === 'unidentified-child'
    ? victimsOfReport(doc._id, doc.report).map((v) => ({ ...v, addedAt: at }))
    : [];
}

/** Registers victims found later, numbered after those the case has; judged child or adult now. */
export function newVictims(
  doc: CaseDoc,
  input: readonly NewVictim[],
  foundAt: string,
  by: Actor,
): VictimRecord[] {
  const first = victimsOf(doc).length + 1;
  return input.map((v, i) => ({
    ...victimFromReport(doc._id, first + i, v, foundAt),
    addedAt: foundAt,
    addedBy: by,
  }));
}

/** The field errors of victims police register: an age (a birth date or an apparent one), not born later. */
export function newVictimErrors(input: readonly NewVictim[], foundAt: string): FieldError[] {
  const errors: FieldError[] = [];
  input.forEach((v, i) => {
    if (v.birthDate === undefined && v.apparentAge === undefined)
      errors.push({ field: `/victims/${i}`, message: 'needs a birthDate or an apparentAge' });
    if (v.birthDate !== undefined && Date.parse(`${v.birthDate}T00:00:00Z`) > Date.parse(foundAt))
      errors.push({ field: `/victims/${i}/birthDate`, message: 'must not be after the time found' });
  });
  return errors;
}

export type VictimStep = 'located' | 'rescued';

/**
 * The victims an action is about: those named (each must be the case's and not past the step
 * yet), or by default every victim not past it. An empty result means a case without victims
 * (a legacy suspected-trafficking case), where the action is about the case alone.
 */
export function victimsFor(
  doc: CaseDoc,
  step: VictimStep,
  ids: readonly string[] | undefined,
): VictimRecord[] {
  const all = victimsOf(doc);
  const done = (v: VictimRecord) => (step === 'located' ? v.located || v.rescued : v.rescued);
  if (!ids) return all.filter((v) => !done(v));
  const errors: FieldError[] = [];
  const chosen: VictimRecord[] = [];
  [...new Set(ids)].forEach((id, i) => {
    const v = all.find((x) => x.victimId === id);
    if (!v) errors.push({ field: `/victimIds/${i}`, message: `the case has no victim "${id}"` });
    else if (done(v)) errors.push({ field: `/victimIds/${i}`, message: `victim "${id}" is ${step} already` });
    else chosen.push(v);
  });
  if (errors.length > 0)
    throw Errors.victimsNotApplicable.error(`not every named victim can be marked ${step}`, { errors });
  return chosen;
}

/** A victim as a count needs it, aged at `at`: id, category, sex, age group (when the age is known). */
export function tallyOf(
  v: VictimRecord,
  at: string,
): { victimId: string; category: Victim['category']; sex: Sex; ageGroup?: AgeGroup } {
  const age = victimAgeAt(v, at);
  return {
    victimId: v.victimId,
    category: v.category,
    sex: v.sex,
    ...(age !== undefined ? { ageGroup: ageGroupOf(age) } : {}),
  };
}

/** The victims after a step: each chosen one marked (and identified, when police identified them). */
export function markVictims(
  all: readonly VictimRecord[],
  chosen: readonly VictimRecord[],
  mark: (v: VictimRecord) => VictimRecord,
): VictimRecord[] {
  const ids = new Set(chosen.map((v) => v.victimId));
  return all.map((v) => (ids.has(v.victimId) ? mark(v) : v));
}

/** A police identification, recorded on the victims of the action that carries it. */
export function policeIdentified(
  v: VictimRecord,
  identification: EventData<'homeward.case.child-rescued'>['identification'],
  at: string,
): VictimRecord {
  if (!identification || v.identified) return v;
  return { ...v, identified: { at, via: 'police', method: identification.method } };
}
