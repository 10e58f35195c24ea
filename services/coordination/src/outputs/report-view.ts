import { COUNTERS, type Counter, counterLabel, isVictimCounter } from '../domain/figures.ts';
import { latest, type SubmissionDoc } from '../domain/submission.ts';

/** A submission laid out for people: what every output (CSV, page, PDF) shows, in one order. */
export interface ReportLayout {
  title: string;
  facts: Array<[string, string]>;
  platform: Array<{ key: Counter; label: string; value: number }>;
  own: Array<{ key: string; label: string; value: number }>;
  narrative: string;
  reviews: Array<{ version: number; kind: string; at: string; by: string; comment: string }>;
}

/** The layout of a submission's latest version. */
export function reportLayout(doc: SubmissionDoc): ReportLayout {
  const v = latest(doc);
  return {
    title: `Annual anti-trafficking report ${doc.year}: ${doc.agencyId} (${doc.role}), region ${doc.region}`,
    facts: [
      ['Submission', doc._id],
      ['Year', String(doc.year)],
      ['Region', doc.region],
      ['Department', `${doc.agencyId} (${doc.role})`],
      ['Status', doc.status],
      ['Version', String(v.version)],
      ['Submitted at', v.submittedAt],
      ['Due date', doc.dueDate],
      ['Submitted late', v.late ? 'yes' : 'no'],
    ],
    // Every department counter; of the sixty victims counters (measure × sex × age group) only
    // those that are not zero, so a page lists the victims there are rather than a grid of zeros.
    platform: COUNTERS.filter((key) => !isVictimCounter(key) || (v.platform[key] ?? 0) > 0).map((key) => ({
      key,
      label: counterLabel(key),
      value: v.platform[key] ?? 0,
    })),
    own: [
      { key: 'publicityCampaigns', label: 'Publicity campaigns held', value: v.own.publicityCampaigns },
      { key: 'trainingSessions', label: 'Training sessions', value: v.own.trainingSessions },
      { key: 'peopleScreened', label: 'People screened', value: v.own.peopleScreened },
    ],
    narrative: v.narrative,
    reviews: doc.reviews.map((r) => ({
      version: r.version,
      kind: r.kind,
      at: r.at,
      by: `${r.by.agencyId} (${r.by.region})`,
      comment: r.comment ?? '',
    })),
  };
}
