import { describe, expect, it } from 'vitest';
import type { CaseDoc } from '../../src/domain/case.ts';
import {
  alertOf,
  cancelCaseAlert,
  escalateCaseAlert,
  issueCaseAlert,
  moveAlertCentre,
} from '../../src/domain/case-alerts.ts';
import { addLead, newLead } from '../../src/domain/case-leads.ts';
import { locate } from '../../src/domain/case-recovery.ts';
import { parseEscalationPolicy } from '../../src/domain/escalation-policy.ts';
import { at, by, H, leadEvent, MIN, openCase, police, policy } from './fixtures.ts';

// The case's alerts as case decisions (domain/case-alerts.ts): issued, cancelled, moved, escalated.

const code = (c: string) => expect.objectContaining({ code: c });
/** A case searching with alert 1, issued at 07:55. */
const searching = (): CaseDoc => issueCaseAlert(openCase(), policy, at(5 * MIN)).doc;

describe('issuing the alert', () => {
  it('one write: the case searches with alert 1 and alert.issued goes with it', () => {
    const d = issueCaseAlert(openCase(), policy, at(10 * MIN));
    expect(d.doc).toMatchObject({ status: 'searching', activeAlertId: 'case-1.alert-1', version: 2 });
    expect(d.doc.alerts).toEqual([d.result]);
    expect(d.result).toMatchObject({ alertId: 'case-1.alert-1', status: 'active', radiusKm: 100 });
    expect(d.events.map((e) => e.id)).toEqual(['case-1.alert-1.issued']);
  });

  it('a second while one runs is 409; after it ended, the next is alert 2', () => {
    const doc = searching();
    expect(() => issueCaseAlert(doc, policy, at(20 * MIN))).toThrow(
      expect.objectContaining({
        code: 'RESCUE_ERR_ALERT_ACTIVE',
        message: expect.stringContaining('case-1.alert-1'),
      }),
    );
    const cancelled = cancelCaseAlert(
      doc,
      'case-1.alert-1',
      { reason: 'withdrawn' },
      police,
      at(20 * MIN),
    ).doc;
    const again = issueCaseAlert(cancelled, policy, at(30 * MIN));
    expect(again.result.alertId).toBe('case-1.alert-2');
    expect(again.doc.alerts.map((a) => [a.alertId, a.status])).toEqual([
      ['case-1.alert-1', 'cancelled'],
      ['case-1.alert-2', 'active'],
    ]);
  });

  it('is for a missing child only (422), and not once the child is located (409)', () => {
    expect(() => issueCaseAlert(openCase({ kind: 'suspected-trafficking' }), policy, at(H))).toThrow(
      expect.objectContaining({
        code: 'RESCUE_ERR_ALERT_NOT_APPLICABLE',
        status: 422,
        message: expect.stringContaining('"suspected-trafficking"'),
      }),
    );
    const located = locate(openCase(), { place: 'x' }, police, at(H)).doc;
    expect(() => issueCaseAlert(located, policy, at(2 * H))).toThrow(code('RESCUE_ERR_INVALID_TRANSITION'));
    // The case's kind and its report's kind must both be a missing child.
    const trafficking = openCase({ kind: 'suspected-trafficking' });
    const mismatched = [
      { ...openCase(), report: trafficking.report },
      { ...trafficking, report: openCase().report },
    ];
    for (const doc of mismatched)
      expect(() => issueCaseAlert(doc, policy, at(H))).toThrow(code('RESCUE_ERR_ALERT_NOT_APPLICABLE'));
  });
});

describe("police on a case's alert", () => {
  it('cancel: the alert ends, the case stops searching with it, the officer recorded', () => {
    const d = cancelCaseAlert(searching(), 'case-1.alert-1', { reason: 'hoax', note: 'lied' }, police, at(H));
    expect(d.doc).toMatchObject({ activeAlertId: null, status: 'searching', version: 3 });
    expect(d.result).toMatchObject({ status: 'cancelled', cancelled: { reason: 'hoax', note: 'lied' } });
    expect(d.doc.alerts).toEqual([d.result]);
    expect(d.result.history.at(-1)?.by).toEqual(by);
    expect(d.events.map((e) => e.id)).toEqual(['case-1.alert-1.cancelled']);
  });

  it('an unknown alert is 404; an ended one 409', () => {
    expect(() => cancelCaseAlert(searching(), 'case-1.alert-9', { reason: 'hoax' }, police, at(H))).toThrow(
      expect.objectContaining({
        code: 'RESCUE_ERR_ALERT_NOT_FOUND',
        status: 404,
        message: expect.stringContaining('case-1.alert-9'),
      }),
    );
    const cancelled = cancelCaseAlert(searching(), 'case-1.alert-1', { reason: 'hoax' }, police, at(H)).doc;
    expect(() => cancelCaseAlert(cancelled, 'case-1.alert-1', { reason: 'hoax' }, police, at(H))).toThrow(
      code('RESCUE_ERR_ALERT_ENDED'),
    );
  });

  it('move the centre to a lead: same radius, next step, the case still searching with it', () => {
    const added = addLead(searching(), newLead(leadEvent()), at(40 * MIN))!;
    const withLead = added.doc;
    const lead = added.result;
    const d = moveAlertCentre(withLead, 'case-1.alert-1', 'lead-1', lead, police, at(45 * MIN));
    expect(d.result).toMatchObject({ step: 1, radiusKm: 100, center: { lat: 31.85, lon: 117.2 } });
    expect(d.doc).toMatchObject({ activeAlertId: 'case-1.alert-1', version: withLead.version + 1 });
    expect(d.doc.alerts).toEqual([d.result]);
    expect(d.events.map((e) => e.id)).toEqual(['case-1.alert-1.step-1']);
  });

  it('move: an unknown lead is 404, an ended alert 409 (before the lead is looked at)', () => {
    expect(() => moveAlertCentre(searching(), 'case-1.alert-1', 'nope', null, police, at(H))).toThrow(
      expect.objectContaining({
        code: 'RESCUE_ERR_LEAD_NOT_FOUND',
        message: expect.stringContaining('"nope"'),
      }),
    );
    const cancelled = cancelCaseAlert(searching(), 'case-1.alert-1', { reason: 'hoax' }, police, at(H)).doc;
    // A lead of another case, or another lead than named, is not this case's lead.
    const other = addLead(openCase(), newLead(leadEvent('case-1', 'lead-1')), at(H))!.result;
    other.caseId = 'case-2';
    expect(() => moveAlertCentre(searching(), 'case-1.alert-1', 'lead-1', other, police, at(H))).toThrow(
      expect.objectContaining({ code: 'RESCUE_ERR_LEAD_NOT_FOUND' }),
    );
    const mine = addLead(openCase(), newLead(leadEvent('case-1', 'lead-1')), at(H))!.result;
    expect(() => moveAlertCentre(searching(), 'case-1.alert-1', 'lead-2', mine, police, at(H))).toThrow(
      expect.objectContaining({ code: 'RESCUE_ERR_LEAD_NOT_FOUND' }),
    );
    expect(() => moveAlertCentre(cancelled, 'case-1.alert-1', 'nope', null, police, at(H))).toThrow(
      expect.objectContaining({
        code: 'RESCUE_ERR_ALERT_ENDED',
        message: expect.stringContaining('case-1.alert-1'),
      }),
    );
  });

  it('alertOf finds an alert of the case', () => {
    const doc = searching();
    expect(alertOf(doc, 'case-1.alert-1')).toBe(doc.alerts[0]);
  });
});

