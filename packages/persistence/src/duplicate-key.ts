/**
 * MongoDB's duplicate-key error codes: 11000 is the one servers send today (FerretDB 1.24
 * included); 11001 is the older code some servers and drivers still report for updates.
 * https://www.mongodb.com/docs/manual/reference/error-codes/
 */
const DUPLICATE_KEY_CODES = new Set([11000, 11001]);

interface MaybeMongoError {
  code?: unknown;
  writeErrors?: unknown;
  errorResponse?: { code?: unknown };
  cause?: unknown;
}

/**
 * Whether an error says "a document with this unique key exists already": the outcome an
 * insert-once relies on (a retry, a concurrent copy, a lost race). It recognises the driver's
 * `MongoServerError`, a bulk write whose write errors are all duplicates, and either wrapped as
 * a `cause`.
 */
export function isDuplicateKey(err: unknown): boolean {
  return duplicateAt(err, 0);
}

/** Looks `depth` causes deep; a few levels are enough, and a cycle of causes ends. */
function duplicateAt(err: unknown, depth: number): boolean {
  if (typeof err !== 'object' || err === null || depth > 4) return false;
  const e = err as MaybeMongoError;
  if (Array.isArray(e.writeErrors) && e.writeErrors.length > 0) {
    // A bulk write that failed for other reasons too is not "only a duplicate", whatever its
    // own code (the driver copies the first write error's).
    return e.writeErrors.every((w) => duplicateAt(w, depth + 1));
  }
  if (typeof e.code === 'number' && DUPLICATE_KEY_CODES.has(e.code)) return true;
  if (typeof e.errorResponse?.code === 'number' && DUPLICATE_KEY_CODES.has(e.errorResponse.code)) return true;
  return e.cause !== undefined && duplicateAt(e.cause, depth + 1);
}
