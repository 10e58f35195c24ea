import type { EventType, HomewardEvent } from '@homeward/events';
import type { EventHandler } from '@homeward/messaging';
import {
  type CaseFacts,
  emptyFacts,
  onCaseClosed,
  onCaseOpened,
  onChildLocated,
  onChildRescued,
  onHouseholdRecorded,
  onVictimsAdded,
  onVictimsLocated,
  onVictimsRescued,
} from '../domain/case-facts.ts';
import type { CaseDoc, CaseStore } from '../store/case-store.ts';

/** What the projection handlers write with. */
export interface ProjectionDeps {
  store: CaseStore;
  /** Told of each case whose facts changed (the clocks' index). */
  onChange?: (doc: CaseDoc) => Promise<void>;
}

/**
 * Applies a pure projection step to a case's facts under the case's lease (an upsert: the case
 * is created by the first event that names it, whichever arrives first), writing only if
 * something changed. A redelivered or repeated event finds its facts recorded and writes nothing.
 */
export async function applyToCase(
  { store, onChange }: ProjectionDeps,
  caseId: string,
  step: (facts: CaseFacts) => CaseFacts | undefined,
): Promise<boolean> {
  const { changed, doc } = await store.cases.upsert(caseId, (current) => {
    const next = step(current?.facts ?? emptyFacts());
    if (!next) return null;
    return {
      doc: current
        ? { ...current, version: current.version + 1, facts: next }
        : { _id: caseId, version: 1, facts: next, followups: [] },
    };
  });
  if (changed && doc && onChange) await onChange(doc);
  return changed;
}

export function handler<T extends EventType>(
  deps: ProjectionDeps,
  caseIdOf: (e: HomewardEvent<T>) => string | undefined,
  step: (facts: CaseFacts, data: HomewardEvent<T>['data']) => CaseFacts | undefined,
): EventHandler<T> {
  return async (event, ctx) => {
    const caseId = caseIdOf(event);
    if (!caseId) {
      ctx.log.debug('event names no case; nothing to record');
      return;
    }
    const changed = await applyToCase(deps, caseId, (f) => step(f, event.data));
    ctx.log.debug({ caseId, changed }, 'case facts applied');
  };
}

/** The handlers of `case.events.v1`, one per consumed type. */
export function caseEventHandlers(deps: ProjectionDeps) {
  return {
    'homeward.case.opened': handler<'homeward.case.opened'>(deps, (e) => e.data.caseId, onCaseOpened),
    'homeward.case.child-located': handler<'homeward.case.child-located'>(
      deps,
      (e) => e.data.caseId,
      onChildLocated,
    ),
    'homeward.case.child-rescued': handler<'homeward.case.child-rescued'>(
      deps,
      (e) => e.data.caseId,
      onChildRescued,
    ),
    'homeward.case.household-recorded': handler<'homeward.case.household-recorded'>(
      deps,
      (e) => e.data.caseId,
      onHouseholdRecorded,
    ),
    'homeward.case.closed': handler<'homeward.case.closed'>(deps, (e) => e.data.caseId, onCaseClosed),
    'homeward.case.victims-added': handler<'homeward.case.victims-added'>(
      deps,
      (e) => e.data.caseId,
      (f, d) => onVictimsAdded(d.caseId, f, d),
    ),
    'homeward.case.victims-located': handler<'homeward.case.victims-located'>(
      deps,
      (e) => e.data.caseId,
      (f, d) => onVictimsLocated(d.caseId, f, d),
    ),
    'homeward.case.victims-rescued': handler<'homeward.case.victims-rescued'>(
      deps,
      (e) => e.data.caseId,
      (f, d) => onVictimsRescued(d.caseId, f, d),
    ),
  };
}
