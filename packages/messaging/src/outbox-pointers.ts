import { GroupCommit, isDuplicateKey, type WriteLane, writeLaneOf } from '@homeward/persistence';
import type { Collection, Db, Filter } from 'mongodb';
import type { Logger } from 'pino';

/**
 * The outbox's pointers (see outbox.ts): one small document per write with events, stored before
 * the write, removed once what it points at is published. Most live in `outbox_pending`, which the
 * sweep reads whole, so that a crash between a write and its publication is found without
 * scanning whole collections. A pointer inserted beside its write, in front of it in the same
 * ordered insert (persistence's `insertInOrder`), lives in the write's collection under an `_id`
 * of its own range (`outbox:…`), which the sweep reads by that range (pushed down to the `_id`
 * index by our FerretDB patch: see infra/local's ferretdb.ts).
 */
export interface PendingPointer {
  _id: string;
  collection: string;
  docId: unknown;
  /** New on every write: the relay removes the pointer only if no later write renewed it. */
  nonce: string;
  /** A document inserted once and never changed: published whole, with no cursor. */
  once?: true;
  /** When a `once` pointer was written, by its writer's clock (see `onceGraceMs`). */
  at?: Date;
}

/** A pointer acted on: removed only while it still holds this nonce. */
export interface ActedPointer {
  _id: string;
  nonce: string;
  /** A `once` write's pointer: its `_id` holds the nonce, and no later write renews it. */
  once?: true;
}

export const PENDING = 'outbox_pending';

export interface OutboxPointersOptions {
  db: Db;
  logger: Logger;
  /**
   * How long published pointers wait to be removed together (default 200 ms): one delete for
   * every flush that ends meanwhile, not one per flush (on FerretDB's single-writer SQLite each
   * command is a transaction that every other write queues behind). Until removed, this
   * process treats them as gone; a crash meanwhile leaves them to a sweep, which publishes
   * again (ids dedupe), as a crash before any removal always did.
   */
  removeLingerMs?: number;
  /** Test hook, called before published pointers are removed (to hold their removal back). */
  beforeRemove?: (pointers: ActedPointer[]) => Promise<void> | void;
}

function pointerId(collection: string, id: unknown): string {
  return `${collection}:${typeof id === 'string' ? id : JSON.stringify(id)}`;
}

/** The `_id`s of pointers kept beside their writes: `outbox:<collection>:<document id>#<nonce>`. */
const BESIDE = 'outbox:';
/** Every `_id` starting with {@link BESIDE}, as a range (`;` follows `:`). */
const BESIDE_RANGE = { $gte: BESIDE, $lt: 'outbox;' };

/** The collection a pointer lives in, by its key: a pointer beside its write lives in the write's (collection names hold no `:`). */
function homeOf(key: string): string {
  return key.startsWith(BESIDE) ? key.slice(BESIDE.length, key.indexOf(':', BESIDE.length)) : PENDING;
}

/** Items grouped by the collection their pointer lives in. */
function byHome<I>(items: readonly I[], key: (i: I) => string): Map<string, I[]> {
  const groups = new Map<string, I[]>();
  for (const item of items) {
    const home = homeOf(key(item));
    const group = groups.get(home);
    if (group) group.push(item);
    else groups.set(home, [item]);
  }
  return groups;
}

/**
 * What removes the pointers a flush acted on, each only while it holds the nonce acted on. A
 * `once` write's pointer has its nonce in its `_id` (see {@link OutboxPointers.of}): its `_id`
 * alone says that, and those go in one `$in`, which FerretDB matches faster than an `$or` of
 * `_id` and nonce pairs (on its SQLite backend, 25 pointers of 65: a median 9.5-12 against
 * 16-20 ms in 40 interleaved pairs, the gap growing with the pointers in the collection),
 * while it holds the single writer every other write waits for.
 */
export function removalFilter(acted: readonly ActedPointer[]): Filter<PendingPointer> {
  const own: string[] = [];
  const renewable: ActedPointer[] = [];
  for (const a of acted) {
    if (a.once) own.push(a._id);
    else renewable.push(a);
  }
  const clauses: Filter<PendingPointer>[] = [
    ...(own.length === 1 ? [{ _id: own[0]! }] : own.length > 1 ? [{ _id: { $in: own } }] : []),
    ...renewable.map((a) => ({ _id: a._id, nonce: a.nonce })),
  ];
  return clauses.length === 1 ? clauses[0]! : { $or: clauses };
}

