import type { Actor, EventData, HomewardEvent } from '@homeward/events';
import { Errors } from '../errors.ts';
import { actorOf, byOf, type CaseDoc, nextVersion, timelineEntry } from './case.ts';
import { endSearch } from './case-alerts.ts';
import { caseEvent, type Decision, step } from './case-plan.ts';
import { transition } from './lifecycle.ts';
import {
  markVictims,
  type NewVictim,
  newVictimErrors,
  newVictims,
  policeIdentified,
  tallyOf,
  type VictimRecord,
  type VictimStep,
  victimsFor,
  victimsOf,
} from './victims.ts';

// The case's victims found: located, rescued (each ending the running alert in the same write),
// and victims added later.

export type LocatedInput = Omit<EventData<'homeward.case.child-located'>, 'caseId' | 'locatedAt'> & {
  locatedAt?: string;
};
export type RescuedInput = Omit<EventData<'homeward.case.child-rescued'>, 'caseId' | 'rescuedAt'> & {
  rescuedAt?: string;
};

/**
 * The status an action on victims leads to, and the victims it is about. The first locate or
 * rescue moves the case as before; later ones, for victims not yet past the step (several
 * victims, each on its own path), leave a located or rescued case where it is, or move a
 * located one to rescued.
 */
function victimStep(
  doc: CaseDoc,
  action: 'locate' | 'rescue',
  ids: readonly string[] | undefined,
): VictimsStepped {
  const s: VictimStep = action === 'locate' ? 'located' : 'rescued';
  const chosen = victimsFor(doc, s, ids);
  const children = childIds(chosen);
  const t = transition(doc.status, action);
  if (t.ok) return { status: t.next, chosen, children };
  const later = action === 'locate' ? ['located', 'rescued'] : ['rescued'];
  if (later.includes(doc.status) && chosen.length > 0) return { status: doc.status, chosen, children };
  throw Errors.invalidTransition.error(t.reason);
}

/** The victims a locate or rescue is about, the children's ids among them, the status it leads to. */
interface VictimsStepped {
  status: CaseDoc['status'];
  chosen: VictimRecord[];
  children: string[];
}

/** The ids of the children among victims, for the events of consumers that know only children. */
const childIds = (vs: readonly VictimRecord[]) =>
  vs.filter((v) => v.category === 'child').map((v) => v.victimId);

/**
 * What locating and rescuing share: the victims' event when victims are chosen, then the
 * children's event when children are among them (or alone, on a case without victims); each
 * chosen victim marked; the running alert ended (found) in the same write; the timeline records
 * the first event.
 */
function recoveryDecision(
  doc: CaseDoc,
  stepped: VictimsStepped,
  made: {
    victimsEvent: () => HomewardEvent;
    childEvent: () => HomewardEvent;
    details: Record<string, unknown>;
    mark: (v: VictimRecord) => VictimRecord;
    /** The case's own record of the step (and what else it keeps), written beside the victims. */
    fields: Partial<CaseDoc>;
  },
  by: Actor,
  now: Date,
): Decision<true> {
  const { status, chosen, children } = stepped;
  const events: HomewardEvent[] = [];
  if (chosen.length > 0) events.push(made.victimsEvent());
  if (chosen.length === 0 || children.length > 0) events.push(made.childEvent());
  const search = endSearch(doc, now);
  return {
    doc: nextVersion(doc, now, {
      status,
      activeAlertId: null,
      alerts: search.alerts,
      victims: markVictims(victimsOf(doc), chosen, made.mark),
      ...made.fields,
      timeline: [...doc.timeline, timelineEntry(events[0]!, now, made.details, byOf(by))],
    }),
    events: [...events, ...search.events],
    result: true,
  };
}

/**
 * Victims were located (by default every one not located yet): `victims-located` names them;
 * when children are among them, `child-located` says so too (with their ids) for consumers that
 * know only children; a case without victims publishes `child-located` alone, as before. The
 * running alert ends (found) in the same write.
 */
export function locate(
  doc: CaseDoc,
  input: LocatedInput & { victimIds?: string[] },
  by: Actor,
  now: Date,
): Decision<true> {
  const { victimIds, ...rest } = input;
  const stepped = victimStep(doc, 'locate', victimIds);
  const { chosen, children } = stepped;
  const locatedAt = rest.locatedAt ?? now.toISOString();
  const data: EventData<'homeward.case.child-located'> = {
    ...rest,
    caseId: doc._id,
    locatedAt,
    ...(children.length > 0 ? { victimIds: children } : {}),
  };
  return recoveryDecision(
    doc,
    stepped,
    {
      victimsEvent: () =>
        caseEvent(
          'homeward.case.victims-located',
          {
            caseId: doc._id,
            locatedAt,
            place: rest.place,
            ...(rest.region ? { region: rest.region } : {}),
            victims: chosen.map((v) => tallyOf(v, locatedAt)),
            ...(rest.identification ? { identification: rest.identification } : {}),
          },
          doc,
          now,
        ),
      childEvent: () => caseEvent('homeward.case.child-located', data, doc, now),
      details: {
        place: data.place,
        locatedAt,
        identified: data.identification !== undefined,
        ...(chosen.length > 0 ? { victimIds: chosen.map((v) => v.victimId) } : {}),
      },
      mark: (v) =>
        policeIdentified(
          { ...v, located: { at: locatedAt, place: rest.place } },
          rest.identification,
          locatedAt,
        ),
      fields: { located: doc.located ?? { ...data, by: actorOf(by) } },
    },
    by,
    now,
  );
}

