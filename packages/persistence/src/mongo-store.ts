import { randomUUID } from 'node:crypto';
import type { HomewardEvent } from '@homeward/events';
import type { Collection, Db, Document, Filter, UpdateFilter } from 'mongodb';
import type {
  AggregateStore,
  Doc,
  FactOptions,
  FactStore,
  ListOptions,
  Persistence,
  StoreFilter,
  StoreOptions,
  WriteOptions,
} from './aggregate-store.ts';
import {
  effectiveLimit,
  OUTBOX_FIELD,
  projectionWithoutOutbox,
  STORE_FIELD,
  sortWithTieBreak,
  topLevelChange,
  withoutOutbox,
} from './documents.ts';
import { isDuplicateKey } from './duplicate-key.ts';
import { GroupCommit } from './group-commit.ts';
import type { InsertLink, InsertsChains, LinkOutcome } from './insert-in-order.ts';
import { LeasedStore } from './leased-store.ts';
import type { Leases } from './leases.ts';
import { type WriteLane, writeLaneOf } from './write-lane.ts';

/**
 * What the MongoDB adapter needs of @homeward/messaging's `OutboxRelay`, which satisfies it as
 * it is. Described here rather than imported because messaging imports `isDuplicateKey` from
 * this package: persistence stays below messaging, with no runtime import the other way.
 */
export interface OutboxRelayPort {
  /**
   * Registers a collection, so the relay's sweep can finish what a crash left in it; with
   * `eventsOf`, the events of its `once` documents stored without them (see {@link DerivedOutbox}).
   */
  watch<T extends Document>(
    collection: Collection<T>,
    eventsOf?: (doc: T) => readonly HomewardEvent[],
    options?: { pointersBeside?: boolean },
  ): unknown;
  /**
   * Runs a write that adds to a document's outbox, then publishes (in the background).
   * `written` tells the relay what the write stored, when the writer knows it all: `once`, a
   * document created with these `events` and never changed after (a fact), so the relay
   * publishes them from memory and keeps no cursor for it; `token`, the mark every entry of
   * that outbox carries as `writer`, by which the sweep tells the write that created the
   * document from a copy that lost the insert.
   */
  commit<T extends Document, R>(
    collection: Collection<T>,
    id: unknown,
    write: () => Promise<R>,
    written?: OnceWrite,
  ): Promise<R>;
  /**
   * Publishes one document's outbox now, and resolves when it did. For a `once` write, resolves
   * when what its commit handed over is published.
   */
  notify<T extends Document>(
    collection: Collection<T>,
    id: unknown,
    written?: Pick<OnceWrite, 'once'>,
  ): Promise<void>;
  /** The outbox entry stored for an event (its topic and key, from the catalogue). */
  entry(event: HomewardEvent): unknown;
  /**
   * The pointer of the `once` writes of one insert command (each fact by its `_id` and its
   * write's token), as a document to insert in front of them in the same ordered insert (their
   * `commit`s then pass `beside`): no command of its own, and one document for them all. The
   * collection must have been watched with `pointersBeside`, so that the sweep looks for
   * pointers there. Optional: without it, `insertInOrder` inserts link by link.
   */
  besidePointer?<T extends Document>(
    collection: Collection<T>,
    facts: ReadonlyArray<{ id: unknown; token: string }>,
  ): Document;
}

/**
 * What a fact whose store derives its events (`FactOptions.eventsOf`) holds in its outbox field
 * instead of the events: the token of the write that stored it, by which the relay's sweep tells
 * that write's pointer from the pointer of a copy that lost the insert.
 */
export interface DerivedOutbox {
  derived: true;
  writer: string;
}

/** Whether a stored outbox field holds a {@link DerivedOutbox} rather than the events. */
export function isDerivedOutbox(outbox: unknown): outbox is DerivedOutbox {
  return typeof outbox === 'object' && outbox !== null && (outbox as DerivedOutbox).derived === true;
}

/** A write that creates a document which never changes after (see {@link OutboxRelayPort.commit}). */
export interface OnceWrite {
  once: true;
  /** The outbox entries stored, each marked `writer: token`. */
  events: unknown[];
  token: string;
  /**
   * Its pointer goes in front of it in the write itself, shared with the other facts of its
   * insert command (the relay's `besidePointer`): the relay writes none. A write that stored
   * nothing throws {@link NothingInserted}.
   */
  beside?: true;
}

