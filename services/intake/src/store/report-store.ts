import type { Actor, CaseKind, ReportData, ReportKind } from '@homeward/events';
import type { OutboxFields } from '@homeward/messaging';
import type { Collection, Db } from 'mongodb';
import { type ChildKeyClaim, slideWindow } from '../domain/duplicate-child.ts';
import type { Outcome } from '../domain/report-outcome.ts';

/** A report as received: the idempotency record, the answer given, and its pending events. */
export interface ReportDoc extends OutboxFields {
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

const DUPLICATE_KEY = 11000;
const isDuplicate = (err: unknown) => (err as { code?: number }).code === DUPLICATE_KEY;

/**
 * Intake's collections. Every hot lookup is by `_id` (the one filter FerretDB pushes down):
 * reports by their derived id, cases by case id, child keys by their digest.
 */
export class ReportStore {
  readonly reports: Collection<ReportDoc>;
  readonly cases: Collection<CaseDoc>;
  readonly childKeys: Collection<ChildKeyDoc>;

  constructor(db: Db) {
    this.reports = db.collection<ReportDoc>('reports');
    this.cases = db.collection<CaseDoc>('cases');
    this.childKeys = db.collection<ChildKeyDoc>('child_keys');
  }

  findReport(reportId: string): Promise<ReportDoc | null> {
    return this.reports.findOne({ _id: reportId }, { projection: { outbox: 0 } });
  }

  /** Inserts the report with its events; `false` when a concurrent copy got there first. */
  async insertReport(doc: ReportDoc): Promise<boolean> {
    try {
      await this.reports.insertOne(doc);
      return true;
    } catch (err) {
      if (isDuplicate(err)) return false;
      throw err;
    }
  }

  findCase(caseId: string): Promise<CaseDoc | null> {
    return this.cases.findOne({ _id: caseId });
  }

  /** Records an opened case unless known already (never reopens a closed one). */
  async recordCaseOpened(doc: CaseDoc): Promise<void> {
    try {
      await this.cases.insertOne(doc);
    } catch (err) {
      if (!isDuplicate(err)) throw err;
    }
  }

  /** Marks a case closed; returns it as it was, or null if intake never saw it open. */
  async closeCase(caseId: string, closedAt: Date): Promise<CaseDoc | null> {
    const found = await this.findCase(caseId);
    if (!found || found.status === 'closed') return found;
    await this.cases.updateOne({ _id: caseId }, { $set: { status: 'closed', closedAt } });
    return found;
  }

  /** Claims a child key; returns the existing claim instead if there is one. */
  async claimChildKey(doc: ChildKeyDoc): Promise<ChildKeyDoc | null> {
    try {
      await this.childKeys.insertOne(doc);
      return null;
    } catch (err) {
      if (!isDuplicate(err)) throw err;
      return this.childKeys.findOne({ _id: doc._id });
    }
  }

  /** Replaces a claim only if it is still the one we read (compare-and-set on the opener). */
  async replaceChildKey(expected: ChildKeyDoc, next: ChildKeyDoc): Promise<boolean> {
    const res = await this.childKeys.replaceOne(
      { _id: expected._id, openerReportId: expected.openerReportId },
      next,
    );
    return res.modifiedCount === 1 || res.matchedCount === 1;
  }

  /** Slides the duplicate window forward to a later time last seen. */
  async touchChildKey(key: string, caseId: string, lastSeenAt: string): Promise<void> {
    const current = await this.childKeys.findOne({ _id: key });
    const next = current && slideWindow(current, caseId, lastSeenAt);
    if (next) await this.childKeys.updateOne({ _id: key, caseId }, { $set: { lastSeenAt: next.lastSeenAt } });
  }

  /** Frees a child key when its case closes, so the next disappearance opens a new case. */
  async releaseChildKey(key: string, caseId: string): Promise<void> {
    await this.childKeys.deleteOne({ _id: key, caseId });
  }
}