describe('escalation in the case', () => {
  it('due: one write with alert.escalated, the next due time for the index', () => {
    const doc = searching();
    const plan = escalateCaseAlert(doc, 'case-1.alert-1', policy, at(H));
    expect(plan.outcome).toBe('escalated');
    expect(plan.nextDueAt).toEqual(at(2 * H));
    expect(plan.decision?.doc).toMatchObject({ version: 3, activeAlertId: 'case-1.alert-1' });
    expect(plan.decision?.doc.alerts[0]).toMatchObject({ step: 1, radiusKm: 200 });
    expect(plan.decision?.result).toBe(plan.decision?.doc.alerts[0]);
    expect(plan.decision?.events.map((e) => e.id)).toEqual(['case-1.alert-1.step-1']);
  });

  it('not due: nothing to write, due as before', () => {
    expect(escalateCaseAlert(searching(), 'case-1.alert-1', policy, at(H - 1))).toEqual({
      outcome: 'not-due',
      nextDueAt: at(H),
      decision: null,
    });
  });

  it('ended, unknown or on its last rung: nothing to write, out of the index', () => {
    const located = locate(searching(), { place: 'x' }, police, at(30 * MIN)).doc;
    for (const [doc, id, outcome] of [
      [located, 'case-1.alert-1', 'ended'],
      [searching(), 'case-1.alert-7', 'ended'],
      [issueCaseAlert(openCase(), policy, at(4 * H)).doc, 'case-1.alert-1', 'final'],
    ] as const) {
      expect(escalateCaseAlert(doc, id, policy, at(5 * H))).toEqual({
        outcome,
        nextDueAt: null,
        decision: null,
      });
    }
  });

  it('rescheduled by a changed policy: a write without events, the new due time', () => {
    const longer = parseEscalationPolicy('2h:100,*:200');
    const plan = escalateCaseAlert(searching(), 'case-1.alert-1', longer, at(H));
    expect(plan.outcome).toBe('rescheduled');
    expect(plan.nextDueAt).toEqual(at(2 * H));
    expect(plan.decision?.events).toEqual([]);
    expect(plan.decision?.doc.alerts[0]?.nextDueAt).toEqual(at(2 * H));
    expect(plan.decision?.doc.version).toBe(3);
    expect(plan.decision?.result.nextDueAt).toEqual(at(2 * H));
  });
});

describe('a case with several alerts', () => {
  it('changes only the alert it names, and moves the centre to the lead it names', () => {
    const first = cancelCaseAlert(
      searching(),
      'case-1.alert-1',
      { reason: 'withdrawn' },
      police,
      at(10 * MIN),
    );
    const second = issueCaseAlert(first.doc, policy, at(20 * MIN)).doc;
    const lead2 = newLead({
      ...leadEvent('case-1', 'lead-2'),
      data: {
        ...leadEvent('case-1', 'lead-2').data,
        seenAt: { at: '2026-11-28T08:40:00Z', place: 'Lu an', lat: 31.7, lon: 116.5, region: '341500' },
      },
    });
    const added = addLead(addLead(second, newLead(leadEvent('case-1', 'lead-1')), at(H))!.doc, lead2, at(H))!;
    const withLeads = added.doc;
    const moved = moveAlertCentre(withLeads, 'case-1.alert-2', 'lead-2', added.result, police, at(H));
    expect(moved.result.center).toEqual({ lat: 31.7, lon: 116.5 });
    expect(moved.doc.alerts[0]).toEqual(first.result);
    const cancelled = cancelCaseAlert(withLeads, 'case-1.alert-2', { reason: 'hoax' }, police, at(H));
    expect(cancelled.doc.alerts.map((a) => [a.alertId, a.status, a.cancelled?.reason])).toEqual([
      ['case-1.alert-1', 'cancelled', 'withdrawn'],
      ['case-1.alert-2', 'cancelled', 'hoax'],
    ]);
  });
});
