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
export function isDuplicateKey(err: unknown, depth = 0): boolean {
  if (typeof err !== 'object' || err === null || depth > 4) return false;
  const e = err as MaybeMongoError;
  if (typeof e.code === 'number' && DUPLICATE_KEY_CODES.has(e.code)) return true;
  if (typeof e.errorResponse?.code === 'number' && DUPLICATE_KEY_CODES.has(e.errorResponse.code)) return true;
  if (Array.isArray(e.writeErrors) && e.writeErrors.length > 0) {
    // A bulk write that failed for other reasons too is not "only a duplicate".
    return e.writeErrors.every((w) => isDuplicateKey(w, depth + 1));
  }
  return e.cause !== undefined && isDuplicateKey(e.cause, depth + 1);
}
