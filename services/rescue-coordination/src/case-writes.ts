import type { AggregateStore } from '@homeward/persistence';
import type { DueIndex, Principal } from '@homeward/service-kit';
import { type CaseAccessAction, mayReach } from './domain/access.ts';
import type { AlertState } from './domain/alert-plan.ts';
import type { CaseDoc } from './domain/case.ts';
import type { Decision } from './domain/case-plan.ts';
import { Errors } from './errors.ts';

// How the application services write a case: one decision of domain/ on the current document,
// written with its events in one write under the case's lease (the store's `update`).

/** One change of a case: decide on the current document, one write with its events. */
export function changeCase<R>(
  cases: AggregateStore<CaseDoc>,
  caseId: string,
  decide: (doc: CaseDoc) => Decision<R> | null,
) {
  return cases.update(caseId, decide, {
    notFound: () => Errors.caseNotFound.error(`no case "${caseId}"`),
  });
}

/**
 * A caller's change of a case: as {@link changeCase}, but a case the caller does not reach for
 * `action` is refused as missing (404), checked under the lease on the document it changes.
 */
export function actOnCase<R>(
  cases: AggregateStore<CaseDoc>,
  caseId: string,
  by: Principal,
  action: CaseAccessAction,
  decide: (doc: CaseDoc) => Decision<R> | null,
) {
  return changeCase(cases, caseId, (doc) => {
    if (!mayReach(doc, by, action)) throw Errors.caseNotFound.error(`no case "${caseId}"`);
    return decide(doc);
  });
}

/** Keeps the alert index in step with an alert just written (MongoDB stays the truth). */
export async function keepScheduled(schedule: DueIndex, alert: AlertState): Promise<void> {
  await schedule.set(alert.alertId, alert.status === 'active' ? alert.nextDueAt : null);
}