/** What the MongoDB stores of one service share. */
export interface MongoPersistenceOptions extends StoreOptions {
  /** The service's database. */
  db: Db;
  /** Serialises the writers of one aggregate across instances (the kit's `RedisLocks`). */
  leases: Leases;
  /** The service's outbox relay. */
  relay: OutboxRelayPort;
  /** Told when an awaited publication failed after its write (pino's logger fits). */
  logger?: { warn(obj: object, msg: string): void };
}

/** A document as stored: the aggregate's fields and its outbox. */
interface StoredDoc extends Document {
  _id: string;
  outbox?: unknown[] | DerivedOutbox;
}

// Writes drop `undefined` values instead of storing them as null, as the memory adapter does.
const WRITE = { ignoreUndefined: true } as const;

/**
 * The MongoDB (FerretDB 1.24) adapter of {@link AggregateStore}. Reads and writes by exact
 * `_id`; an update is `$set` of the next state's top-level fields, `$unset` of those it dropped
 * and `$push` of its events to the outbox, so the outbox (which only grows, and which the relay
 * reads but never writes) is preserved without being read or resent.
 */
export class MongoAggregateStore<T extends Doc> extends LeasedStore<T> implements InsertsChains {
  private readonly col: Collection<StoredDoc>;
  /** The store's name as its documents carry it, when its collection is shared; else undefined. */
  private readonly tag: string | undefined;
  private readonly awaitPublish: boolean;
  /**
   * Inserts that arrive together go in one `insertMany` (one transaction on FerretDB): the
   * collection's, shared with every store that writes to it. Each item is a chain (see
   * `insertChain`); a lone insert is a chain of one.
   */
  private readonly inserts: GroupCommit<ChainOfDocs, LinkOutcome[]>;
  /** The database's writes, one at a time (see write-lane.ts). */
  private readonly lane: WriteLane;

  constructor(
    private readonly opts: MongoPersistenceOptions,
    collection: string,
    storeOptions: FactOptions<T> = {},
  ) {
    super(collection, opts.leases);
    this.col = opts.db.collection<StoredDoc>(storeOptions.collection ?? collection);
    this.tag = storeOptions.collection !== undefined ? collection : undefined;
    this.awaitPublish = storeOptions.awaitPublish ?? opts.awaitPublish ?? true;
    this.once = storeOptions.insertOnly === true;
    if (storeOptions.eventsOf && !this.once) throw new Error(`${collection}: only facts derive their events`);
    this.derived = storeOptions.eventsOf !== undefined;
    this.lane = writeLaneOf(opts.db);
    this.inserts = insertRoundsOf(opts.db, this.col.collectionName, this.lane);
    const { eventsOf } = storeOptions;
    opts.relay.watch(
      this.col,
      // The sweep reads the stored document; derive from the fact as the store's readers see it,
      // without the outbox and the store's tag.
      eventsOf
        ? ({ [OUTBOX_FIELD]: _outbox, [STORE_FIELD]: _store, ...fact }: StoredDoc) => eventsOf(fact as T)
        : undefined,
      // A fact in a shared collection may be inserted in a chain, named by the pointer in front
      // of its command: the sweep (of this process after a restart too) looks for pointers there.
      { pointersBeside: this.chains() },
    );
  }

  /** Whether this store's inserts can go in a chain: its collection shared, its relay able to. */
  private chains(): boolean {
    return this.tag !== undefined && this.opts.relay.besidePointer !== undefined;
  }

  /** The store's facts derive their events (`FactOptions.eventsOf`): not stored beside them. */
  private readonly derived: boolean;

  /** A fact store: documents are inserted once and never changed (see {@link StoreOptions.insertOnly}). */
  private readonly once: boolean;

  async get(id: string): Promise<T | null> {
    const doc = await this.col.findOne({ _id: id }, { projection: { [OUTBOX_FIELD]: 0 } });
    if (!doc || this.tag === undefined) return doc as T | null;
    // Another store's document under the same id (their ids must not coincide): not this store's.
    if (doc[STORE_FIELD] !== this.tag) return null;
    delete doc[STORE_FIELD];
    return doc as T;
  }

  protected async insert(doc: T, events: readonly HomewardEvent[], opts: WriteOptions): Promise<boolean> {
    const { stored, write } = this.storedWithOutbox(doc, events);
    try {
      return await this.withEvents(
        doc._id,
        events,
        opts,
        async () => {
          // Thrown inside the relay's commit, so that it knows the write stored nothing.
          if (!(await this.inserts.run({ docs: [stored] }))[0]) throw new NothingInserted();
          return true;
        },
        write,
      );
    } catch (err) {
      if (err instanceof NothingInserted) return false;
      throw err;
    }
  }

