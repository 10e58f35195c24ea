import type { DeadLetterMessage } from '@homeward/messaging';
import type { Logger } from '@homeward/service-kit';
import { historyOps } from '../domain/live-ops.ts';
import { refusedReportView } from '../domain/refused-report.ts';
import type { LiveStore } from '../store/live-store.ts';

/**
 * Projects one dead letter of `agency.reports.v1.dlq`: intake's refusal of a report becomes a
 * `homeward.report.refused` entry in the history (and its counters), once per report (a
 * redelivered letter, or intake refusing the same report again, adds nothing). Other dead
 * letters (the dashboard's own) are passed over.
 */
export function projectRefusedReport(deps: { live: LiveStore; historyMaxLen: number; log: Logger }) {
  return async (letter: DeadLetterMessage): Promise<void> => {
    const view = refusedReportView(letter);
    if (!view) return;
    const counted = await deps.live.project(
      `refused|${view.source}|${view.id}`,
      historyOps(view, deps.live.keys, deps.historyMaxLen),
    );
    deps.log.debug(
      { counted, reportId: view.id, code: (view.data as { code?: string }).code },
      'refused report projected',
    );
  };
}
