/**
 * The case lifecycle: opened → searching (an alert is out) → located → rescued → closed.
 * `searching` may be skipped (a child rescued in a raid was never searched for), `located`
 * may be skipped (rescued at once), and any open case may be closed. Nothing goes backwards.
 */
export const CaseStatuses = ['opened', 'searching', 'located', 'rescued', 'closed'] as const;
export type CaseStatus = (typeof CaseStatuses)[number];

export type CaseAction =
  | 'assign-team'
  | 'issue-alert'
  | 'locate'
  | 'rescue'
  | 'close'
  | 'record-lead'
  | 'record-household'
  | 'record-victims';

const ALLOWED: Record<CaseAction, readonly CaseStatus[]> = {
  'assign-team': ['opened', 'searching', 'located', 'rescued'],
  'issue-alert': ['opened', 'searching'],
  locate: ['opened', 'searching'],
  rescue: ['opened', 'searching', 'located'],
  close: ['opened', 'searching', 'located', 'rescued'],
  'record-lead': ['opened', 'searching', 'located', 'rescued', 'closed'],
  'record-household': ['rescued', 'closed'],
  'record-victims': ['opened', 'searching', 'located', 'rescued'],
};

const NEXT: Partial<Record<CaseAction, CaseStatus>> = {
  'issue-alert': 'searching',
  locate: 'located',
  rescue: 'rescued',
  close: 'closed',
};

export type Transition = { ok: true; next: CaseStatus } | { ok: false; reason: string };

/** Whether `action` may happen to a case in `status`, and the status it leads to. */
export function transition(status: CaseStatus, action: CaseAction): Transition {
  if (!ALLOWED[action].includes(status)) {
    return {
      ok: false,
      reason: `a case that is "${status}" cannot ${action.replace('-', ' ')}; allowed from: ${ALLOWED[action].join(', ')}`,
    };
  }
  return { ok: true, next: NEXT[action] ?? status };
}