/**
 * Victims were rescued (by default every one not rescued yet), located before or not: as
 * {@link locate}, with `victims-rescued` (each victim's age group on the rescue day) and
 * `child-rescued` for the children; the buying household (or the statement that there is none,
 * or the current guardian's clearance) rides on both. A later rescue of further victims keeps
 * what it records about households beside the first rescue's (`householdRecords`).
 */
export function rescue(
  doc: CaseDoc,
  input: RescuedInput & { victimIds?: string[] },
  by: Actor,
  now: Date,
): Decision<true> {
  const { victimIds, ...rest } = input;
  const stepped = victimStep(doc, 'rescue', victimIds);
  const { chosen, children } = stepped;
  if (rest.buyerHousehold && rest.noBuyerHousehold)
    throw Errors.householdConflict.error(
      'a rescue records the buying household or states that there is none, not both',
      { errors: [{ field: '/noBuyerHousehold', message: 'excludes buyerHousehold' }] },
    );
  const rescuedAt = rest.rescuedAt ?? now.toISOString();
  const data: EventData<'homeward.case.child-rescued'> = {
    ...rest,
    caseId: doc._id,
    rescuedAt,
    ...(children.length > 0 ? { victimIds: children } : {}),
  };
  return recoveryDecision(
    doc,
    stepped,
    {
      victimsEvent: () =>
        caseEvent(
          'homeward.case.victims-rescued',
          {
            caseId: doc._id,
            rescuedAt,
            place: rest.place,
            region: rest.region,
            victims: chosen.map((v) => tallyOf(v, rescuedAt)),
            ...(rest.buyerHousehold ? { buyerHousehold: rest.buyerHousehold } : {}),
            ...(rest.noBuyerHousehold ? { noBuyerHousehold: rest.noBuyerHousehold } : {}),
            ...(rest.currentGuardianCleared ? { currentGuardianCleared: rest.currentGuardianCleared } : {}),
            ...(rest.identification ? { identification: rest.identification } : {}),
          },
          doc,
          now,
        ),
      childEvent: () => caseEvent('homeward.case.child-rescued', data, doc, now),
      details: {
        place: data.place,
        region: data.region,
        rescuedAt,
        buyerHouseholdRecorded: data.buyerHousehold !== undefined,
        noBuyerHouseholdStated: data.noBuyerHousehold !== undefined,
        currentGuardianCleared: data.currentGuardianCleared !== undefined,
        identified: data.identification !== undefined,
        ...(chosen.length > 0 ? { victimIds: chosen.map((v) => v.victimId) } : {}),
      },
      mark: (v) =>
        policeIdentified(
          { ...v, rescued: { at: rescuedAt, place: rest.place, region: rest.region } },
          rest.identification,
          rescuedAt,
        ),
      fields: {
        rescued: doc.rescued ?? { ...data, by: actorOf(by) },
        ...(doc.rescued && (data.buyerHousehold || data.noBuyerHousehold || data.currentGuardianCleared)
          ? { householdRecords: [...(doc.householdRecords ?? []), laterRescueRecord(data, by)] }
          : {}),
      },
    },
    by,
    now,
  );
}

/** What a later rescue records about households, kept as a household record of the case. */
function laterRescueRecord(
  data: EventData<'homeward.case.child-rescued'>,
  by: Actor,
): NonNullable<CaseDoc['householdRecords']>[number] {
  return {
    caseId: data.caseId,
    recordedAt: data.rescuedAt,
    ...(data.buyerHousehold ? { buyerHousehold: data.buyerHousehold } : {}),
    ...(data.noBuyerHousehold ? { noBuyerHousehold: data.noBuyerHousehold } : {}),
    ...(data.currentGuardianCleared ? { currentGuardianCleared: data.currentGuardianCleared } : {}),
    by: actorOf(by),
  };
}

/**
 * Police add victims found later, several in one action (a raid frees several people), each
 * numbered after the case's victims and judged child or adult on the day found. Not on a closed
 * case.
 */
export function addVictims(
  doc: CaseDoc,
  input: { victims: NewVictim[]; foundAt?: string },
  by: Actor,
  now: Date,
): Decision<VictimRecord[]> {
  step(doc, 'record-victims');
  const foundAt = input.foundAt ?? now.toISOString();
  const errors = newVictimErrors(input.victims, foundAt);
  if (errors.length > 0) throw Errors.victimsNotApplicable.error('a victim needs an age', { errors });
  const added = newVictims(doc, input.victims, foundAt, actorOf(by));
  const event = caseEvent(
    'homeward.case.victims-added',
    {
      caseId: doc._id,
      addedAt: foundAt,
      addedBy: actorOf(by),
      victims: added.map(({ addedAt: _a, addedBy: _b, ...v }) => v),
    },
    doc,
    now,
  );
  const details = { victimIds: added.map((v) => v.victimId) };
  return {
    doc: nextVersion(doc, now, {
      victims: [...victimsOf(doc), ...added],
      timeline: [...doc.timeline, timelineEntry(event, now, details, byOf(by))],
    }),
    events: [event],
    result: added,
  };
}
