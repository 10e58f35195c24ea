import type { EventData, HomewardEvent } from '@homeward/events';
import { type CaseDoc, nextVersion, timelineEntry } from './case.ts';
import type { Decision } from './case-plan.ts';
import { markVictims, victimsOf } from './victims.ts';

// A confirmed DNA match on a case: the child identified, and the parents' and the child's cases linked.

/**
 * The other case a confirmed match ties to this one, if the match names two: the child's own
 * case sees the parents' case, and the parents' case sees the child's.
 */
export function linkedCaseOf(
  caseId: string,
  d: Pick<EventData<'homeward.dna.match-confirmed'>, 'caseId' | 'childCaseId'>,
): { caseId: string; as: 'parents-case' | 'child-case' } | undefined {
  if (!d.caseId || !d.childCaseId || d.caseId === d.childCaseId) return undefined;
  if (caseId === d.childCaseId) return { caseId: d.caseId, as: 'parents-case' };
  if (caseId === d.caseId) return { caseId: d.childCaseId, as: 'child-case' };
  return undefined;
}

/** The cases a confirmed match identifies: the parents' case and the child's own, each once. */
export function casesOfMatch(d: Pick<EventData<'homeward.dna.match-confirmed'>, 'caseId' | 'childCaseId'>) {
  return [...new Set([d.childCaseId, d.caseId].filter((c): c is string => c !== undefined))];
}

/**
 * A confirmed DNA match identifies the child, on the parents' case and on the child's own, and
 * links the two: each timeline names the other. The same match again changes nothing.
 */
export function markIdentified(
  doc: CaseDoc,
  event: HomewardEvent<'homeward.dna.match-confirmed'>,
  now: Date,
): Decision<true> | null {
  const d = event.data;
  if (doc.identified?.matchId === d.matchId) return null;
  const identified = {
    matchId: d.matchId,
    childSampleId: d.childSampleId,
    parentSampleIds: d.parentSampleIds,
    ...(d.caseId ? { parentsCaseId: d.caseId } : {}),
    ...(d.childCaseId ? { childCaseId: d.childCaseId } : {}),
    confirmedAt: d.confirmedAt,
    confirmedBy: d.confirmedBy,
  };
  const other = linkedCaseOf(doc._id, d);
  const links = other
    ? [...(doc.links ?? []), { caseId: other.caseId, as: other.as, matchId: d.matchId, at: d.confirmedAt }]
    : doc.links;
  const entry = timelineEntry(event, new Date(d.confirmedAt), {
    matchId: d.matchId,
    confirmedBy: d.confirmedBy,
    ...(other ? { linkedCaseId: other.caseId, linkedAs: other.as } : {}),
  });
  // The match does not name a victim: it identifies the case's child when the case has one.
  const all = victimsOf(doc);
  const children = all.filter((v) => v.category === 'child');
  const victims =
    children.length === 1
      ? markVictims(all, children, (v) =>
          v.identified ? v : { ...v, identified: { at: d.confirmedAt, via: 'dna', matchId: d.matchId } },
        )
      : all;
  return {
    doc: nextVersion(doc, now, {
      identified,
      victims,
      ...(links ? { links } : {}),
      timeline: [...doc.timeline, entry],
    }),
    events: [],
    result: true,
  };
}
