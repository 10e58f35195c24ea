import { createEvent, type HomewardEvent, type UnitKinds } from '@homeward/events';
import { SOURCE } from './unit-alert.ts';

/** The fields of a unit the unit events publish: where it is and what it is, nothing else. */
export interface UnitPlace {
  _id: string;
  kind: (typeof UnitKinds)[number];
  region: string;
  location: { lat: number; lon: number };
}

/** Whether two states of a unit differ in what the unit events publish. */
export function placeChanged(before: UnitPlace, after: UnitPlace): boolean {
  return (
    before.kind !== after.kind ||
    before.region !== after.region ||
    before.location.lat !== after.location.lat ||
    before.location.lon !== after.location.lon
  );
}

const place = (u: UnitPlace) => ({
  unitId: u._id,
  kind: u.kind,
  region: u.region,
  location: { lat: u.location.lat, lon: u.location.lon },
});

/**
 * The event of a registration: `unit-registered` for a new unit (or one removed before),
 * `unit-updated` when its kind, region or place changed, none otherwise (a new name, webhook or
 * agency is not published: maps need none of them, and the webhook is a secret).
 */
export function unitRegistrationEvents(
  before: UnitPlace | null,
  after: UnitPlace,
  at: Date,
): HomewardEvent[] {
  if (before === null)
    return [
      createEvent(
        'homeward.notification.unit-registered',
        { ...place(after), registeredAt: at.toISOString() },
        { source: SOURCE, subject: after._id, time: at },
      ),
    ];
  if (!placeChanged(before, after)) return [];
  return [
    createEvent(
      'homeward.notification.unit-updated',
      { ...place(after), updatedAt: at.toISOString() },
      { source: SOURCE, subject: after._id, time: at },
    ),
  ];
}

/** The event of a removal: the unit's id and the region it was in (for scope), nothing else. */
export function unitRemovedEvent(unit: { _id: string; region: string }, at: Date): HomewardEvent {
  return createEvent(
    'homeward.notification.unit-removed',
    { unitId: unit._id, region: unit.region, removedAt: at.toISOString() },
    { source: SOURCE, subject: unit._id, time: at },
  );
}
