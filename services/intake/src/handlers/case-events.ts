import type { EventHandler } from '@homeward/messaging';
import type { ReportStore } from '../store/report-store.ts';

/**
 * Intake's view of cases, kept from `case.events.v1`: an opened case (its own events, which
 * also repairs a record a crash left unwritten) and a closed one, which frees the child's key
 * so that a later disappearance opens a new case.
 */
export function caseOpenedHandler(store: ReportStore): EventHandler<'homeward.case.opened'> {
  return async (event) => {
    const d = event.data;
    const childKey = (await store.findReport(d.reportId))?.childKey;
    await store.recordCaseOpened({
      _id: d.caseId,
      status: 'open',
      kind: d.kind,
      region: d.region,
      openedAt: new Date(d.openedAt),
      reportId: d.reportId,
      ...(childKey ? { childKey } : {}),
    });
  };
}

export function caseClosedHandler(store: ReportStore): EventHandler<'homeward.case.closed'> {
  return async (event) => {
    const closed = await store.closeCase(event.data.caseId, new Date(event.data.closedAt));
    if (closed?.childKey) await store.releaseChildKey(closed.childKey, closed._id);
  };
}
