import type { Collection, Db } from 'mongodb';

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

/** Units and their generation counter in MongoDB. Every lookup is by `_id`. */
export class UnitStore {
  readonly units: Collection<UnitDoc>;
  private readonly meta: Collection<RegistryMeta>;

  constructor(db: Db) {
    this.units = db.collection<UnitDoc>('units');
    this.meta = db.collection<RegistryMeta>('registry_meta');
  }

  find(unitId: string): Promise<UnitDoc | null> {
    return this.units.findOne({ _id: unitId });
  }

  /** Creates or replaces a unit; returns whether it was new and the registry's new meta. */
  async put(doc: UnitDoc): Promise<{ created: boolean; meta: RegistryMeta }> {
    const res = await this.units.replaceOne({ _id: doc._id }, doc, { upsert: true });
    const created = res.upsertedCount === 1;
    return { created, meta: await this.bump(created ? 1 : 0) };
  }

  /** Deletes a unit; null when there was none. */
  async remove(unitId: string): Promise<RegistryMeta | null> {
    const res = await this.units.deleteOne({ _id: unitId });
    if (res.deletedCount !== 1) return null;
    return this.bump(-1);
  }

  async readMeta(): Promise<RegistryMeta> {
    return (await this.meta.findOne({ _id: 'units' })) ?? { _id: 'units', generation: 0, count: 0 };
  }

  /** Every unit: read only when the Redis index is rebuilt (at start, when stale or missing). */
  all(): Promise<UnitDoc[]> {
    return this.units.find({}).toArray();
  }

  private async bump(countDelta: number): Promise<RegistryMeta> {
    const after = await this.meta.findOneAndUpdate(
      { _id: 'units' },
      { $inc: { generation: 1, count: countDelta } },
      { upsert: true, returnDocument: 'after' },
    );
    return after ?? this.readMeta();
  }
}
