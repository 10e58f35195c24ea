import { describe, expect, it } from 'vitest';
import { actorOf, byOf, nextVersion, runningAlert, timelineEntry } from '../../src/domain/case.ts';
import { cancelCaseAlert, issueCaseAlert } from '../../src/domain/case-alerts.ts';
import { alertEventIds, alertIdFor, caseEventId, caseIdOfAlert, SOURCE } from '../../src/domain/ids.ts';
import { type CaseAction, CaseStatuses, transition } from '../../src/domain/lifecycle.ts';
import { at, H, MIN, openCase, police, policy } from './fixtures.ts';

describe('ids', () => {
  it('an alert id names its case: parsed back, whatever the case id holds', () => {
    expect(alertIdFor('case-1', 3)).toBe('case-1.alert-3');
    expect(caseIdOfAlert('case-1.alert-3')).toBe('case-1');
    expect(caseIdOfAlert('a.alert-1.b.alert-12')).toBe('a.alert-1.b');
    for (const id of [
      'case-1',
      'case-1.alert-',
      'case-1.alert-0',
      'case-1.alert-01',
      '.alert-1',
      'case-1.alert-1x',
      'x case-1.alert-x',
      // A line break: the case id is everything before the last .alert-<n>, from the start.
      'a\nb.alert-1',
    ])
      expect(caseIdOfAlert(id), id).toBeNull();
  });

  it('event ids a retry recomputes', () => {
    expect(SOURCE).toBe('homeward/rescue-coordination');
    expect(alertEventIds.issued('c.alert-1')).toBe('c.alert-1.issued');
    expect(alertEventIds.step('c.alert-1', 2)).toBe('c.alert-1.step-2');
    expect(alertEventIds.cancelled('c.alert-1')).toBe('c.alert-1.cancelled');
    expect(caseEventId('c', 'closed', 7)).toBe('c.closed.v7');
  });
});

describe('the case document', () => {
  it('each write is the next version, touched at its time', () => {
    const doc = openCase();
    const next = nextVersion(doc, at(H), { status: 'searching' });
    expect(next).toEqual({ ...doc, status: 'searching', version: 2, updatedAt: at(H) });
    expect(doc.version).toBe(1);
  });

  it('searches with its active alert only while that alert runs', () => {
    const doc = openCase();
    expect(runningAlert(doc)).toBeUndefined();
    const searching = issueCaseAlert(doc, policy, at(5 * MIN)).doc;
    expect(runningAlert(searching)?.alertId).toBe('case-1.alert-1');
    const cancelled = cancelCaseAlert(searching, 'case-1.alert-1', { reason: 'hoax' }, police, at(H)).doc;
    expect(runningAlert(cancelled)).toBeUndefined();
    const again = issueCaseAlert(cancelled, policy, at(2 * H)).doc;
    expect(runningAlert(again)?.alertId).toBe('case-1.alert-2');
    // A pointer at an alert that ended does not make it run.
    expect(runningAlert({ ...cancelled, activeAlertId: 'case-1.alert-1' })).toBeUndefined();
  });

  it('records who acted without anything more than their agency and role (and region for events)', () => {
    const principal = { ...police, keyId: 'k-1' };
    expect(byOf(principal)).toEqual({ agencyId: 'hefei-psb', role: 'police' });
    expect(actorOf(principal)).toEqual({ agencyId: 'hefei-psb', role: 'police', region: '340100' });
    expect(timelineEntry({ type: 't', id: 'e' }, at(H), { a: 1 })).toEqual({
      at: at(H),
      type: 't',
      eventId: 'e',
      details: { a: 1 },
    });
  });
});

describe('the case lifecycle', () => {
  const allowed: Record<CaseAction, string[]> = {
    'assign-team': ['opened', 'searching', 'located', 'rescued'],
    'issue-alert': ['opened', 'searching'],
    locate: ['opened', 'searching'],
    rescue: ['opened', 'searching', 'located'],
    close: ['opened', 'searching', 'located', 'rescued'],
    'record-lead': ['opened', 'searching', 'located', 'rescued', 'closed'],
    'record-household': ['rescued', 'closed'],
    'record-victims': ['opened', 'searching', 'located', 'rescued'],
  };
  const leadsTo: Record<CaseAction, string | null> = {
    'assign-team': null,
    'issue-alert': 'searching',
    locate: 'located',
    rescue: 'rescued',
    close: 'closed',
    'record-lead': null,
    'record-household': null,
    'record-victims': null,
  };

  it('allows each action from exactly its statuses, leading where it should', () => {
    expect(CaseStatuses).toEqual(['opened', 'searching', 'located', 'rescued', 'closed']);
    for (const [action, from] of Object.entries(allowed) as Array<[CaseAction, string[]]>) {
      for (const status of CaseStatuses) {
        const t = transition(status, action);
        if (from.includes(status))
          expect(t, `${action} from ${status}`).toEqual({ ok: true, next: leadsTo[action] ?? status });
        else
          expect(t, `${action} from ${status}`).toEqual({
            ok: false,
            reason: `a case that is "${status}" cannot ${action.replace('-', ' ')}; allowed from: ${from.join(', ')}`,
          });
      }
    }
  });
});
