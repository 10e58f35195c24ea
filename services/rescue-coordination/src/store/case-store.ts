import type { Actor, EventData, ReportData } from '@homeward/events';
import type { OutboxFields } from '@homeward/messaging';
import type { Collection, Db, Filter } from 'mongodb';
import type { CaseStatus } from '../domain/lifecycle.ts';

type Officer = EventData<'homeward.case.team-assigned'>['chief'];

/** One line of a case's history, as GET /v1/cases/{caseId} shows it. */
export interface TimelineEntry {
  at: Date;
  type: string;
  /** The event that recorded it, when there is one (dedupes a redelivery). */
  eventId?: string;
  by?: { agencyId: string; role: string };
  details?: Record<string, unknown>;
}

export interface LeadRecord {
  leadId: string;
  addedAt: Date;
  origin: 'sighting' | 'duplicate-report';
  seenAt: { at: string; place: string; lat: number; lon: number; region: string };
  description?: string;
  photoUrl?: string;
  reportedBy: Actor;
}

/** A case as rescue coordination keeps it: one document, changed by compare-and-set on `version`. */
export interface CaseDoc extends OutboxFields {
  _id: string;
  version: number;
  kind: 'missing-child' | 'unidentified-child' | 'suspected-trafficking';
  status: CaseStatus;
  region: string;
  /** The province and prefecture codes of `region`, so a list filters any level by equality. */
  province: string;
  prefecture: string;
  openedAt: Date;
  updatedAt: Date;
  reportId: string;
  reportedBy: Actor;
  report: ReportData;
  team?: {
    assignedAt: Date;
    chief: Officer;
    investigationLead: Officer;
    rescueLead: Officer;
    familyLiaisonLead: Officer;
  };
  /** Every alert this case ever had, oldest first; the newest one may be active. */
  alertIds: string[];
  /** The alert the case is searching with, or null. The alert document says if it still runs. */
  activeAlertId: string | null;
  leads: LeadRecord[];
  located?: EventData<'homeward.case.child-located'> & { by: Actor };
  rescued?: EventData<'homeward.case.child-rescued'> & { by: Actor };
  identified?: {
    matchId: string;
    childSampleId: string;
    parentSampleIds: string[];
    confirmedAt: string;
    confirmedBy: string;
  };
  closed?: { closedAt: Date; reason: string; by: Actor };
  timeline: TimelineEntry[];
}

/** Who read which case and when; kept in MongoDB, logged without personal data. */
export interface AuditRecord {
  _id: string;
  at: Date;
  action: 'case.read' | 'case.list';
  agencyId: string;
  role: string;
  region: string;
  caseIds: string[];
  filters?: Record<string, string>;
}

const isDuplicate = (err: unknown) => (err as { code?: number }).code === 11000;

export interface CaseListFilter {
  status?: CaseStatus;
  kind?: CaseDoc['kind'];
  /** A division at any level: matches the cases inside it. */
  region?: { level: 'province' | 'prefecture' | 'county'; code: string };
}

/** The cases and the read audit. Hot paths read and write by `_id` only. */
export class CaseStore {
  readonly cases: Collection<CaseDoc>;
  readonly audit: Collection<AuditRecord>;

  constructor(db: Db) {
    this.cases = db.collection<CaseDoc>('cases');
    this.audit = db.collection<AuditRecord>('case_read_audit');
  }

  find(caseId: string): Promise<CaseDoc | null> {
    return this.cases.findOne({ _id: caseId }, { projection: { outbox: 0 } });
  }

  /** Inserts a new case; false when it exists already (a redelivered case.opened). */
  async insert(doc: CaseDoc): Promise<boolean> {
    try {
      await this.cases.insertOne(doc);
      return true;
    } catch (err) {
      if (isDuplicate(err)) return false;
      throw err;
    }
  }

  /** Lists cases, newest first. Not a hot path: FerretDB filters anything but `_id` in memory. */
  async list(
    filter: CaseListFilter,
    limit: number,
    offset: number,
  ): Promise<{ items: CaseDoc[]; total: number }> {
    const q: Filter<CaseDoc> = {};
    if (filter.status) q.status = filter.status;
    if (filter.kind) q.kind = filter.kind;
    if (filter.region) {
      const field = filter.region.level === 'county' ? 'region' : filter.region.level;
      q[field] = filter.region.code;
    }
    const [items, total] = await Promise.all([
      this.cases
        .find(q, { projection: { outbox: 0, timeline: 0, leads: 0, report: 0 } })
        .sort({ openedAt: -1, _id: 1 })
        .skip(offset)
        .limit(limit)
        .toArray(),
      this.cases.countDocuments(q),
    ]);
    return { items, total };
  }

  async recordRead(record: AuditRecord): Promise<void> {
    await this.audit.insertOne(record);
  }
}
