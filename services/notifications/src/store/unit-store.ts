import type { AggregateStore, Persistence } from '@homeward/persistence';

export const UNIT_KINDS = [
  'police-station',
  'rail-station',
  'bus-station',
  'airport',
  'hospital',
  'other',
] as const;
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
 * count (FerretDB's `$inc` would: it is an unisolated read-modify-write).
 */
export class UnitStore {
  private readonly units: AggregateStore<UnitDoc>;
  private readonly meta: AggregateStore<RegistryMeta>;

  constructor(persistence: Persistence) {
    this.units = persistence.aggregate<UnitDoc>('units');
    this.meta = persistence.aggregate<RegistryMeta>('registry_meta');
  }

  find(unitId: string): Promise<UnitDoc | null> {
    return this.units.get(unitId);
  }

  /** Creates or replaces a unit; returns whether it was new and the registry's new meta. */
  async put(doc: UnitDoc): Promise<{ created: boolean; meta: RegistryMeta }> {
    const { result } = await this.units.upsert<boolean>(doc._id, (current) => ({
      doc,
      result: current === null,
    }));
    const created = result === true;
    return { created, meta: await this.bump(created ? 1 : 0) };
  }

  /** Deletes a unit; null when there was none. */
  async remove(unitId: string): Promise<RegistryMeta | null> {
    if (!(await this.units.remove(unitId))) return null;
    return this.bump(-1);
  }

  async readMeta(): Promise<RegistryMeta> {
    return (await this.meta.get('units')) ?? NO_META;
  }

  /** Every unit: read only when the Redis index is rebuilt (at start, when stale or missing). */
  all(): Promise<UnitDoc[]> {
    return this.units.list();
  }

  private async bump(countDelta: number): Promise<RegistryMeta> {
    const { doc } = await this.meta.upsert('units', (current) => {
      const { generation, count } = current ?? NO_META;
      return { doc: { _id: 'units', generation: generation + 1, count: count + countDelta } };
    });
    return doc ?? NO_META;
  }
}