/**
 * The pointers' collection: writes group-committed (pointers written at the same time go in
 * one insert), removals lingered and grouped (one delete for what several flushes published),
 * and, until a removal is done, the pointers on their way out.
 */
export class OutboxPointers {
  readonly collection: Collection<PendingPointer>;
  private readonly writes: GroupCommit<PendingPointer, undefined>;
  /**
   * Pointers whose documents are published, on their way out of the store (by key, the nonce
   * acted on): until the store has removed them, they count as gone.
   */
  private readonly removing = new Map<string, string>();
  /** Collections that may hold pointers beside their writes (see `keepBeside`). */
  private readonly beside = new Set<string>();
  /** A linger's pointers, one item: lingers that end while a removal is in flight go in the next. */
  private readonly removals: GroupCommit<ActedPointer[], undefined>;
  private readonly removalsInFlight = new Set<Promise<void>>();
  /** Published pointers waiting out the linger, and its timer. */
  private lingering: ActedPointer[] = [];
  private lingerTimer: NodeJS.Timeout | undefined;
  private readonly removeLingerMs: number;
  /** The database's writes, one at a time (see @homeward/persistence's write-lane.ts). */
  private readonly lane: WriteLane;

  constructor(private readonly opts: OutboxPointersOptions) {
    this.collection = opts.db.collection<PendingPointer>(PENDING);
    this.removeLingerMs = opts.removeLingerMs ?? 200;
    this.lane = writeLaneOf(opts.db);
    this.writes = new GroupCommit((pointers) => this.writeAll(pointers), undefined, this.lane);
    this.removals = new GroupCommit(async (lingers) => {
      const acted = lingers.flat();
      // Outside the lane: a test holding the removal back holds no other write.
      await this.opts.beforeRemove?.(acted);
      // One delete per collection the pointers live in.
      for (const [home, pointers] of byHome(acted, (a) => a._id)) {
        const filter = removalFilter(pointers);
        const col = this.home(home);
        await this.lane.run(() => (pointers.length === 1 ? col.deleteOne(filter) : col.deleteMany(filter)));
      }
      return lingers.map(() => undefined);
    });
  }

  /** The key of a document's pointer (a `once` write's own pointer adds its nonce to it). */
  static key(collection: string, id: unknown): string {
    return pointerId(collection, id);
  }

  /**
   * The pointer of a write. A `once` write's pointer is its own (no later write renews it): a
   * copy that loses the insert removes its pointer without touching the winner's. `beside`: it
   * goes in the write's own collection, in front of it in the same insert (`once` writes only).
   */
  static of(
    collection: string,
    id: unknown,
    nonce: string,
    once: boolean,
    at: Date,
    beside = false,
  ): PendingPointer {
    const own = `${pointerId(collection, id)}#${nonce}`;
    return {
      _id: once ? (beside ? `${BESIDE}${own}` : own) : pointerId(collection, id),
      collection,
      docId: id,
      nonce,
      ...(once ? { once: true as const, at } : {}),
    };
  }

  /** Stores a pointer (with the others written at the same time); resolves once stored. */
  async write(pointer: PendingPointer): Promise<void> {
    await this.writes.run(pointer);
  }

  /**
   * Stores a round of pointers: new ones in one insert; one that exists already (a document
   * written again before its last flush, or two writers at once) is renewed in place. Runs
   * holding the write lane (its group commit's).
   */
  private async writeAll(pointers: PendingPointer[]): Promise<undefined[]> {
    let taken: PendingPointer[] = [];
    try {
      await this.collection.insertMany(pointers, { ordered: false });
    } catch (err) {
      const writeErrors = (err as { writeErrors?: unknown }).writeErrors;
      const failed = Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : [];
      if (failed.length === 0 || !failed.every((w) => isDuplicateKey(w))) throw err;
      taken = failed.map((w) => pointers[(w as { index: number }).index]!);
    }
    // Later pointers of one document win: renew in arrival order.
    for (const p of taken) {
      try {
        await this.collection.replaceOne({ _id: p._id }, p, { upsert: true });
      } catch (err) {
        // Removed and recreated by another writer meanwhile: it exists now; renew it in place.
        if (!isDuplicateKey(err)) throw err;
        await this.collection.replaceOne({ _id: p._id }, p);
      }
    }
    return pointers.map(() => undefined);
  }

