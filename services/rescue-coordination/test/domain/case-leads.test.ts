import { describe, expect, it } from 'vitest';
import { RECENT_LEADS } from '../../src/domain/case.ts';
import { addLead, newLead } from '../../src/domain/case-leads.ts';
import { at, H, leadEvent, MIN, openCase } from './fixtures.ts';

// A case's leads (domain/case-leads.ts).

describe('leads', () => {
  it('a lead is a row of its own; the case counts it and keeps it among the newest; the same lead again changes nothing', () => {
    const event = leadEvent();
    const lead = newLead(event);
    expect(lead).toEqual({
      caseId: 'case-1',
      leadId: 'lead-1',
      addedAt: new Date('2026-11-28T08:30:00Z'),
      origin: 'sighting',
      seenAt: event.data.seenAt,
      reportedBy: event.data.reportedBy,
      description: 'a boy in a red jacket',
      photoUrl: 'https://photos.example.org/l/1.jpg',
    });
    const before = openCase();
    const d = addLead(before, lead, at(40 * MIN));
    expect(d?.events).toEqual([]);
    const row = { _id: 'case-1:000000001', seq: 1, ...lead };
    expect(d?.result).toEqual(row);
    expect(d?.doc).toMatchObject({ version: 2, updatedAt: at(40 * MIN), leadCount: 1, recentLeads: [row] });
    // No timeline line per lead: the case document does not grow with its sightings.
    expect(d?.doc.timeline).toEqual(before.timeline);
    expect(addLead(d!.doc, lead, at(41 * MIN))).toBeNull();
  });

  it('keeps only the newest leads on the case, however many come, and counts them all', () => {
    let doc = openCase();
    for (let i = 1; i <= RECENT_LEADS + 5; i++)
      doc = addLead(doc, newLead(leadEvent('case-1', `lead-${i}`)), at(H))!.doc;
    expect(doc.leadCount).toBe(RECENT_LEADS + 5);
    expect(doc.recentLeads).toHaveLength(RECENT_LEADS);
    expect(doc.recentLeads[0]?.leadId).toBe('lead-6');
    expect(doc.recentLeads.at(-1)).toMatchObject({
      leadId: `lead-${RECENT_LEADS + 5}`,
      seq: RECENT_LEADS + 5,
      _id: `case-1:0000000${RECENT_LEADS + 5}`,
    });
  });

  it('a lead without description or photo records neither', () => {
    const event = leadEvent();
    const { description: _d, photoUrl: _p, ...bare } = event.data;
    const lead = newLead({ ...event, data: bare });
    expect(lead).not.toHaveProperty('description');
    expect(lead).not.toHaveProperty('photoUrl');
  });
});
