import { onDnaMatchConfirmed } from '../domain/case-facts.ts';
import { handler, type ProjectionDeps } from './case-events.ts';

/**
 * A confirmed DNA match identifies the child on the child's own case (where it is rescued and
 * placed) with the parents' case as its family; a match that names only the parents' case
 * identifies that one.
 */
export function dnaEventHandlers(deps: ProjectionDeps) {
  return {
    'homeward.dna.match-confirmed': handler<'homeward.dna.match-confirmed'>(
      deps,
      (e) => e.data.childCaseId ?? e.data.caseId,
      onDnaMatchConfirmed,
    ),
  };
}
