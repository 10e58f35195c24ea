import type { FactStore, Persistence } from '@homeward/persistence';
import type { AnnualRowData, Contribution, Counter } from '../domain/annual.ts';
import type { Ref } from '../domain/refs.ts';

/** One event's contribution to the annual report, stored once under the event's key. */
interface ContributionDoc {
  /** The event key (`source|id`): the second insert of a redelivered event is refused. */
  _id: string;
  year: number;
  region: string;
  department: string;
  counts: Contribution['counts'];
  reportToLocatedMs?: number;
}

const REF_CACHE_SIZE = 50_000;

/**
 * The dashboard's only durable data: the annual aggregate and the few facts it needs to place
 * events (see `domain/refs.ts`). Both are projections of the topics: if lost, they are rebuilt
 * by consuming the topics from the beginning under a new consumer group.
 */
export class AnnualStore {
  private readonly annual: FactStore<ContributionDoc>;
  private readonly refs: FactStore<Ref>;
  private readonly cache = new Map<string, Ref>();

  constructor(persistence: Persistence) {
    this.annual = persistence.facts<ContributionDoc>('annual_contributions');
    this.refs = persistence.facts<Ref>('refs');
  }

  /** Remembers facts; they never change, so a second write of the same one is skipped. */
  async saveRefs(refs: Ref[]): Promise<void> {
    for (const ref of refs) await this.refs.insertOnce(ref);
  }

  /**
   * A remembered fact. Facts never change, so found ones are cached (bounded, oldest out):
   * a busy alert's notifications then cost no database read each.
   */
  async getRef(id: string): Promise<Ref | null> {
    const cached = this.cache.get(id);
    if (cached) return cached;
    const ref = await this.refs.get(id);
    if (ref) {
      if (this.cache.size >= REF_CACHE_SIZE) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(id, ref);
    }
    return ref;
  }

  /**
   * Records an event's contribution, once: an insert under the event key, so a redelivery is
   * refused by the unique `_id`. Insert-only on purpose: FerretDB 1.24 applies concurrent
   * updates of one document as unisolated read-modify-writes (measured: of 20 concurrent
   * `$inc`s on one row, 2 remained, and 17 when serialized behind a Redis lock), so a counter
   * document per row would lose counts when partitions run in parallel.
   */
  apply(eventKey: string, c: Contribution): Promise<boolean> {
    return this.annual.insertOnce({
      _id: eventKey,
      year: c.year,
      region: c.region,
      department: c.department,
      counts: c.counts,
      ...(c.reportToLocatedMs !== undefined ? { reportToLocatedMs: c.reportToLocatedMs } : {}),
    });
  }

  /**
   * The rows of a year: its contributions summed per region and department (a full read; the
   * report is asked for a few times a year, and a year holds thousands of contributions).
   */
  async rows(year: number): Promise<AnnualRowData[]> {
    const rows = new Map<string, AnnualRowData>();
    for (const d of await this.annual.list({ year })) {
      const key = `${d.region}:${d.department}`;
      let row = rows.get(key);
      if (!row) {
        row = { year, region: d.region, department: d.department, counts: {}, reportToLocatedMs: [] };
        rows.set(key, row);
      }
      for (const [k, v] of Object.entries(d.counts) as Array<[Counter, number]>)
        row.counts[k] = (row.counts[k] ?? 0) + v;
      if (d.reportToLocatedMs !== undefined) row.reportToLocatedMs.push(d.reportToLocatedMs);
    }
    return [...rows.values()];
  }
}
