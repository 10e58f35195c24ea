import { describe, expect, it } from 'vitest';
import { cancelAlert, escalateIfDue, issueAlert, moveCentre } from '../../src/domain/alert-plan.ts';
import { parseEscalationPolicy } from '../../src/domain/escalation-policy.ts';
import { at, by, H, MIN, policy, report, SEEN } from './fixtures.ts';

const issue = (elapsedMs: number) =>
  issueAlert({ caseId: 'case-1', ordinal: 2, report: report(), policy, now: at(elapsedMs) });

describe('issuing an alert', () => {
  it('is centred where the child was last seen, at the first rung, due when that rung ends', () => {
    const now = at(10 * MIN);
    const { alert, event } = issue(10 * MIN);
    expect(event).toMatchObject({
      id: 'case-1.alert-2.issued',
      type: 'homeward.alert.issued',
      source: 'homeward/rescue-coordination',
      subject: 'case-1.alert-2',
      time: now.toISOString(),
    });
    expect(event.data).toEqual({
      alertId: 'case-1.alert-2',
      caseId: 'case-1',
      issuedAt: now.toISOString(),
      lastSeenAt: SEEN.toISOString(),
      lastSeenPlace: 'Hefei South Station',
      center: { lat: 31.8, lon: 117.3 },
      region: '340104',
      radiusKm: 100,
      step: 0,
      child: {
        sex: 'male',
        birthDate: '2019-05-01',
        description: 'red jacket',
        photoUrl: 'https://photos.example.org/c/1.jpg',
      },
    });
    expect(alert).toEqual({
      alertId: 'case-1.alert-2',
      caseId: 'case-1',
      status: 'active',
      issuedAt: now,
      lastSeenAt: SEEN,
      lastSeenPlace: 'Hefei South Station',
      region: '340104',
      center: { lat: 31.8, lon: 117.3 },
      child: event.data.child,
      step: 0,
      rung: 0,
      radiusKm: 100,
      nextDueAt: at(H),
      history: [
        {
          at: now,
          type: 'homeward.alert.issued',
          eventId: 'case-1.alert-2.issued',
          step: 0,
          radiusKm: 100,
          center: { lat: 31.8, lon: 117.3 },
        },
      ],
    });
  });

  it('never carries the child name or the reporter', () => {
    expect(JSON.stringify(issue(0))).not.toMatch(/Li Xiaoming|Li Wei|138/);
  });

  it('issued late, starts at the rung its elapsed time calls for, that rung counted as its step', () => {
    const late = issue(150 * MIN).alert;
    expect(late).toMatchObject({ step: 2, rung: 2, radiusKm: 300, nextDueAt: at(3 * H) });
    expect(issue(150 * MIN).event.data).toMatchObject({ step: 2, radiusKm: 300 });
    expect(issue(4 * H).alert).toMatchObject({ step: 3, rung: 3, radiusKm: 500, nextDueAt: null });
  });
});

describe('escalating when due', () => {
  const issued = issue(10 * MIN).alert;

  it('is not due before its rung ends, to the millisecond', () => {
    expect(escalateIfDue(issued, policy, at(H - 1))).toEqual({ outcome: 'not-due', nextDueAt: at(H) });
  });

  it('widens to the next rung exactly when due: next step, previous radius, same centre', () => {
    const d = escalateIfDue(issued, policy, at(H));
    if (d.outcome !== 'escalated') throw new Error(d.outcome);
    const { alert, event } = d.change;
    expect(event).toMatchObject({
      id: 'case-1.alert-2.step-1',
      type: 'homeward.alert.escalated',
      source: 'homeward/rescue-coordination',
      subject: 'case-1.alert-2',
      time: at(H).toISOString(),
    });
    expect(event.data).toEqual({
      alertId: 'case-1.alert-2',
      caseId: 'case-1',
      escalatedAt: at(H).toISOString(),
      center: { lat: 31.8, lon: 117.3 },
      radiusKm: 200,
      previousRadiusKm: 100,
      step: 1,
    });
    expect(alert).toEqual({
      ...issued,
      step: 1,
      rung: 1,
      radiusKm: 200,
      nextDueAt: at(2 * H),
      history: [
        ...issued.history,
        {
          at: at(H),
          type: 'homeward.alert.escalated',
          eventId: 'case-1.alert-2.step-1',
          step: 1,
          radiusKm: 200,
          center: { lat: 31.8, lon: 117.3 },
        },
      ],
    });
    // The state given is left as it was.
    expect(issued.step).toBe(0);
    expect(issued.history).toHaveLength(1);
  });

  it('jumps straight to the rung the elapsed time calls for: one step, not one per missed rung', () => {
    const d = escalateIfDue(issued, policy, at(130 * MIN));
    if (d.outcome !== 'escalated') throw new Error(d.outcome);
    expect(d.change.alert).toMatchObject({ step: 1, rung: 2, radiusKm: 300, nextDueAt: at(3 * H) });
    expect(d.change.event.data).toMatchObject({ step: 1, radiusKm: 300, previousRadiusKm: 100 });
  });

  it('on the last rung, nothing is due any more', () => {
    const d = escalateIfDue(issued, policy, at(5 * H));
    if (d.outcome !== 'escalated') throw new Error(d.outcome);
    expect(d.change.alert).toMatchObject({ rung: 3, radiusKm: 500, nextDueAt: null });
    expect(escalateIfDue(d.change.alert, policy, at(50 * H))).toEqual({ outcome: 'final' });
  });

  it('an ended alert never widens', () => {
    const cancelled = cancelAlert(issued, { reason: 'found' }, at(20 * MIN)).alert;
    expect(escalateIfDue(cancelled, policy, at(5 * H))).toEqual({ outcome: 'ended' });
    // Even one whose due time was left behind.
    expect(escalateIfDue({ ...cancelled, nextDueAt: at(H) }, policy, at(5 * H))).toEqual({
      outcome: 'ended',
    });
  });

  it('due by an old schedule but not by the policy in force: only the due time moves', () => {
    const longer = parseEscalationPolicy('2h:100,3h:200,*:300');
    expect(escalateIfDue(issued, longer, at(H))).toEqual({
      outcome: 'rescheduled',
      alert: { ...issued, nextDueAt: at(2 * H) },
    });
    const single = parseEscalationPolicy('*:100');
    expect(escalateIfDue(issued, single, at(H))).toEqual({
      outcome: 'rescheduled',
      alert: { ...issued, nextDueAt: null },
    });
  });
});

