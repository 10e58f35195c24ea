import { createEvent, type HomewardEvent, type Role, type SubmissionStatus } from '@homeward/events';
import { type Calendar, deadline, dueDate, yearEnd } from './deadlines.ts';
import { type Counts, nonZero } from './figures.ts';
import type { Caller } from './scope.ts';

/** What only the department knows of its year. */
export interface OwnFigures {
  publicityCampaigns: number;
  trainingSessions: number;
  peopleScreened: number;
}

/** One version of a submission: what was submitted, and the platform's figures at that moment. */
export interface SubmissionVersion {
  version: number;
  submittedAt: string;
  own: OwnFigures;
  narrative: string;
  /** The platform's figures for the department's region and year when it submitted. */
  platform: Counts;
  /** Submitted after the deadline. */
  late: boolean;
}

/** An office's word on a version: returned with a comment, or accepted. */
export interface Review {
  kind: 'returned' | 'accepted';
  version: number;
  at: string;
  by: Caller;
  comment?: string;
}

/**
 * A department's annual report of one year for one region: one document (`_id` the submission
 * id), every version kept, every review kept, changed only under its lease.
 */
export interface SubmissionDoc {
  _id: string;
  year: number;
  region: string;
  agencyId: string;
  role: Role;
  status: SubmissionStatus;
  dueDate: string;
  versions: SubmissionVersion[];
  reviews: Review[];
}

/** The id of a department's report of a year for a region. */
export function submissionId(year: number, region: string, agencyId: string): string {
  return `${year}:${region}:${agencyId}`;
}

export const SOURCE = 'homeward/coordination';

/** The refusals of the submission rules, named by the service's error keys. */
export type SubmissionRefusal = 'yearNotEnded' | 'awaitingReview' | 'alreadyAccepted' | 'notAwaitingReview';

export class SubmissionRuleError extends Error {
  constructor(
    readonly key: SubmissionRefusal,
    message: string,
  ) {
    super(message);
    this.name = 'SubmissionRuleError';
  }
}

export interface SubmitInput {
  year: number;
  own: OwnFigures;
  narrative: string;
}

export interface Decision {
  doc: SubmissionDoc;
  events: HomewardEvent[];
  result: { created: boolean; changed: boolean };
}

const sameContent = (v: SubmissionVersion | undefined, input: SubmitInput) =>
  v !== undefined &&
  v.narrative === input.narrative &&
  v.own.publicityCampaigns === input.own.publicityCampaigns &&
  v.own.trainingSessions === input.own.trainingSessions &&
  v.own.peopleScreened === input.own.peopleScreened;

const refOf = (d: SubmissionDoc) => ({
  submissionId: d._id,
  year: d.year,
  region: d.region,
  agencyId: d.agencyId,
  role: d.role,
});

/**
 * A submission or a resubmission. The year must have ended (reports are of whole years); a
 * submission awaiting review is not replaced (the office may be reading it), except that the
 * same content again (a retried request) changes nothing; an accepted one is final. A returned
 * one takes a new version.
 */
export function submit(
  current: SubmissionDoc | null,
  caller: Caller,
  input: SubmitInput,
  platform: Counts,
  now: Date,
  cal: Calendar,
): Decision | null {
  if (now.getTime() < yearEnd(cal, input.year).getTime())
    throw new SubmissionRuleError(
      'yearNotEnded',
      `the year ${input.year} has not ended; it is reported from 1 January ${input.year + 1}`,
    );
  const last = current?.versions[current.versions.length - 1];
  if (current?.status === 'accepted')
    throw new SubmissionRuleError(
      'alreadyAccepted',
      `version ${last?.version} was accepted; the report of ${input.year} is final`,
    );
  if (current?.status === 'submitted') {
    if (sameContent(last, input)) return null;
    throw new SubmissionRuleError(
      'awaitingReview',
      `version ${last?.version} awaits the office's review; it can be changed once returned`,
    );
  }
  const version: SubmissionVersion = {
    version: (last?.version ?? 0) + 1,
    submittedAt: now.toISOString(),
    own: { ...input.own },
    narrative: input.narrative,
    platform,
    late: now.getTime() >= deadline(cal, input.year).getTime(),
  };
  const doc: SubmissionDoc = current
    ? { ...current, status: 'submitted', versions: [...current.versions, version] }
    : {
        _id: submissionId(input.year, caller.region, caller.agencyId),
        year: input.year,
        region: caller.region,
        agencyId: caller.agencyId,
        role: caller.role,
        status: 'submitted',
        dueDate: dueDate(input.year),
        versions: [version],
        reviews: [],
      };
  const event = createEvent(
    'homeward.coordination.submission-submitted',
    {
      ...refOf(doc),
      version: version.version,
      submittedAt: version.submittedAt,
      dueDate: doc.dueDate,
      late: version.late,
      own: version.own,
      platform: nonZero(platform),
    },
    { source: SOURCE, subject: doc._id, id: `${doc._id}:v${version.version}:submitted` },
  );
  return { doc, events: [event], result: { created: current === null, changed: true } };
}

/** An office returns the version under review with a comment, or accepts it. */
export function review(
  current: SubmissionDoc,
  caller: Caller,
  kind: Review['kind'],
  comment: string | undefined,
  now: Date,
): Decision {
  if (current.status !== 'submitted')
    throw new SubmissionRuleError(
      current.status === 'accepted' ? 'alreadyAccepted' : 'notAwaitingReview',
      `the submission is ${current.status}; only a submitted version is returned or accepted`,
    );
  const version = current.versions[current.versions.length - 1]!.version;
  const at = now.toISOString();
  const by = { agencyId: caller.agencyId, role: caller.role, region: caller.region };
  const doc: SubmissionDoc = {
    ...current,
    status: kind,
    reviews: [...current.reviews, { kind, version, at, by, ...(comment !== undefined ? { comment } : {}) }],
  };
  const opts = { source: SOURCE, subject: doc._id, id: `${doc._id}:v${version}:${kind}` };
  const event =
    kind === 'returned'
      ? createEvent(
          'homeward.coordination.submission-returned',
          { ...refOf(doc), version, returnedAt: at, returnedBy: by, comment: comment ?? '' },
          opts,
        )
      : createEvent(
          'homeward.coordination.submission-accepted',
          { ...refOf(doc), version, acceptedAt: at, acceptedBy: by },
          opts,
        );
  return { doc, events: [event], result: { created: false, changed: true } };
}

/** The version a reader sees: the latest. */
export function latest(doc: SubmissionDoc): SubmissionVersion {
  return doc.versions[doc.versions.length - 1]!;
}
