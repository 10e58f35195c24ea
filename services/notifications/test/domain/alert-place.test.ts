import { validateEvent } from '@homeward/events';
import { describe, expect, it } from 'vitest';
import { type Outcome, outcomeEvent } from '../../src/delivery/outcome-batcher.ts';
import { placeOfIssued, placeOfStored } from '../../src/domain/alert-place.ts';

const outcome = (ok: boolean, extra: Partial<Outcome> = {}): Outcome => ({
  alertId: 'al-1',
  unitId: 'unit-1',
  kind: 'alert',
  step: 0,
  ok,
  attempts: 1,
  latencyMs: 12.4,
  at: Date.parse('2026-03-01T01:05:01Z'),
  ...(ok ? {} : { reason: 'http-5xx' }),
  ...extra,
});

describe('the place of an alert, on its notification events', () => {
  it('is the issued alert’s case and region', () => {
    expect(placeOfIssued({ caseId: 'case-1', region: '341502' })).toEqual({
      caseId: 'case-1',
      region: '341502',
    });
  });

  it('is read from a stored alert, and a field it lacks is left out, not made up', () => {
    expect(placeOfStored({ caseId: 'case-1', view: { region: '341502' } })).toEqual({
      caseId: 'case-1',
      region: '341502',
    });
    expect(placeOfStored({ view: { region: '341502' } })).toEqual({ region: '341502' });
    expect(placeOfStored({ caseId: 'case-1' })).toEqual({ caseId: 'case-1' });
    expect(placeOfStored({ caseId: '', view: {} })).toEqual({});
  });

  it.each([true, false])('rides on the outcome event (delivered: %s), which stays valid', (ok) => {
    const e = outcomeEvent(outcome(ok, { place: { caseId: 'case-1', region: '341502' } }));
    expect(e.type).toBe(ok ? 'homeward.notification.delivered' : 'homeward.notification.failed');
    expect(e.data).toMatchObject({ alertId: 'al-1', caseId: 'case-1', region: '341502' });
    expect(validateEvent(e)).toEqual([]);
  });

  it('is absent from an outcome that has none (the event is what it was before)', () => {
    const e = outcomeEvent(outcome(true));
    expect(Object.keys(e.data as object)).not.toContain('caseId');
    expect(Object.keys(e.data as object)).not.toContain('region');
    expect(validateEvent(e)).toEqual([]);
  });
});
