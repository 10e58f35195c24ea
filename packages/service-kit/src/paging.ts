import { type Static, Type } from '@sinclair/typebox';

/** The most items one page of any list endpoint returns. */
export const MAX_PAGE_SIZE = 200;
/** The page size when a caller names none. */
export const DEFAULT_PAGE_SIZE = 50;
/**
 * The furthest offset a caller may ask for: lists are filtered in the store and read whole on
 * FerretDB, so deep offsets are refused rather than made expensive; narrow the filters instead.
 */
export const MAX_PAGE_OFFSET = 10_000;

/**
 * The paging query every list endpoint takes (`limit` at most {@link MAX_PAGE_SIZE}, `offset`
 * at most {@link MAX_PAGE_OFFSET}); compose it into the route's querystring schema with
 * `Type.Composite([filters, PageQuery])`.
 */
export const PageQuery = Type.Object({
  limit: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: MAX_PAGE_SIZE,
      description: `page size (default ${DEFAULT_PAGE_SIZE})`,
    }),
  ),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_PAGE_OFFSET, description: 'items to skip' })),
});
export type PageQuery = Static<typeof PageQuery>;

/** The page a query asks for, with the defaults applied. */
export function pageWindow(q: PageQuery): { limit: number; offset: number } {
  return {
    limit: Math.min(q.limit ?? DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE),
    offset: Math.min(q.offset ?? 0, MAX_PAGE_OFFSET),
  };
}

/**
 * A page from the rows a store returned for `limit + 1` (ask for one more than the page to know
 * whether another follows, without a count).
 */
export function pageOf<T>(rows: readonly T[], q: PageQuery): { items: T[]; nextOffset: number | null } {
  const { limit, offset } = pageWindow(q);
  return { items: rows.slice(0, limit), nextOffset: rows.length > limit ? offset + limit : null };
}
