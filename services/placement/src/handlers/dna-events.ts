import { onDnaMatchConfirmed } from '../domain/case-facts.ts';
import { handler, type ProjectionDeps } from './case-events.ts';

/** A confirmed DNA match names the case it identifies the child of (when the lab knows it). */
export function dnaEventHandlers(deps: ProjectionDeps) {
  return {
    'homeward.dna.match-confirmed': handler<'homeward.dna.match-confirmed'>(
      deps,
      (e) => e.data.caseId,
      onDnaMatchConfirmed,
    ),
  };
}
