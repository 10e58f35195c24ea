import { UnitKinds } from '@homeward/events';
import type { AggregateStore, Persistence } from '@homeward/persistence';
import { unitRegistrationEvents, unitRemovedEvent } from '../domain/unit-events.ts';

/** The kinds of unit: the catalogue's, since the unit events carry them. */
export const UNIT_KINDS = UnitKinds;
export type UnitKind = (typeof UNIT_KINDS)[number];

/** A subscribed unit, as registered by an admin. MongoDB is its truth. */
export interface UnitDoc {
  _id: string;
  name: string;
  kind: UnitKind;
  location: { lat: number; lon: number };
  region: string;
  /** The agency whose `unit` keys act for this unit (acks, live channel); the unit id by default. */
  agencyId: string;
  webhook: { url: string; secret: string };
  createdAt: Date;
  updatedAt: Date;
}

/**
 * What is left of a removed unit: its id, region and event history (the outbox), never its
 * webhook. Removal is this one write, so the unit and its `unit-removed` event go together; a
 * later registration of the same id replaces it.
 */
export interface UnitTombstone {
  _id: string;
  region: string;
  createdAt: Date;
  updatedAt: Date;
  removedAt: Date;
}

type StoredUnit = UnitDoc | UnitTombstone;

const live = (u: StoredUnit | null): UnitDoc | null => (u && !('removedAt' in u) ? u : null);

/** The registry's generation and size, compared with the Redis index's to detect staleness. */
export interface RegistryMeta {
  _id: 'units';
  generation: number;
  count: number;
}

const NO_META: RegistryMeta = { _id: 'units', generation: 0, count: 0 };

/**
 * Units and their generation counter in MongoDB. Every lookup is by `_id`; a unit changes only
 * under its lease, and the counter under its own, so concurrent registrations never lose a
 * count (FerretDB's `$inc` would: it is an unisolated read-modify-write). A registration, an
 * update of its place and a removal each carry their event (`homeward.notification.unit-*`) in
 * the unit's own write (the outbox): what the map shows cannot drift from the registry.
 */
export class UnitStore {
  private readonly units: AggregateStore<StoredUnit>;
  private readonly meta: AggregateStore<RegistryMeta>;

  constructor(persistence: Persistence) {
    this.units = persistence.aggregate<StoredUnit>('units');
    this.meta = persistence.aggregate<RegistryMeta>('registry_meta');
  }

  /** A registered unit; null for one never registered or removed. */
  async find(unitId: string): Promise<UnitDoc | null> {
    return live(await this.units.get(unitId));
  }

  /**
   * Creates or replaces a unit, with `unit-registered` when it is new (or was removed) and
   * `unit-updated` when its kind, region or place changed; returns whether it was new and the
   * registry's new meta.
   */
  async put(doc: UnitDoc): Promise<{ created: boolean; meta: RegistryMeta }> {
    const { result } = await this.units.upsert<boolean>(doc._id, (stored) => {
      const current = live(stored);
      return { doc, events: unitRegistrationEvents(current, doc, doc.updatedAt), result: current === null };
    });
    const created = result === true;
    return { created, meta: await this.bump(created ? 1 : 0) };
  }

  /** Removes a unit (leaving its tombstone) with `unit-removed`; null when there was none. */
  async remove(unitId: string, at: Date): Promise<RegistryMeta | null> {
    const { result } = await this.units.upsert<boolean>(unitId, (stored) => {
      const current = live(stored);
      if (!current) return null;
      const tombstone: UnitTombstone = {
        _id: current._id,
        region: current.region,
        createdAt: current.createdAt,
        updatedAt: at,
        removedAt: at,
      };
      return { doc: tombstone, events: [unitRemovedEvent(current, at)], result: true };
    });
    if (result !== true) return null;
    return this.bump(-1);
  }

  async readMeta(): Promise<RegistryMeta> {
    return (await this.meta.get('units')) ?? NO_META;
  }

  /** Every unit: read only when the Redis index is rebuilt (at start, when stale or missing). */
  all(): Promise<UnitDoc[]> {
    return this.units.list<UnitDoc>({ removedAt: { $exists: false } });
  }

  private async bump(countDelta: number): Promise<RegistryMeta> {
    const { doc } = await this.meta.upsert('units', (current) => {
      const { generation, count } = current ?? NO_META;
      return { doc: { _id: 'units', generation: generation + 1, count: count + countDelta } };
    });
    return doc ?? NO_META;
  }
}
