import { type ReactNode, useState } from 'react';

/** Whole numbers as the page writes them: `10,457`. */
export const count = (n: number | undefined): string => (n ?? 0).toLocaleString('en');

/**
 * One page of a long list, and the pager under it: a panel shows at most `perPage` rows
 * whatever the province's load, and says how many there are (and how many in all, when the
 * board lists only the first). The page stays in range when the list shrinks.
 */
export function usePage<T>(
  items: readonly T[],
  perPage: number,
  testId: string,
  /** How many there are in all, when the board sent only the first of them. */
  total = items.length,
): { rows: readonly T[]; pager: ReactNode } {
  const [page, setPage] = useState(0);
  const pages = Math.max(1, Math.ceil(items.length / perPage));
  const current = Math.min(page, pages - 1);
  const rows = items.slice(current * perPage, (current + 1) * perPage);
  const pager =
    pages > 1 || total > items.length ? (
      <div className="pager" data-testid={testId}>
        <span className="muted">
          {count(current * perPage + 1)}–{count(current * perPage + rows.length)} of {count(items.length)}
          {total > items.length ? ` listed (${count(total)} in all)` : ''}
        </span>
        <button
          type="button"
          aria-label="previous page"
          disabled={current === 0}
          onClick={() => setPage(current - 1)}
        >
          ‹
        </button>
        <span>
          {current + 1} / {pages}
        </span>
        <button
          type="button"
          aria-label="next page"
          disabled={current >= pages - 1}
          onClick={() => setPage(current + 1)}
        >
          ›
        </button>
      </div>
    ) : null;
  return { rows, pager };
}
