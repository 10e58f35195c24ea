import { type AssistanceAction, regionAncestors, regionContains } from '@homeward/events';
import { type Principal, regionFilter } from '@homeward/service-kit';
import { granted } from './assistance.ts';
import type { CaseDoc } from './case.ts';

/**
 * What a caller does to a case, as the scope rule names it. A case's own region's police (and
 * operators, for reads) reach it; police of another region reach it only for the actions an
 * accepted assistance grants them.
 */
export { AssistanceActions as CaseAccessActions } from '@homeward/events';
export type CaseAccessAction = AssistanceAction;

/**
 * Does `who` reach this case for `action`? Its region contains the case's, or an accepted
 * assistance grants `who`'s region this action while the case is open; otherwise not (the
 * route answers 404, as for a case that does not exist).
 */
export function mayReach(
  doc: Pick<CaseDoc, 'region' | 'status' | 'assistance'>,
  who: Principal,
  action: CaseAccessAction,
): boolean {
  return regionContains(who.region, doc.region) || granted(doc, who, action);
}

/**
 * The store filter of the cases a caller reaches for reading (see {@link mayReach}): its
 * region's, and for police the open cases with an accepted assistance granting `read` to a
 * region that contains the caller's.
 */
export function caseScopeFilter(who: Principal): Record<string, unknown> {
  const own = regionFilter('region', who.region);
  if (who.role !== 'police' || Object.keys(own).length === 0) return own;
  const { province, prefecture } = regionAncestors(who.region);
  const grant = {
    status: { $ne: 'closed' },
    readGrants: { $in: [...new Set([who.region, prefecture, province])] },
  };
  return { $or: [own, grant] };
}