  /**
   * A new document as stored: tagged with its store when its collection is shared, its events in
   * its outbox; a fact's entries marked with the token of the write that stores them (see
   * OnceWrite), or only that token when its events derive from it (see DerivedOutbox).
   */
  private storedWithOutbox(
    doc: Doc,
    events: readonly HomewardEvent[],
  ): { stored: StoredDoc; write?: OnceWrite } {
    const stored: StoredDoc = this.tag === undefined ? { ...doc } : { ...doc, [STORE_FIELD]: this.tag };
    if (events.length === 0) return { stored };
    const token = this.once ? randomUUID() : undefined;
    const entries = events.map((e) => {
      const entry = this.opts.relay.entry(e) as object;
      return token ? { ...entry, writer: token } : entry;
    });
    stored[OUTBOX_FIELD] =
      this.derived && token ? ({ derived: true, writer: token } as DerivedOutbox) : entries;
    return { stored, ...(token ? { write: { once: true, events: entries, token } } : {}) };
  }

  /**
   * A chain of documents of stores sharing this one's collection (`StoreOptions.collection`), in
   * one ordered insert: each document goes in only if every one before it did, its facts named by
   * the outbox pointer in front of the command (one command for the whole chain, and a round of
   * the group commit with other writers' chains). Undefined for a chain it cannot insert so: another collection
   * or database, a store whose `insertOnce` is replaced, events on a store that is not a fact.
   */
  insertChain(links: readonly InsertLink[]): Promise<LinkOutcome[]> | undefined {
    const stores = links.map((l) => l.store);
    const together = stores.every(
      (s, i) =>
        s instanceof MongoAggregateStore &&
        s.chains() &&
        s.col.collectionName === this.col.collectionName &&
        s.opts.db === this.opts.db &&
        s.insertOnce === LeasedStore.prototype.insertOnce &&
        (s.once || (links[i]!.events?.length ?? 0) === 0),
    );
    return together ? this.insertTogether(links) : undefined;
  }

  private async insertTogether(links: readonly InsertLink[]): Promise<LinkOutcome[]> {
    const docs: StoredDoc[] = [];
    const facts: Array<{
      link: number;
      store: MongoAggregateStore<Doc>;
      id: string;
      events: readonly HomewardEvent[];
      write: OnceWrite;
    }> = [];
    links.forEach((link, i) => {
      const store = link.store as unknown as MongoAggregateStore<Doc>;
      const { doc, events } = store.checkedInsert(link.doc, link.events ?? []);
      const { stored, write } = store.storedWithOutbox(doc, events);
      // Only facts carry events in a chain (see insertChain): their command's pointer names them.
      if (write) facts.push({ link: i, store, id: doc._id, events, write: { ...write, beside: true } });
      docs.push(stored);
    });
    const round = this.inserts.run({
      docs,
      facts: facts.map((f) => ({ id: f.id, token: f.write.token })),
      relay: this.opts.relay,
    });
    // Rejected through the facts' commits too; awaited below.
    round.catch(() => {});
    // Each fact goes through the relay as a lone insert does (published from memory once
    // stored, by the sweep after a crash); its commit is registered before the round runs.
    const published = facts.map((f) =>
      f.store
        .withEvents(
          f.id,
          f.events,
          {},
          async () => {
            if ((await round)[f.link] !== true) throw new NothingInserted();
            return true;
          },
          f.write,
        )
        .catch((err: unknown) => {
          if (!(err instanceof NothingInserted)) throw err;
        }),
    );
    const [outcomes] = await Promise.all([round, ...published]);
    return outcomes;
  }

  protected async write(
    current: T,
    next: T,
    events: readonly HomewardEvent[],
    opts: WriteOptions,
  ): Promise<boolean> {
    const { $set, $unset } = topLevelChange(this.name, current, next);
    const update: Record<string, Document> = {};
    if (Object.keys($set).length > 0) update.$set = $set;
    if (Object.keys($unset).length > 0) update.$unset = $unset;
    if (events.length > 0) {
      update.$push = { outbox: { $each: events.map((e) => this.opts.relay.entry(e)) } };
    }
    // A document of `_id` alone, left as it is and without events: nothing to write.
    if (Object.keys(update).length === 0) return true;
    const res = await this.withEvents(current._id, events, opts, () =>
      this.lane.run(() => this.col.updateOne({ _id: current._id }, update as UpdateFilter<StoredDoc>, WRITE)),
    );
    return res.matchedCount === 1;
  }

