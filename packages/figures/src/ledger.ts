import type { HomewardEvent } from '@homeward/events';
import type { FactStore, Persistence, StoreFilter } from '@homeward/persistence';
import { type Contribution, contributionOf, type FigureKey } from './contribution.ts';
import { caseRef, type Ref, refNeeded, refsWritten } from './refs.ts';
import { needsCaseRef } from './victims.ts';

/** One event's contribution, stored once under the event's key. */
export interface ContributionDoc extends Contribution {
  /** The event key (`source|id`): the second insert of a redelivered event is refused. */
  _id: string;
}

/** The contributions of one region and department in a year, summed. */
export interface FigureRow {
  year: number;
  region: string;
  department: string;
  counts: Partial<Record<FigureKey, number>>;
  /** Every report-to-located time of the row, for medians. */
  reportToLocatedMs: number[];
}

/** Where an event was placed, and what it added to the figures. */
export interface LedgerEntry {
  /** The facts the event needed to be placed ({@link refNeeded}), if it needed and found any. */
  ref: Ref | undefined;
  /** The case's facts a placement event from before victims needed ({@link needsCaseRef}). */
  victimRef: Ref | undefined;
  /** What the event added; undefined for a type that moves no figure. */
  contribution: Contribution | undefined;
}

/** Where a ledger keeps its data, and what it counts. */
export interface LedgerOptions {
  /** The collections (named per service, so each keeps reading what it wrote). */
  contributions: string;
  refs: string;
  /**
   * The keys this service reports (default: all). A contribution is stored with these keys
   * only, and not at all when none is left and it carries no time to located.
   */
  keep?: (key: FigureKey) => boolean;
}

const REF_CACHE_SIZE = 50_000;

/**
 * The platform's figures as a projection of its events: the facts that place later events
 * (`refs`) and one contribution per event. Insert-only on purpose: FerretDB 1.24 applies
 * concurrent updates of one document as unisolated read-modify-writes (measured: of 20
 * concurrent `$inc`s on one row, 2 remained), so a counter document per row would lose counts
 * when partitions run in parallel; a redelivery is refused by the unique `_id`. If lost, it is
 * rebuilt by consuming the topics from the beginning under a new consumer group.
 */
export class FiguresLedger {
  private readonly contributions: FactStore<ContributionDoc>;
  private readonly refs: FactStore<Ref>;
  private readonly cache = new Map<string, Ref>();
  private readonly keep: ((key: FigureKey) => boolean) | undefined;

  constructor(persistence: Persistence, options: LedgerOptions) {
    this.contributions = persistence.facts<ContributionDoc>(options.contributions);
    this.refs = persistence.facts<Ref>(options.refs);
    this.keep = options.keep;
  }

  /**
   * Projects one event: remembers the facts it establishes, reads the ones it needs, and stores
   * its contribution once under `eventKey`. Each step is idempotent, so a redelivery after a
   * crash between them completes what was missing and repeats nothing.
   */
  async record(eventKey: string, event: HomewardEvent, utcOffsetMinutes: number): Promise<LedgerEntry> {
    const [entry] = await this.recordAll([{ eventKey, event }], utcOffsetMinutes);
    return entry!;
  }

  /**
   * {@link FiguresLedger.record} for several events at once, in three rounds instead of three per
   * event: every fact they establish, then every fact they need, then every contribution (each
   * round's writes sent together, which the store commits as one `insertMany`). An event thus
   * sees the facts of every event of the group, the later ones too: facts never change, and one
   * handled alone after a redelivery would see them as well. Entries in the order given.
   */
  async recordAll(
    items: ReadonlyArray<{ eventKey: string; event: HomewardEvent }>,
    utcOffsetMinutes: number,
  ): Promise<LedgerEntry[]> {
    await this.saveRefs(items.flatMap(({ event }) => refsWritten(event)));
    const wanted = new Set<string>();
    const needs = items.map(({ event }) => {
      const refId = refNeeded(event);
      // A placement event from before victims names no victim: its case's remembered child does.
      const legacyCase = needsCaseRef(event);
      const victimId = legacyCase ? caseRef(legacyCase) : undefined;
      if (refId) wanted.add(refId);
      if (victimId) wanted.add(victimId);
      return { refId, victimId };
    });
    const found = new Map<string, Ref | undefined>(
      await Promise.all([...wanted].map(async (id) => [id, (await this.getRef(id)) ?? undefined] as const)),
    );
    const entries = items.map(({ event }, i): LedgerEntry => {
      const { refId, victimId } = needs[i]!;
      const ref = refId ? found.get(refId) : undefined;
      const victimRef = victimId ? found.get(victimId) : undefined;
      const contribution = this.kept(contributionOf(event, ref, utcOffsetMinutes, victimRef));
      return { ref, victimRef, contribution };
    });
    await Promise.all(
      entries.map(({ contribution }, i) =>
        contribution ? this.add(items[i]!.eventKey, contribution) : undefined,
      ),
    );
    return entries;
  }

  /** A contribution with only the keys this ledger reports; undefined when nothing is left. */
  private kept(c: Contribution | undefined): Contribution | undefined {
    if (!c || !this.keep) return c;
    const keep = this.keep;
    const counts = Object.fromEntries(Object.entries(c.counts).filter(([k]) => keep(k as FigureKey)));
    if (Object.keys(counts).length === 0 && c.reportToLocatedMs === undefined) return undefined;
    return { ...c, counts };
  }

  /** Remembers facts; they never change, so a second write of the same one is skipped. */
  async saveRefs(refs: Ref[]): Promise<void> {
    await Promise.all(refs.map((ref) => this.refs.insertOnce(ref)));
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

  /** Stores an event's contribution once; false when this event key was counted already. */
  add(eventKey: string, c: Contribution): Promise<boolean> {
    return this.contributions.insertOnce({
      _id: eventKey,
      year: c.year,
      region: c.region,
      department: c.department,
      counts: c.counts,
      ...(c.reportToLocatedMs !== undefined ? { reportToLocatedMs: c.reportToLocatedMs } : {}),
    });
  }

  /**
   * The rows of a year: its contributions (those `within` also matches, a region filter say)
   * summed per region and department. A full read: the figures are asked for a few times a
   * year, and a year holds thousands of contributions.
   */
  async rows(year: number, within?: StoreFilter<ContributionDoc>): Promise<FigureRow[]> {
    const rows = new Map<string, FigureRow>();
    const filter: StoreFilter<ContributionDoc> =
      within && Object.keys(within).length > 0 ? { $and: [{ year }, within] } : { year };
    for (const d of await this.contributions.list(filter)) {
      const key = `${d.region}|${d.department}`;
      let row = rows.get(key);
      if (!row) {
        row = { year, region: d.region, department: d.department, counts: {}, reportToLocatedMs: [] };
        rows.set(key, row);
      }
      for (const [k, v] of Object.entries(d.counts) as Array<[FigureKey, number]>)
        row.counts[k] = (row.counts[k] ?? 0) + v;
      if (d.reportToLocatedMs !== undefined) row.reportToLocatedMs.push(d.reportToLocatedMs);
    }
    return [...rows.values()];
  }
}
