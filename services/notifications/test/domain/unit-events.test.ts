import { UnitKinds } from '@homeward/events';
import { describe, expect, it } from 'vitest';
import {
  placeChanged,
  type UnitPlace,
  unitRegistrationEvents,
  unitRemovedEvent,
} from '../../src/domain/unit-events.ts';

const at = new Date('2026-11-28T08:00:00Z');
const unit: UnitPlace = {
  _id: 'unit-1',
  kind: UnitKinds[0],
  region: '340104',
  location: { lat: 31.8, lon: 117.2 },
};
const place = { unitId: 'unit-1', kind: UnitKinds[0], region: '340104', location: { lat: 31.8, lon: 117.2 } };
const envelope = { source: 'homeward/notifications', subject: 'unit-1', time: at.toISOString() };

describe('unit events', () => {
  it('registers a new unit with its place only (no name, webhook or agency), dated and addressed', () => {
    // A stored unit carries more than its place: none of it is published.
    const stored = {
      ...unit,
      name: 'Shushan patrol',
      webhook: 'https://units.example.org/hook',
      agencyId: 'a',
    };
    const [event, ...more] = unitRegistrationEvents(null, stored, at);
    expect(more).toEqual([]);
    expect(event).toMatchObject({ type: 'homeward.notification.unit-registered', ...envelope });
    expect(event!.data).toStrictEqual({ ...place, registeredAt: at.toISOString() });
  });

  it('publishes an update only when the kind, the region or the place changed, and then the new place', () => {
    const same = { ...unit, location: { ...unit.location } };
    expect(placeChanged(unit, same)).toBe(false);
    expect(unitRegistrationEvents(unit, same, at)).toEqual([]);
    const changes: UnitPlace[] = [
      { ...unit, kind: UnitKinds[1] },
      { ...unit, region: '340100' },
      { ...unit, location: { lat: 31.9, lon: 117.2 } },
      { ...unit, location: { lat: 31.8, lon: 117.3 } },
    ];
    for (const after of changes) {
      expect(placeChanged(unit, after)).toBe(true);
      const [event, ...more] = unitRegistrationEvents(unit, after, at);
      expect(more).toEqual([]);
      expect(event).toMatchObject({ type: 'homeward.notification.unit-updated', ...envelope });
      expect(event!.data).toStrictEqual({
        unitId: 'unit-1',
        kind: after.kind,
        region: after.region,
        location: after.location,
        updatedAt: at.toISOString(),
      });
    }
  });

  it('publishes a removal with the id and the region only', () => {
    const event = unitRemovedEvent({ _id: 'unit-1', region: '340104' }, at);
    expect(event).toMatchObject({ type: 'homeward.notification.unit-removed', ...envelope });
    expect(event.data).toStrictEqual({ unitId: 'unit-1', region: '340104', removedAt: at.toISOString() });
  });
});
