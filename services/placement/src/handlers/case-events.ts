import type { EventType, HomewardEvent } from '@homeward/events';
import type { EventHandler } from '@homeward/messaging';
import type { RedisLocks } from '@homeward/service-kit';
import {
  type CaseFacts,
  emptyFacts,
  onCaseClosed,
  onCaseOpened,
  onChildLocated,
  onChildRescued,
} from '../domain/case-facts.ts';
import type { CaseStore } from '../store/case-store.ts';

/** What the projection handlers write with. */
export interface ProjectionDeps {
  store: CaseStore;
  locks: RedisLocks;
}

const ATTEMPTS = 8;

/**
 * Applies a pure projection step to a case's facts under the case's lease: read by `_id`,
 * apply, and write only if something changed (insert, or an update guarded by the version). A
 * redelivered or repeated event finds its facts recorded and writes nothing.
 */
export function applyToCase(
  { store, locks }: ProjectionDeps,
  caseId: string,
  step: (facts: CaseFacts) => CaseFacts | undefined,
): Promise<boolean> {
  return locks.withLock(caseId, () => applyLocked(store, caseId, step));
}

async function applyLocked(
  store: CaseStore,
  caseId: string,
  step: (facts: CaseFacts) => CaseFacts | undefined,
): Promise<boolean> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const doc = await store.get(caseId);
    const next = step(doc?.facts ?? emptyFacts());
    if (!next) return false;
    const written = doc
      ? await store.compareAndSet(caseId, doc.version, { facts: next })
      : await store.insert({ _id: caseId, facts: next, followups: [] });
    if (written) return true;
  }
  throw Object.assign(new Error(`case ${caseId} kept changing while its facts were written`), {
    retriable: true,
  });
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
    'homeward.case.closed': handler<'homeward.case.closed'>(deps, (e) => e.data.caseId, onCaseClosed),
  };
}