describe('moving the centre', () => {
  const issued = issue(10 * MIN).alert;
  const lead = { leadId: 'lead-1', seenAt: { lat: 31.85, lon: 117.2, place: 'ignored' } };

  it('same radius, next step, the lead and the officer on the record; the schedule unchanged', () => {
    const { alert, event } = moveCentre(issued, lead, by, at(20 * MIN));
    expect(event).toMatchObject({ id: 'case-1.alert-2.step-1', time: at(20 * MIN).toISOString() });
    expect(event.data).toEqual({
      alertId: 'case-1.alert-2',
      caseId: 'case-1',
      escalatedAt: at(20 * MIN).toISOString(),
      center: { lat: 31.85, lon: 117.2 },
      radiusKm: 100,
      previousRadiusKm: 100,
      step: 1,
    });
    expect(alert).toEqual({
      ...issued,
      step: 1,
      center: { lat: 31.85, lon: 117.2 },
      history: [
        ...issued.history,
        {
          at: at(20 * MIN),
          type: 'homeward.alert.escalated',
          eventId: 'case-1.alert-2.step-1',
          step: 1,
          radiusKm: 100,
          center: { lat: 31.85, lon: 117.2 },
          leadId: 'lead-1',
          by,
        },
      ],
    });
  });

  it('a widening after a move keeps the moved centre and takes the step after it', () => {
    const moved = moveCentre(issued, lead, by, at(20 * MIN)).alert;
    const d = escalateIfDue(moved, policy, at(H));
    if (d.outcome !== 'escalated') throw new Error(d.outcome);
    expect(d.change.event.data).toMatchObject({ step: 2, center: { lat: 31.85, lon: 117.2 }, radiusKm: 200 });
  });

  it('an ended alert is not moved (409)', () => {
    const cancelled = cancelAlert(issued, { reason: 'hoax' }, at(20 * MIN)).alert;
    expect(() => moveCentre(cancelled, lead, by, at(30 * MIN))).toThrow(
      expect.objectContaining({
        code: 'RESCUE_ERR_ALERT_ENDED',
        status: 409,
        message: expect.stringContaining('case-1.alert-2'),
      }),
    );
  });
});

describe('cancelling', () => {
  const issued = issue(10 * MIN).alert;

  it('ends the alert with its reason and note, by the officer who said so', () => {
    const now = at(30 * MIN);
    const { alert, event } = cancelAlert(issued, { reason: 'hoax', note: 'the family lied', by }, now);
    expect(event).toMatchObject({
      id: 'case-1.alert-2.cancelled',
      type: 'homeward.alert.cancelled',
      source: 'homeward/rescue-coordination',
      subject: 'case-1.alert-2',
      time: now.toISOString(),
    });
    expect(event.data).toEqual({
      alertId: 'case-1.alert-2',
      caseId: 'case-1',
      cancelledAt: now.toISOString(),
      reason: 'hoax',
      note: 'the family lied',
    });
    expect(alert).toEqual({
      ...issued,
      status: 'cancelled',
      nextDueAt: null,
      cancelled: { at: now, reason: 'hoax', note: 'the family lied' },
      history: [
        ...issued.history,
        {
          at: now,
          type: 'homeward.alert.cancelled',
          eventId: 'case-1.alert-2.cancelled',
          reason: 'hoax',
          by,
        },
      ],
    });
  });

  it('without a note or an officer (the case ended it), neither is recorded', () => {
    const { alert, event } = cancelAlert(issued, { reason: 'found' }, at(30 * MIN));
    expect(event.data).not.toHaveProperty('note');
    expect(alert.cancelled).toEqual({ at: at(30 * MIN), reason: 'found' });
    expect(alert.history.at(-1)).not.toHaveProperty('by');
    expect(cancelAlert(issued, { reason: 'found', note: '' }, at(30 * MIN)).event.data).not.toHaveProperty(
      'note',
    );
  });

  it('an ended alert is not cancelled twice (409)', () => {
    const cancelled = cancelAlert(issued, { reason: 'found' }, at(30 * MIN)).alert;
    expect(() => cancelAlert(cancelled, { reason: 'hoax' }, at(40 * MIN))).toThrow(
      expect.objectContaining({
        code: 'RESCUE_ERR_ALERT_ENDED',
        message: expect.stringContaining('case-1.alert-2'),
      }),
    );
  });
});