  protected async delete(id: string): Promise<boolean> {
    // The outbox goes with the document: publish what it still holds first.
    await this.opts.relay.notify(this.col, id);
    return (await this.lane.run(() => this.col.deleteOne({ _id: id }))).deletedCount === 1;
  }

  async list<P extends Partial<T> = T>(filter: StoreFilter<T> = {}, options: ListOptions = {}): Promise<P[]> {
    let cursor = this.col.find(this.own(filter), {
      projection: this.projection(options.projection),
    });
    const sort = sortWithTieBreak(options.sort);
    if (sort) cursor = cursor.sort(sort);
    if (options.skip) cursor = cursor.skip(options.skip);
    const limit = effectiveLimit(options.limit);
    if (limit !== undefined) cursor = cursor.limit(limit);
    return (await cursor.toArray()).map((d) => withoutOutbox(d) as unknown as P);
  }

  count(filter: StoreFilter<T> = {}): Promise<number> {
    return this.col.countDocuments(this.own(filter));
  }

  /** A caller's filter, narrowed to this store's documents when the collection is shared. */
  private own(filter: StoreFilter<T>): Filter<StoredDoc> {
    const f = filter as Filter<StoredDoc>;
    return this.tag === undefined ? f : { ...f, [STORE_FIELD]: this.tag };
  }

  /** A caller's projection without the outbox, and without the store's tag when it has one. */
  private projection(projection: ListOptions['projection']): Document {
    const p = projectionWithoutOutbox(projection);
    // An exclusion projection (the outbox's `0` is in it) leaves the tag out too; an inclusion
    // projection names what it includes, never the tag.
    return this.tag !== undefined && p[OUTBOX_FIELD] === 0 ? { ...p, [STORE_FIELD]: 0 } : p;
  }

  /** A write through the relay when it carries events, then their publication if awaited. */
  private async withEvents<W>(
    id: string,
    events: readonly HomewardEvent[],
    opts: WriteOptions,
    run: () => Promise<W>,
    written?: OnceWrite,
  ): Promise<W> {
    if (events.length === 0) return run();
    const result = await this.opts.relay.commit(this.col, id, run, written);
    if (opts.awaitPublish ?? this.awaitPublish) {
      try {
        await this.opts.relay.notify(this.col, id, written ? { once: true } : undefined);
      } catch (err) {
        // The write is stored with its events: failing now would invite the caller to apply
        // the change twice. The relay's sweep publishes them later.
        this.opts.logger?.warn(
          { err, collection: this.name, id },
          'publication deferred to the outbox sweep',
        );
      }
    }
    return result;
  }
}

/**
 * The stores of one service's database: every aggregate store shares the service's leases and
 * outbox relay. Built once in the composition root.
 */
export class MongoPersistence implements Persistence {
  private readonly stores = new Map<string, MongoAggregateStore<Doc>>();

  constructor(private readonly opts: MongoPersistenceOptions) {}

  aggregate<T extends Doc>(collection: string, options: StoreOptions = {}): AggregateStore<T> {
    const key = [collection, options.awaitPublish, options.insertOnly, options.collection].join('\u0000');
    let store = this.stores.get(key);
    if (!store) {
      store = new MongoAggregateStore<Doc>(this.opts, collection, options);
      this.stores.set(key, store);
    }
    return store as unknown as AggregateStore<T>;
  }

  facts<T extends Doc>(collection: string, options: FactOptions<T> = {}): FactStore<T> {
    const { eventsOf, ...rest } = options;
    if (!eventsOf) return this.aggregate<T>(collection, { ...rest, insertOnly: true });
    // A store that derives its events is its own (its derivation is not part of the cache key).
    return new MongoAggregateStore<T>(this.opts, collection, { ...options, insertOnly: true });
  }
}

/**
 * A chain of documents for one round of a collection's inserts (a lone insert is a chain of one),
 * with the facts among them whose pointer goes in front of the command that carries them.
 */
interface ChainOfDocs {
  docs: StoredDoc[];
  facts?: ReadonlyArray<{ id: unknown; token: string }>;
  /** The relay of those facts, which writes their command's pointer. */
  relay?: OutboxRelayPort;
}

