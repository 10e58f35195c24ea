import {
  type AgeGroup,
  AgeGroups,
  type HomewardEvent,
  type Sex,
  victimAgeAt,
  victimsOfOpening,
} from '@homeward/events';
import type { Ref } from './refs.ts';

/**
 * Victims counted by sex and age group (under 14, 14–17, 18 and over), for the dashboard's
 * board and annual report and the coordination offices' figures: rescued, returned home, placed,
 * in training, employed. A woman is counted as a
 * woman (female, 18 and over) and never as a child: the counts come from the victims events
 * (`victims-rescued`, and the victim on placement and follow-up events), not from
 * `child-rescued`, except for events from before victims existed, whose one child the case's
 * remembered facts describe.
 */
export const VICTIM_MEASURES = ['rescued', 'returnedHome', 'placed', 'inTraining', 'employed'] as const;
export type VictimMeasure = (typeof VICTIM_MEASURES)[number];

/** The sexes of the contract, and an age group for a victim whose age no one could give. */
const SEXES = ['female', 'male', 'unknown'] as const satisfies readonly Sex[];
export const AGE_BUCKETS = [...AgeGroups, 'age-unknown'] as const;
export type AgeBucket = (typeof AGE_BUCKETS)[number];

/** How the reports name the age buckets. */
export const AGE_LABELS: Record<AgeBucket, string> = {
  'under-14': 'under 14',
  '14-17': '14–17',
  '18-and-over': '18 and over',
  'age-unknown': 'age unknown',
};

/** One flat counter per measure, sex and age bucket (`victims:rescued:female:18-and-over`). */
export const VICTIM_COUNTERS = VICTIM_MEASURES.flatMap((m) =>
  SEXES.flatMap((s) => AGE_BUCKETS.map((a) => `victims:${m}:${s}:${a}` as const)),
);
export type VictimCounter = (typeof VICTIM_COUNTERS)[number];

const key = (m: VictimMeasure, sex: string, group: AgeGroup | undefined): VictimCounter =>
  `victims:${m}:${(SEXES as readonly string[]).includes(sex) ? sex : 'unknown'}:${group ?? 'age-unknown'}` as VictimCounter;

/**
 * What the case's remembered facts keep of its one child, for events from before victims existed
 * (they name no victim): the sex and the days the child turns 14 and 18, which is all an age group
 * needs (no birth date is kept).
 */
export function legacyVictimRef(d: HomewardEvent<'homeward.case.opened'>['data']): Partial<Ref> {
  const victims = victimsOfOpening(d);
  const v = victims.length === 1 ? victims[0] : undefined;
  if (!v) return {};
  const at = d.openedAt;
  const age = victimAgeAt(v, at);
  if (age === undefined) return { victimSex: v.sex };
  // The day the age was taken on, moved by the years to each threshold.
  const base = v.birthDate ?? at.slice(0, 10);
  const years = v.birthDate ? 0 : age;
  const shift = (n: number) =>
    `${String(Number(base.slice(0, 4)) + n - years).padStart(4, '0')}${base.slice(4, 10)}`;
  return { victimSex: v.sex, turns14: shift(14), turns18: shift(18) };
}

/** The age group on a day of the case's remembered child, if its age is known. */
function legacyGroup(ref: Ref | undefined, at: string): AgeGroup | undefined {
  if (!ref?.turns14 || !ref.turns18) return undefined;
  const day = at.slice(0, 10);
  return day < ref.turns14 ? 'under-14' : day < ref.turns18 ? '14-17' : '18-and-over';
}

/** Whether counting an event's victim needs the case's remembered facts (an event from before victims). */
export function needsCaseRef(event: HomewardEvent): string | undefined {
  const d = event.data as Record<string, unknown>;
  if (
    (event.type === 'homeward.placement.decided' || event.type === 'homeward.followup.scheduled') &&
    d.victimId === undefined
  )
    return typeof d.caseId === 'string' ? d.caseId : undefined;
  return undefined;
}

/**
 * The victim counters one event adds. `caseRef` is the case's remembered facts (for
 * `child-rescued` the event's own ref, for placement events the one {@link needsCaseRef} names).
 */
export function victimCountsOf(
  event: HomewardEvent,
  caseRef: Ref | undefined,
): Partial<Record<VictimCounter, number>> {
  const out: Partial<Record<VictimCounter, number>> = {};
  const add = (m: VictimMeasure, sex: string, group: AgeGroup | undefined) => {
    const k = key(m, sex, group);
    out[k] = (out[k] ?? 0) + 1;
  };
  // biome-ignore lint/suspicious/noExplicitAny: each branch reads the fields its type's schema guarantees
  const d = event.data as Record<string, any>;
  /** The victim of a placement event: its own fields, or the case's remembered child. */
  const victimOf = (at: string): { sex: string; group: AgeGroup | undefined } | undefined => {
    if (d.victimId !== undefined) return { sex: d.sex ?? 'unknown', group: d.ageGroup };
    if (!caseRef?.victimSex) return undefined;
    return { sex: caseRef.victimSex, group: legacyGroup(caseRef, at) };
  };
  switch (event.type) {
    case 'homeward.case.victims-rescued':
      for (const v of d.victims as Array<{ sex: string; ageGroup?: AgeGroup }>)
        add('rescued', v.sex, v.ageGroup);
      break;
    case 'homeward.case.child-rescued':
      // With victimIds it is the twin of a victims-rescued, which counted them.
      if (d.victimIds === undefined && caseRef?.victimSex)
        add('rescued', caseRef.victimSex, legacyGroup(caseRef, d.rescuedAt));
      break;
    case 'homeward.placement.decided': {
      // A revision changes a decision already counted; only the first decision is a placement.
      const v = d.revision === 1 ? victimOf(d.decisionDate) : undefined;
      if (v) {
        add('placed', v.sex, v.group);
        if (d.type === 'return-to-family') add('returnedHome', v.sex, v.group);
      }
      break;
    }
    case 'homeward.followup.scheduled': {
      const v = d.type === 'vocational-training' ? victimOf(d.dueDate) : undefined;
      if (v) add('inTraining', v.sex, v.group);
      break;
    }
    case 'homeward.followup.completed':
      // Employment services end with the employer the victim took up work with.
      if (d.type === 'employment-services' && d.victimId !== undefined)
        add('employed', d.sex ?? 'unknown', d.ageGroup);
      break;
  }
  return out;
}

/** Victim counts as the board and the report show them: measure → sex → age bucket → count. */
export type VictimTable = Record<VictimMeasure, Record<(typeof SEXES)[number], Record<AgeBucket, number>>>;

/** Flat victim counters (as stored) laid out as a {@link VictimTable}, absent ones zero. */
export function victimTable(counts: Partial<Record<string, number | string>>): VictimTable {
  const table = {} as VictimTable;
  for (const m of VICTIM_MEASURES) {
    table[m] = {} as VictimTable[VictimMeasure];
    for (const s of SEXES) {
      table[m][s] = {} as Record<AgeBucket, number>;
      for (const a of AGE_BUCKETS) table[m][s][a] = Number(counts[`victims:${m}:${s}:${a}`] ?? 0);
    }
  }
  return table;
}
