import { randomUUID } from 'node:crypto';
import { GroupCommit, isDuplicateKey, type WriteLane, writeLaneOf } from '@homeward/persistence';
import type { Collection, Db, Filter } from 'mongodb';
import type { Logger } from 'pino';

/**
 * The outbox's pointers (see outbox.ts): one small document per write with events, stored before
 * the write, removed once what it points at is published. Most live in `outbox_pending`, which the
 * sweep reads whole, so that a crash between a write and its publication is found without
 * scanning whole collections. The facts of a chain insert (persistence's `insertInOrder`) share
 * one pointer per command instead, a {@link CommandPointer} in front of them in the same ordered
 * insert, in their own collection under an `_id` of its own range (`outbox:…`), which the sweep
 * reads by that range (pushed down to the `_id` index by our FerretDB patch: see infra/local's
 * ferretdb.ts).
 */
export interface PendingPointer {
  _id: string;
  collection: string;
  /** The document pointed at (none for a command's pointer: its `facts` say). */
  docId?: unknown;
  /** New on every write: the relay removes the pointer only if no later write renewed it. */
  nonce: string;
  /** A document inserted once and never changed: published whole, with no cursor. */
  once?: true;
  /** When a `once` pointer was written, by its writer's clock (see `onceGraceMs`). */
  at?: Date;
  /** A command's pointer: the facts it inserted, each with its writer's token (see CommandPointer). */
  facts?: Array<{ docId: unknown; nonce: string }>;
}

/**
 * One pointer for every fact of one insert command, in front of them: one document stored and
 * removed per command instead of one per fact (on FerretDB each is a row, an index entry and its
 * share of a delete). It names each fact by its `_id` and the token its write marked it with (as
 * a fact's own pointer does), so a sweep publishes a fact only if that write stored it. A fact
 * acts as if it had a pointer of its own, keyed `outbox:<collection>:<id>#<token>` (its
 * {@link OutboxPointers.of} beside key) in the pending set and the sweep's grace. The command's
 * pointer is removed once each fact it names is settled: published, its write stored nothing, or
 * (found by a sweep past the grace) not stored, since the command is long over and a later one
 * that stores it names it in a pointer of its own. The chains an ordered insert did not reach
 * (one before them refused) go in the next command under such a pointer: a fact named by two is
 * one key, published once and settled in both.
 */