  /** Lets the sweep find pointers kept beside their writes in a collection (see `of`). */
  keepBeside(collection: string): void {
    if (collection.includes(':'))
      throw new Error(`no pointers beside writes in "${collection}": its name holds ':'`);
    this.beside.add(collection);
  }

  /** Whether the sweep looks for pointers beside the writes of that collection. */
  keepsBeside(collection: string): boolean {
    return this.beside.has(collection);
  }

  /** The collection of that name: where pointers beside its writes live, or the pending one. */
  private home(name: string): Collection<PendingPointer> {
    return name === PENDING ? this.collection : this.opts.db.collection<PendingPointer>(name);
  }

  /** Every stored pointer (up to 10,000 in each collection that holds some), for the sweep. */
  async all(): Promise<PendingPointer[]> {
    const found = await Promise.all([
      this.collection.find({}).limit(10_000).toArray(),
      ...[...this.beside].map((name) => this.home(name).find({ _id: BESIDE_RANGE }).limit(10_000).toArray()),
    ]);
    return found.flat();
  }

  /** Whether this pointer (with this nonce) is published and on its way out. */
  isRemoving(p: ActedPointer): boolean {
    return this.removing.get(p._id) === p.nonce;
  }

  /**
   * The nonces of the pointers that exist among `keys` (one read: by `_id` for one, a scan of the
   * small pending collection for more), less those published and on their way out.
   */
  async present(keys: string[]): Promise<Map<string, string>> {
    if (keys.length === 0) return new Map();
    const found = await Promise.all(
      [...byHome(keys, (k) => k)].map(([home, ids]) =>
        this.home(home)
          .find(ids.length === 1 ? { _id: ids[0]! } : { _id: { $in: ids } })
          .toArray(),
      ),
    );
    return new Map(found.flat().flatMap((p) => (this.isRemoving(p) ? [] : [[p._id, p.nonce]])));
  }

  /** Removes one pointer now (a `once` write that stored nothing); a failure leaves it to the sweep. */
  async drop(key: string): Promise<void> {
    const col = this.home(homeOf(key));
    await this.lane.run(() => col.deleteOne({ _id: key })).catch(() => {});
  }

  /**
   * Removes the pointers of what a flush published, without holding up the next flush: they
   * count as gone at once (a sweep that reads them meanwhile leaves them, and a flush that finds
   * them publishes nothing), and are removed with those of the other flushes of the linger. A
   * removal that fails leaves them to the sweep, which publishes again (ids dedupe), as a relay
   * that died before removing them would.
   */
  remove(acted: ActedPointer[]): void {
    if (acted.length === 0) return;
    for (const a of acted) this.removing.set(a._id, a.nonce);
    this.lingering.push(...acted);
    if (this.lingerTimer === undefined) {
      this.lingerTimer = setTimeout(() => this.removeLingering(), this.removeLingerMs);
      // A process on its way out does not wait for it: its pointers are left to a sweep.
      this.lingerTimer.unref();
    }
  }

  private removeLingering(): void {
    clearTimeout(this.lingerTimer);
    this.lingerTimer = undefined;
    const acted = this.lingering;
    this.lingering = [];
    if (acted.length === 0) return;
    const removal: Promise<void> = this.removals
      .run(acted)
      .catch((err: unknown) =>
        this.opts.logger.warn(
          { err },
          'outbox: published pointers not removed; the sweep will publish again',
        ),
      )
      .finally(() => {
        for (const a of acted) if (this.removing.get(a._id) === a.nonce) this.removing.delete(a._id);
        this.removalsInFlight.delete(removal);
      });
    this.removalsInFlight.add(removal);
  }

  /** Removes what is lingering now, and resolves once every removal under way is done. */
  async settle(): Promise<void> {
    this.removeLingering();
    await Promise.all([...this.removalsInFlight]);
  }
}
