import { describe, expect, it } from 'vitest';
import { EventCatalogue, mayCarry, PersonalDataKinds, validateEventData } from '../../src/index.ts';

// Notification events name their alert's case and region (optional fields added within v1), so
// a consumer places one without having seen the alert: the alert and its notifications travel on
// two topics with no order between them.

const outcomes = {
  'homeward.notification.delivered': {
    alertId: 'al-1',
    unitId: 'unit-1',
    step: 0,
    kind: 'alert',
    deliveredAt: '2026-03-01T09:05:01+08:00',
    attempts: 1,
    latencyMs: 40,
  },
  'homeward.notification.acknowledged': {
    alertId: 'al-1',
    unitId: 'unit-1',
    acknowledgedAt: '2026-03-01T09:06:00+08:00',
  },
  'homeward.notification.failed': {
    alertId: 'al-1',
    unitId: 'unit-1',
    step: 0,
    kind: 'alert',
    failedAt: '2026-03-01T09:05:30+08:00',
    attempts: 3,
    reason: 'http-5xx',
  },
} as const;
const types = Object.keys(outcomes) as Array<keyof typeof outcomes>;

describe('the case and region of notification events', () => {
  it.each(types)('%s: accepted with them, and still without them (events published before)', (type) => {
    expect(validateEventData(type, { ...outcomes[type], caseId: 'case-1', region: '340104' })).toEqual([]);
    expect(validateEventData(type, outcomes[type])).toEqual([]);
  });

  it.each(types)('%s: a case id or region that is not one is refused', (type) => {
    expect(validateEventData(type, { ...outcomes[type], caseId: '', region: '34010' })).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: '/data/caseId' }),
        expect.objectContaining({ field: '/data/region' }),
      ]),
    );
  });

  it.each(types)(
    '%s: optional in the schema, so the change is compatible within the topic version',
    (type) => {
      const schema = EventCatalogue[type].data as {
        required?: string[];
        properties: Record<string, unknown>;
      };
      expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['caseId', 'region']));
      expect(schema.required).not.toContain('caseId');
      expect(schema.required).not.toContain('region');
    },
  );

  it.each(types)('%s: references only, no personal data', (type) => {
    for (const kind of PersonalDataKinds) expect(mayCarry(type, kind)).toBe(false);
  });
});
