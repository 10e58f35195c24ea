import type { Actor, CaseKind, HomewardEvent, ReportData, ReportKind } from '@homeward/events';
import type { AggregateStore, FactStore, Persistence } from '@homeward/persistence';
import type { ChildKeyClaim } from '../domain/duplicate-child.ts';
import { type Outcome, outcomeEvent } from '../domain/report-outcome.ts';

/** A report as received: the idempotency record and the answer given (its event derives from it: see `reportEvents`). */
export interface ReportDoc {
  /** Derived from agency + CloudEvent id: the idempotency key as a point lookup. */
  _id: string;
  agencyId: string;
  reportedBy: Actor;
  eventId: string;
  eventSource: string;
  fingerprint: string;
  kind: ReportKind;
  caseId: string;
  outcome: Outcome;
  channel: 'http' | 'kafka';
  receivedAt: Date;
  data: ReportData;
  childKey?: string;
  /** The W3C trace context the report came with: its event carries it (see `reportEvents`). */
  traceparent?: string;
}

/** What intake knows of a case: enough to route sightings and to apply the duplicate rule. */
export interface CaseDoc {
  _id: string;
  status: 'open' | 'closed';
  kind: CaseKind;
  region: string;
  openedAt: Date;
  reportId: string;
  childKey?: string;
  closedAt?: Date;
}

/** A claim on a child's identity key, as stored: see {@link ChildKeyClaim}. */
export type ChildKeyDoc = ChildKeyClaim;

/**
 * Intake's stores. Every hot lookup is by `_id` (the one filter FerretDB pushes down): reports
 * by their derived id, cases by case id, child keys by their digest.
 */
export interface IntakeStores {
  /** Written once each, with the report's event (`case.opened` or `case.lead-added`). */
  reports: FactStore<ReportDoc>;
  /** Created once from the report that opened them; changed (closed) under the case's lease. */
  cases: AggregateStore<CaseDoc>;
  /** Claimed once; taken over, slid on and released under the key's lease. */
  childKeys: AggregateStore<ChildKeyDoc>;
}

/**
 * The one collection that holds all three: a report and the case it opens are inserted together,
 * and in one collection they go to the database in one group-committed command, not one per
 * collection (FerretDB's SQLite takes one writer per database, so each command waits for the
 * others); a child's key, claimed just before, goes in a round with other reports' writes. Their
 * ids never coincide: `rpt-…`, `case-…` and `child-…`.
 */
const RECORDS = 'records';

/**
 * The event a stored report published: derived from the report alone (its id and time come
 * from the report id and the time received), so the store keeps it out of the report's document
 * and the outbox relay's sweep derives it from there after a crash.
 */
export function reportEvents(doc: ReportDoc): HomewardEvent[] {
  return [
    outcomeEvent(
      { caseId: doc.caseId, outcome: doc.outcome, ...(doc.childKey ? { childKey: doc.childKey } : {}) },
      doc.data,
      {
        reportId: doc._id,
        reportedBy: doc.reportedBy,
        now: new Date(doc.receivedAt),
        ...(doc.traceparent ? { traceparent: doc.traceparent } : {}),
      },
    ),
  ];
}

export function intakeStores(persistence: Persistence): IntakeStores {
  return {
    // The answer goes back once the report is stored; the relay publishes its event right
    // after, and its sweep finishes the job after a crash, deriving the event from the report.
    reports: persistence.facts<ReportDoc>('reports', {
      awaitPublish: false,
      collection: RECORDS,
      eventsOf: reportEvents,
    }),
    cases: persistence.aggregate<CaseDoc>('cases', { collection: RECORDS }),
    childKeys: persistence.aggregate<ChildKeyDoc>('child_keys', { collection: RECORDS }),
  };
}