export type CommandPointer = PendingPointer & Required<Pick<PendingPointer, 'facts' | 'at'>>;

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
  /**
   * Command pointers this process wrote or its sweep found, until removed: each fact they name
   * (by key, with its token), and those not settled yet.
   */
  private readonly commands = new Map<
    string,
    { nonce: string; facts: Map<string, string>; open: Set<string> }
  >();
  /** Per fact key, the command pointers naming it that may still be stored. */
  private readonly commandsOf = new Map<string, Set<string>>();

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
   * copy that loses the insert removes its pointer without touching the winner's. `beside`: the
   * key of a fact inserted in a chain (`once` writes only), which its command's pointer names
   * (see {@link CommandPointer}); no such document is stored.
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
      _id: once ? (beside ? OutboxPointers.factKey(collection, id, nonce) : own) : pointerId(collection, id),
      collection,
      docId: id,
      nonce,
      ...(once ? { once: true as const, at } : {}),
    };
  }

  /**
   * The pointer of one insert command's facts (see {@link CommandPointer}), a document for the
   * writer to insert in front of them; this process then tracks each fact until it is settled.
   */
  command(
    collection: string,
    facts: ReadonlyArray<{ id: unknown; token: string }>,
    at: Date,
  ): CommandPointer {
    const nonce = randomUUID();
    const pointer: CommandPointer = {
      _id: `${BESIDE}${collection}:command#${nonce}`,
      collection,
      nonce,
      once: true,
      at,
      facts: facts.map((f) => ({ docId: f.id, nonce: f.token })),
    };
    this.track(pointer);
    return pointer;
  }

  /** The key of a fact inserted in a chain, which command pointers name (see `of`'s `beside`). */
  private static factKey(collection: string, docId: unknown, token: string): string {
    return `${BESIDE}${pointerId(collection, docId)}#${token}`;
  }

  /** Tracks a command pointer's facts, each open (unless tracked already). */
  private track(p: PendingPointer): { nonce: string; facts: Map<string, string>; open: Set<string> } {
    let command = this.commands.get(p._id);
    if (!command) {
      const facts = new Map(
        (p.facts ?? []).map((f) => [OutboxPointers.factKey(p.collection, f.docId, f.nonce), f.nonce]),
      );
      command = { nonce: p.nonce, facts, open: new Set(facts.keys()) };
      this.commands.set(p._id, command);
      for (const key of facts.keys()) {
        const of = this.commandsOf.get(key);
        if (of) of.add(p._id);
        else this.commandsOf.set(key, new Set([p._id]));
      }
    }
    return command;
  }

  /**
   * The facts of a command pointer the sweep found that are not settled yet, each as the pointer
   * it would have had of its own (tracked from now on, until settled).
   */
  factsOf(p: PendingPointer): PendingPointer[] {
    const command = this.track(p);
    return (p.facts ?? []).flatMap(({ docId, nonce }) => {
      const key = OutboxPointers.factKey(p.collection, docId, nonce);
      return command.open.has(key)
        ? [
            {
              _id: key,
              collection: p.collection,
              docId,
              nonce,
              once: true as const,
              ...(p.at ? { at: p.at } : {}),
            },
          ]
        : [];
    });
  }

  /** Whether a key is a fact's that a command pointer names (see {@link CommandPointer}). */
  isCommandFact(key: string): boolean {
    return this.commandsOf.has(key);
  }

  /**
   * Settles facts named by command pointers (published, or their writes stored nothing): a sweep
   * no longer acts on them, and each command pointer whose facts are all settled goes with the
   * next removal. Answers the other pointers, untouched.
   */
  private settleFacts(acted: readonly ActedPointer[]): ActedPointer[] {
    const rest: ActedPointer[] = [];
    for (const a of acted) {
      const of = this.commandsOf.get(a._id);
      if (!of) {
        rest.push(a);
        continue;
      }
      for (const id of of) {
        const command = this.commands.get(id);
        if (!command?.open.delete(a._id) || command.open.size > 0) continue;
        rest.push({ _id: id, nonce: command.nonce, once: true });
      }
    }
    return rest;
  }

  /** A fact named by a command pointer whose write stored nothing: settled, nothing published. */
  unwritten(key: string): void {
    // Not named by any (its command never built, say): no pointer of its own to take back either.
    if (this.isCommandFact(key)) this.linger(this.settleFacts([{ _id: key, nonce: '', once: true }]));
  }

  /** Forgets a command pointer that is not stored (removed, or never written). */
  private forget(id: string): void {
    const command = this.commands.get(id);
    if (!command) return;
    this.commands.delete(id);
    if (this.removing.get(id) === command.nonce) this.removing.delete(id);
    for (const key of command.facts.keys()) {
      const of = this.commandsOf.get(key);
      of?.delete(id);
      if (of?.size === 0) this.commandsOf.delete(key);
    }
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
   * The nonces of the pointers that exist among `keys` (one read per collection: by `_id` for
   * one, `$in` for more), less those published and on their way out. A fact named by command
   * pointers exists while one of them does.
   */
  async present(keys: string[]): Promise<Map<string, string>> {
    if (keys.length === 0) return new Map();
    const own = keys.filter((k) => !this.isCommandFact(k));
    const commands = [
      ...new Set(keys.filter((k) => this.isCommandFact(k)).flatMap((k) => [...this.commandsOf.get(k)!])),
    ];
    const wanted = [...own, ...commands];
    const found = await Promise.all(
      [...byHome(wanted, (k) => k)].map(([home, ids]) =>
        this.home(home)
          .find(ids.length === 1 ? { _id: ids[0]! } : { _id: { $in: ids } })
          .toArray(),
      ),
    );
    const stored = new Map(found.flat().map((p) => [p._id, p]));
    const present = new Map<string, string>();
    for (const key of own) {
      const p = stored.get(key);
      if (p && !this.isRemoving(p)) present.set(key, p.nonce);
    }
    // A command pointer not stored was removed (its facts settled by whoever removed it) or
    // never written (its command failed): it no longer speaks for its facts.
    for (const id of commands) if (!stored.has(id)) this.forget(id);
    // A fact exists while a stored pointer names it, not settled.
    for (const key of keys) {
      for (const id of this.commandsOf.get(key) ?? []) {
        const command = this.commands.get(id)!;
        const p = stored.get(id);
        if (p && !this.isRemoving(p) && command.open.has(key)) present.set(key, command.facts.get(key)!);
      }
    }
    return present;
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
    this.linger(this.settleFacts(acted));
  }

  /** Counts pointers gone and queues their removal for the end of the linger. */
  private linger(acted: ActedPointer[]): void {
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
        for (const a of acted) {
          if (this.commands.has(a._id)) this.forget(a._id);
          else if (this.removing.get(a._id) === a.nonce) this.removing.delete(a._id);
        }
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
