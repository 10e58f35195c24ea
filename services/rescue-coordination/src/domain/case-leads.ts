import type { HomewardEvent } from '@homeward/events';
import { type CaseDoc, type LeadRecord, leadRowId, type NewLead, nextVersion, RECENT_LEADS } from './case.ts';
import type { Decision } from './case-plan.ts';

// A case's leads (sightings, second reports): numbered on the case, the newest kept on it.

/** A lead (sighting or duplicate report) as the event brings it. */
export function newLead(event: HomewardEvent<'homeward.case.lead-added'>): NewLead {
  const d = event.data;
  return {
    caseId: d.caseId,
    leadId: d.leadId,
    addedAt: new Date(d.addedAt),
    origin: d.origin,
    seenAt: d.seenAt,
    reportedBy: d.reportedBy,
    ...(d.description ? { description: d.description } : {}),
    ...(d.photoUrl ? { photoUrl: d.photoUrl } : {}),
  };
}

/**
 * Numbers a lead on its case (the next `seq`), counts it and keeps it among the newest; a lead
 * among them already changes nothing (a redelivery). The lead itself is a row of `case_leads`
 * (the caller writes it), and no timeline entry is written per lead: the case document stays
 * the same size however many sightings come in.
 */
export function addLead(doc: CaseDoc, lead: NewLead, now: Date): Decision<LeadRecord> | null {
  if (doc.recentLeads.some((l) => l.leadId === lead.leadId)) return null;
  const seq = doc.leadCount + 1;
  const row: LeadRecord = { _id: leadRowId(doc._id, seq), seq, ...lead, caseId: doc._id };
  return {
    doc: nextVersion(doc, now, {
      leadCount: seq,
      recentLeads: [...doc.recentLeads, row].slice(-RECENT_LEADS),
    }),
    events: [],
    result: row,
  };
}