const insertRounds = new WeakMap<object, Map<string, GroupCommit<ChainOfDocs, LinkOutcome[]>>>();

/**
 * The group commit of a collection's inserts, shared by every store that writes to it through the
 * same client (see `StoreOptions.collection`): a report and the case it opens, inserted at once,
 * go in one round.
 */
function insertRoundsOf(
  db: Db,
  collection: string,
  lane: WriteLane,
): GroupCommit<ChainOfDocs, LinkOutcome[]> {
  const byName = insertRounds.get(db.client) ?? new Map<string, GroupCommit<ChainOfDocs, LinkOutcome[]>>();
  insertRounds.set(db.client, byName);
  const key = `${db.databaseName}.${collection}`;
  let rounds = byName.get(key);
  if (!rounds) {
    const col = db.collection<StoredDoc>(collection);
    rounds = new GroupCommit((chains) => insertChains(col, chains), undefined, lane);
    byName.set(key, rounds);
  }
  return rounds;
}

/**
 * The pointers a command carrying these chains puts in front of them: one per relay whose facts
 * are among them (a service has one), naming each of its facts.
 */
function commandPointers(col: Collection<StoredDoc>, chains: readonly ChainOfDocs[]): StoredDoc[] {
  const byRelay = new Map<OutboxRelayPort, Array<{ id: unknown; token: string }>>();
  for (const { facts, relay } of chains) {
    if (!relay || !facts?.length) continue;
    const of = byRelay.get(relay);
    if (of) of.push(...facts);
    else byRelay.set(relay, [...facts]);
  }
  return [...byRelay].map(([relay, facts]) => relay.besidePointer!(col, facts) as StoredDoc);
}

/** A write that stored nothing (a duplicate `_id`), on its way out of the relay's commit. */
export class NothingInserted extends Error {
  constructor() {
    super('nothing inserted: the _id exists');
    this.name = 'NothingInserted';
  }
}

/**
 * Inserts a round of chains in ordered `insertMany`s, and answers per document of each chain:
 * true, false for a duplicate `_id` (a retry, a concurrent copy, a lost race: in the same round or
 * not), or undefined when an earlier document of its chain was not inserted; a chain with a
 * document that failed otherwise gets that error. Each command starts with the pointer of the
 * facts it carries (see {@link commandPointers}). An ordered insert stops at its first refused
 * document: the chains after that one's go in the next command, under a pointer of their own
 * (FerretDB inserts a batch with a refused document one document at a time up to it, each in a
 * transaction of its own, so a refusal costs those commands; a round without one is one
 * transaction, as an unordered insert is).
 */
async function insertChains(
  col: Collection<StoredDoc>,
  chains: ChainOfDocs[],
): Promise<Array<LinkOutcome[] | Error>> {
  const outcomes: Array<LinkOutcome[] | Error> = chains.map((c) => c.docs.map(() => undefined));
  let from = 0;
  while (from < chains.length) {
    const rest = chains.slice(from);
    const pointers = commandPointers(col, rest);
    const docs = [...pointers, ...rest.flatMap((c) => c.docs)];
    try {
      await col.insertMany(docs, { ...WRITE, ordered: true });
      for (let c = from; c < chains.length; c++) outcomes[c] = chains[c]!.docs.map(() => true);
      return outcomes;
    } catch (err) {
      const writeErrors = (err as { writeErrors?: unknown }).writeErrors;
      const first = (Array.isArray(writeErrors) ? writeErrors[0] : writeErrors) as
        | { index?: unknown; errmsg?: string }
        | undefined;
      // Not a chain's document's failure (the connection, the server, a pointer): every chain
      // not answered yet failed.
      if (typeof first?.index !== 'number' || first.index < pointers.length) {
        for (let c = from; c < chains.length; c++)
          outcomes[c] = err instanceof Error ? err : new Error(String(err));
        return outcomes;
      }
      // The refused document's chain, and its place in it; the chains before it all went in.
      let c = from;
      let j = first.index - pointers.length;
      while (j >= chains[c]!.docs.length) {
        outcomes[c] = chains[c]!.docs.map(() => true);
        j -= chains[c]!.docs.length;
        c++;
      }
      outcomes[c] = isDuplicateKey(first)
        ? chains[c]!.docs.map((_, k) => (k < j ? true : k === j ? false : undefined))
        : new Error(`insert into ${col.collectionName} failed: ${first.errmsg ?? String(first)}`, {
            cause: err,
          });
      from = c + 1;
    }
  }
  return outcomes;
}
