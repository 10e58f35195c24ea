import { createEvent } from '@homeward/events';
import { MemoryPersistence } from '@homeward/persistence';
import { describe, expect, it } from 'vitest';
import { SOURCE } from '../../src/domain/unit-alert.ts';
import { type AlertDoc, DeliveryStore } from '../../src/store/delivery-store.ts';
import { type UnitDoc, UnitStore } from '../../src/store/unit-store.ts';

const unit = (id: string): UnitDoc => ({
  _id: id,
  name: `Unit ${id}`,
  kind: 'police-station',
  location: { lat: 31.8, lon: 117.29 },
  region: '340104',
  agencyId: id,
  webhook: { url: `http://127.0.0.1:9/u/${id}`, secret: 'a-secret-of-24-characters' },
  createdAt: new Date('2026-11-28T08:00:00Z'),
  updatedAt: new Date('2026-11-28T08:00:00Z'),
});

const alert = (id: string): AlertDoc => ({
  _id: id,
  caseId: `case-${id}`,
  issuedAt: new Date('2026-11-28T08:00:00Z'),
  view: {} as AlertDoc['view'],
  step: 0,
  radiusKm: 100,
  center: { lat: 31.8, lon: 117.29 },
  status: 'active',
});

/** Only `recordDeliveries` writes to the database directly; these tests never call it. */
const noDb = {
  collection: () => {
    throw new Error('no database in unit tests');
  },
};

describe('UnitStore', () => {
  it('counts registrations and removals in the registry meta, also when they race', async () => {
    const units = new UnitStore(new MemoryPersistence());
    expect(await units.readMeta()).toEqual({ _id: 'units', generation: 0, count: 0 });
    expect((await units.put(unit('a'))).created).toBe(true);
    const again = await units.put({ ...unit('a'), name: 'renamed' });
    expect(again).toEqual({ created: false, meta: { _id: 'units', generation: 2, count: 1 } });
    expect((await units.find('a'))?.name).toBe('renamed');
    await Promise.all(Array.from({ length: 20 }, (_, i) => units.put(unit(`u${i}`))));
    expect(await units.readMeta()).toMatchObject({ generation: 22, count: 21 });
    expect(await units.remove('a', new Date())).toMatchObject({ generation: 23, count: 20 });
    expect(await units.remove('a', new Date())).toBeNull();
    expect((await units.all()).map((u) => u._id).sort()).toHaveLength(20);
  });
});

describe('UnitStore: the unit events', () => {
  const at = (t: string) => new Date(`2026-11-28T${t}:00Z`);

  it('publishes one event per registration, change of place and removal, in the unit’s own write', async () => {
    const p = new MemoryPersistence();
    const units = new UnitStore(p);
    await units.put(unit('a'));
    expect(p.outbox.published.map((e) => [e.type, e.subject, e.data])).toEqual([
      [
        'homeward.notification.unit-registered',
        'a',
        {
          unitId: 'a',
          kind: 'police-station',
          region: '340104',
          location: { lat: 31.8, lon: 117.29 },
          registeredAt: '2026-11-28T08:00:00.000Z',
        },
      ],
    ]);
    // The same registration again, a new name, a new webhook, a new agency: nothing to publish.
    await units.put({ ...unit('a'), updatedAt: at('09:00') });
    await units.put({
      ...unit('a'),
      name: 'renamed',
      agencyId: 'other',
      webhook: { url: 'http://127.0.0.1:9/elsewhere', secret: 'another-secret-of-24-chars' },
      updatedAt: at('09:10'),
    });
    expect(p.outbox.published).toHaveLength(1);
    // A move (or a new kind, or region): the whole new place.
    await units.put({
      ...unit('a'),
      kind: 'hospital',
      location: { lat: 31.9, lon: 117.3 },
      updatedAt: at('10:00'),
    });
    expect(p.outbox.ofType('homeward.notification.unit-updated').map((e) => e.data)).toEqual([
      {
        unitId: 'a',
        kind: 'hospital',
        region: '340104',
        location: { lat: 31.9, lon: 117.3 },
        updatedAt: '2026-11-28T10:00:00.000Z',
      },
    ]);
    await units.remove('a', at('11:00'));
    await units.remove('a', at('11:05'));
    expect(p.outbox.ofType('homeward.notification.unit-removed').map((e) => e.data)).toEqual([
      { unitId: 'a', region: '340104', removedAt: '2026-11-28T11:00:00.000Z' },
    ]);
    // Registered again after its removal: a new unit, with a new registration.
    expect((await units.put({ ...unit('a'), updatedAt: at('12:00') })).created).toBe(true);
    expect(p.outbox.published.map((e) => e.type)).toEqual([
      'homeward.notification.unit-registered',
      'homeward.notification.unit-updated',
      'homeward.notification.unit-removed',
      'homeward.notification.unit-registered',
    ]);
    // No event carries a name, a webhook, a secret or an agency.
    for (const e of p.outbox.published)
      expect(JSON.stringify(e.data)).not.toMatch(/Unit a|renamed|webhook|secret|127\.0\.0\.1|agency/);
  });

  it('keeps no webhook of a removed unit, and finds and lists only registered units', async () => {
    const units = new UnitStore(new MemoryPersistence());
    await units.put(unit('a'));
    await units.put(unit('b'));
    await units.remove('a', at('11:00'));
    expect(await units.find('a')).toBeNull();
    expect((await units.all()).map((u) => u._id)).toEqual(['b']);
    expect(await units.readMeta()).toMatchObject({ count: 1 });
  });
});

