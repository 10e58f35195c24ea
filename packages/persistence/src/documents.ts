import { type HomewardEvent, validateEvent } from '@homeward/events';
import type { Doc, ProjectionSpec, SortSpec } from './aggregate-store.ts';
import { IdChanged, InvalidEvents } from './aggregate-store.ts';

/** The field that holds a document's events (see @homeward/messaging's outbox). Never read back. */
export const OUTBOX_FIELD = 'outbox';

/**
 * The field that names a document's store in a collection that several stores share (see
 * `StoreOptions.collection`). Never read back.
 */
export const STORE_FIELD = '_store';

/**
 * A deep copy as the database would store it: plain objects and arrays copied, Dates kept as
 * Dates, properties whose value is `undefined` left out (the MongoDB adapter writes with
 * `ignoreUndefined`, so both adapters store the same thing).
 */
export function copyDoc<V>(value: V): V {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return new Date(value.getTime()) as V;
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : copyDoc(v))) as V;
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return structuredClone(value);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = copyDoc(v);
  return out as V;
}

/** The document without its outbox (a shallow copy; the caller copies deeper if it must). */
export function withoutOutbox<T>(doc: T): T {
  if (doc === null || typeof doc !== 'object' || !(OUTBOX_FIELD in doc)) return doc;
  const { [OUTBOX_FIELD]: _outbox, ...rest } = doc as Record<string, unknown>;
  return rest as T;
}

/** Whether a projection names fields to include (MongoDB's rule: `_id` alone does not count). */
function isInclusion(projection: ProjectionSpec): boolean {
  return Object.entries(projection).some(([k, v]) => k !== '_id' && Boolean(v));
}

/**
 * A caller's projection with the outbox always left out: an exclusion projection gains
 * `outbox: 0`, an inclusion projection loses any mention of the outbox.
 */
export function projectionWithoutOutbox(projection: ProjectionSpec | undefined): ProjectionSpec {
  if (!projection || Object.keys(projection).length === 0) return { [OUTBOX_FIELD]: 0 };
  const entries = Object.entries(projection);
  if (isInclusion(projection)) {
    return Object.fromEntries(
      entries.filter(([k]) => k !== OUTBOX_FIELD && !k.startsWith(`${OUTBOX_FIELD}.`)),
    );
  }
  return { ...projection, [OUTBOX_FIELD]: 0 };
}

/** The sort with `_id` as the last key, so pages are stable on both adapters. */
export function sortWithTieBreak(sort: SortSpec | undefined): SortSpec | undefined {
  if (!sort || Object.keys(sort).length === 0) return undefined;
  return '_id' in sort ? sort : { ...sort, _id: 1 };
}

/**
 * The `$set`/`$unset` that turn `current` into `next` at the top level (the outbox aside), so
 * an update never has to carry the outbox it preserves. Fields whose value is `undefined` count
 * as absent.
 */
export function topLevelChange(
  collection: string,
  current: Doc,
  next: Doc,
): { $set: Record<string, unknown>; $unset: Record<string, ''> } {
  if (next._id !== current._id) throw new IdChanged(collection, current._id, next._id);
  const $set: Record<string, unknown> = {};
  const $unset: Record<string, ''> = {};
  for (const [k, v] of Object.entries(next)) {
    if (k !== '_id' && k !== OUTBOX_FIELD && v !== undefined) $set[k] = v;
  }
  for (const k of Object.keys(current)) {
    if (k !== '_id' && k !== OUTBOX_FIELD && !(k in $set)) $unset[k] = '';
  }
  return { $set, $unset };
}

/** Throws {@link InvalidEvents} unless every event passes the catalogue's validation. */
export function assertValidEvents(collection: string, id: string, events: readonly HomewardEvent[]): void {
  const problems = events.flatMap((e) => {
    const errors = validateEvent(e);
    return errors.length > 0 ? [{ eventId: e.id, type: e.type, errors }] : [];
  });
  if (problems.length > 0) throw new InvalidEvents(collection, id, problems);
}

/** A limit as MongoDB reads it: zero (or less) means none. */
export function effectiveLimit(limit: number | undefined): number | undefined {
  return limit !== undefined && limit > 0 ? limit : undefined;
}