describe('DeliveryStore', () => {
  it('keeps the first issue, moves steps only forward, cancels once, and ignores unknown alerts', async () => {
    const store = new DeliveryStore(new MemoryPersistence(), noDb);
    expect(await store.recordIssued(alert('al-1'))).toMatchObject({ alert: { step: 0 }, inserted: true });
    expect(await store.recordIssued({ ...alert('al-1'), radiusKm: 999 })).toMatchObject({
      alert: { radiusKm: 100 },
      inserted: false,
    });
    await store.recordEscalated('al-1', 2, 300, { lat: 1, lon: 2 });
    await store.recordEscalated('al-1', 1, 200, { lat: 3, lon: 4 });
    expect(await store.findAlert('al-1')).toMatchObject({
      step: 2,
      radiusKm: 300,
      center: { lat: 1, lon: 2 },
    });
    await store.markStarted('al-1', 'alert');
    await store.markStarted('al-1', 'cancellation');
    expect((await store.findAlert('al-1'))?.started).toEqual({ alert: true, cancellation: true });
    const at = new Date('2026-11-28T09:00:00Z');
    await store.recordCancelled('al-1', at, 'child-found');
    await store.recordCancelled('al-1', new Date('2026-11-28T10:00:00Z'), 'other');
    expect(await store.findAlert('al-1')).toMatchObject({
      status: 'cancelled',
      cancelledAt: at,
      reason: 'child-found',
    });

    await store.recordEscalated('nope', 1, 200, { lat: 0, lon: 0 });
    await store.recordCancelled('nope', at, 'x');
    await store.markStarted('nope', 'alert');
    expect(await store.findAlert('nope')).toBeNull();
  });

  it('stores an acknowledgement once, with its event published once', async () => {
    const persistence = new MemoryPersistence();
    const store = new DeliveryStore(persistence, noDb);
    const acknowledgedAt = new Date('2026-11-28T08:05:00Z');
    const event = createEvent(
      'homeward.notification.acknowledged',
      { alertId: 'al-1', unitId: 'u-1', acknowledgedAt: acknowledgedAt.toISOString() },
      { source: SOURCE, subject: 'al-1', id: 'al-1.ack.u-1', time: acknowledgedAt },
    );
    const doc = { _id: 'al-1/u-1', alertId: 'al-1', unitId: 'u-1', agencyId: 'u-1', acknowledgedAt };
    expect(await store.insertAck(doc, event)).toBe(true);
    expect(await store.insertAck({ ...doc, agencyId: 'other' }, event)).toBe(false);
    expect(await store.findAck('al-1', 'u-1')).toEqual(doc);
    expect(await store.acksOf('al-1')).toEqual([doc]);
    expect(persistence.outbox.ofType('homeward.notification.acknowledged').map((e) => e.id)).toEqual([
      'al-1.ack.u-1',
    ]);
  });
});
