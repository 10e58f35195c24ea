import { setTimeout as sleep } from 'node:timers/promises';
import {
  type CloudEvent,
  createEvent,
  findUnsafeKeys,
  type HomewardEvent,
  type MissingChildReport,
  type ReportData,
  validateReportData,
} from '@homeward/events';
import { type OutboxRelay, outboxInsert } from '@homeward/messaging';
import {
  type Clock,
  ConflictError,
  ForbiddenError,
  InputError,
  type Logger,
  NotFoundError,
  type Principal,
} from '@homeward/service-kit';

import { duplicateChildKey, withinWindow } from './domain/duplicate-child.ts';
import { caseIdFor, eventIdFor, fingerprint, reportIdFor } from './domain/ids.ts';
import { mayReport } from './domain/permissions.ts';
import { checkReportRules } from './domain/report-rules.ts';
import type { ChildKeyDoc, Outcome, ReportDoc, ReportStore } from './store/report-store.ts';

export const SOURCE = 'homeward/intake';
export const REPORT_TYPE = 'homeward.report.submitted';

/** A claim on a child key older than this, whose report never landed, was left by a crash. */
const STALE_CLAIM_MS = 10_000;

export interface ReportIntakeDeps {
  store: ReportStore;
  relay: OutboxRelay;
  clock: Clock;
  logger: Logger;
  duplicateWindowDays: number;
}

export interface Submission {
  event: CloudEvent;
  principal: Principal;
  channel: 'http' | 'kafka';
  traceparent?: string;
}

/** The answer to a report: the same for its first delivery and every retry. */
export interface SubmitResult {
  reportId: string;
  caseId: string;
  outcome: Outcome;
  /** True when this was a retry answered from the first delivery's record. */
  replay: boolean;
}

/**
 * The one pipeline behind both ways in (HTTP and Kafka): validate, authorise, deduplicate,
 * decide case or lead, and store the report with its event in one write. Errors are the
 * service kit's (400, 403, 404, 409), so each way in maps them its own way.
 */
export class ReportIntake {
  constructor(private readonly deps: ReportIntakeDeps) {}

  async submit(s: Submission): Promise<SubmitResult> {
    const { event, principal } = s;
    if (event.type !== REPORT_TYPE) {
      throw new InputError(
        `only ${REPORT_TYPE} events are accepted here`,
        [{ field: '/type', message: `must be "${REPORT_TYPE}"` }],
        'INTAKE_ERR_WRONG_TYPE',
      );
    }
    const unsafe = findUnsafeKeys(event.data, '/data');
    if (unsafe.length > 0)
      throw new InputError('the report contains keys that are not allowed', unsafe, 'INTAKE_ERR_UNSAFE_KEYS');
    const schemaErrors = validateReportData(event.data);
    if (schemaErrors.length > 0)
      throw new InputError('the report is invalid', schemaErrors, 'INTAKE_ERR_INVALID_REPORT');
    const data = event.data as ReportData;
    if (!mayReport(principal.role, data.kind)) {
      throw new ForbiddenError(
        `the role "${principal.role}" may not send "${data.kind}" reports`,
        'INTAKE_ERR_KIND_NOT_ALLOWED',
      );
    }
    const now = this.deps.clock.now();
    const ruleErrors = checkReportRules(data, now);
    if (ruleErrors.length > 0)
      throw new InputError('the report is invalid', ruleErrors, 'INTAKE_ERR_INVALID_REPORT');

    const reportId = reportIdFor(principal.agencyId, event.id);
    const print = fingerprint(event.type, data);
    const existing = await this.deps.store.findReport(reportId);
    if (existing) return this.replay(existing, print);

    const decision = await this.decide(data, reportId, now);
    const outgoing = this.eventFor(decision, data, reportId, principal, now, s.traceparent);
    const doc: ReportDoc = {
      _id: reportId,
      agencyId: principal.agencyId,
      reportedBy: principal,
      eventId: event.id,
      eventSource: event.source,
      fingerprint: print,
      kind: data.kind,
      caseId: decision.caseId,
      outcome: decision.outcome,
      channel: s.channel,
      receivedAt: now,
      data,
      ...(decision.childKey ? { childKey: decision.childKey } : {}),
      ...outboxInsert([outgoing]),
    };
    const inserted = await this.deps.relay.commit(this.deps.store.reports, reportId, () =>
      this.deps.store.insertReport(doc),
    );
    if (!inserted) {
      // A concurrent copy of the same report stored first: answer as it did.
      const first = await this.deps.store.findReport(reportId);
      if (!first) throw new Error(`report ${reportId} vanished after a duplicate-key insert`);
      return this.replay(first, print);
    }
    await this.afterStored(doc);
    return { reportId, caseId: decision.caseId, outcome: decision.outcome, replay: false };
  }

  /** Answers a retry from the first delivery, after re-running its idempotent follow-ups. */
  private async replay(first: ReportDoc, print: string): Promise<SubmitResult> {
    if (first.fingerprint !== print) {
      throw new ConflictError(
        'this CloudEvent id was already used by your agency for a different report; use a new id for new content',
        'INTAKE_ERR_ID_REUSED',
      );
    }
    await this.afterStored(first);
    return { reportId: first._id, caseId: first.caseId, outcome: first.outcome, replay: true };
  }

  /** What must follow a stored report; idempotent, so a retry after a crash completes it. */
  private async afterStored(doc: ReportDoc): Promise<void> {
    if (doc.outcome === 'case-opened') {
      await this.deps.store.recordCaseOpened({
        _id: doc.caseId,
        status: 'open',
        kind: doc.kind,
        region: regionOf(doc.data),
        openedAt: doc.receivedAt,
        reportId: doc._id,
        ...(doc.childKey ? { childKey: doc.childKey } : {}),
      });
    } else if (doc.childKey && doc.data.kind === 'missing-child') {
      await this.deps.store.touchChildKey(doc.childKey, doc.caseId, doc.data.lastSeen.at);
    }
  }

  private async decide(
    data: ReportData,
    reportId: string,
    now: Date,
  ): Promise<{ caseId: string; outcome: Outcome; childKey?: string }> {
    switch (data.kind) {
      case 'sighting': {
        const found = await this.deps.store.findCase(data.caseId);
        if (!found) throw new NotFoundError(`no case "${data.caseId}"`, 'INTAKE_ERR_CASE_NOT_FOUND');
        if (found.status === 'closed')
          throw new ConflictError(`the case "${data.caseId}" is closed`, 'INTAKE_ERR_CASE_CLOSED');
        return { caseId: found._id, outcome: 'lead-added' };
      }
      case 'missing-child':
        return this.decideMissingChild(data, reportId, now);
      default:
        return { caseId: caseIdFor(reportId), outcome: 'case-opened' };
    }
  }

  /**
   * The duplicate-child rule with concurrent reports in mind: the first report to claim the
   * child's key opens the case; the others find the claim and add leads to that case.
   */
  private async decideMissingChild(
    data: MissingChildReport,
    reportId: string,
    now: Date,
  ): Promise<{ caseId: string; outcome: Outcome; childKey: string }> {
    const key = duplicateChildKey(data);
    const mine: ChildKeyDoc = {
      _id: key,
      caseId: caseIdFor(reportId),
      openerReportId: reportId,
      lastSeenAt: data.lastSeen.at,
      claimedAt: now,
    };
    const opened = { caseId: mine.caseId, outcome: 'case-opened' as const, childKey: key };
    const deadline = Date.now() + 3_000;
    for (;;) {
      const claim = await this.deps.store.claimChildKey(mine);
      if (!claim || claim.openerReportId === reportId) return opened;
      const kase = await this.deps.store.findCase(claim.caseId);
      const openerLanded = kase !== null || (await this.deps.store.findReport(claim.openerReportId)) !== null;
      if (openerLanded && kase?.status !== 'closed') {
        if (withinWindow(claim.lastSeenAt, data.lastSeen.at, this.deps.duplicateWindowDays)) {
          return { caseId: claim.caseId, outcome: 'lead-added', childKey: key };
        }
        if (await this.deps.store.replaceChildKey(claim, mine)) return opened;
        continue;
      }
      const stale = now.getTime() - new Date(claim.claimedAt).getTime() > STALE_CLAIM_MS;
      if (kase?.status === 'closed' || stale || Date.now() > deadline) {
        if (await this.deps.store.replaceChildKey(claim, mine)) return opened;
        continue;
      }
      // The opener is between its claim and its write (milliseconds): wait for it.
      await sleep(20);
    }
  }

  private eventFor(
    decision: { caseId: string; outcome: Outcome },
    data: ReportData,
    reportId: string,
    reportedBy: Principal,
    now: Date,
    traceparent: string | undefined,
  ): HomewardEvent {
    const common = {
      source: SOURCE,
      subject: decision.caseId,
      time: now,
      ...(traceparent ? { traceparent } : {}),
    };
    if (decision.outcome === 'case-opened') {
      if (data.kind === 'sighting') throw new Error('a sighting never opens a case');
      return createEvent(
        'homeward.case.opened',
        {
          caseId: decision.caseId,
          kind: data.kind,
          region: regionOf(data),
          openedAt: now.toISOString(),
          reportId,
          reportedBy,
          report: data,
        },
        { ...common, id: eventIdFor(reportId, 'case-opened') },
      );
    }
    const lead =
      data.kind === 'sighting'
        ? {
            origin: 'sighting' as const,
            seenAt: data.seenAt,
            description: data.description,
            ...(data.photoUrl ? { photoUrl: data.photoUrl } : {}),
          }
        : data.kind === 'missing-child'
          ? {
              origin: 'duplicate-report' as const,
              seenAt: data.lastSeen,
              ...(data.child.description ? { description: data.child.description } : {}),
              ...(data.child.photoUrl ? { photoUrl: data.child.photoUrl } : {}),
            }
          : undefined;
    if (!lead) throw new Error(`a ${data.kind} report never adds a lead`);
    return createEvent(
      'homeward.case.lead-added',
      {
        caseId: decision.caseId,
        leadId: reportId,
        reportId,
        addedAt: now.toISOString(),
        reportedBy,
        ...lead,
      },
      { ...common, id: eventIdFor(reportId, 'lead-added') },
    );
  }
}

/** The division a report happened in. */
export function regionOf(data: ReportData): string {
  switch (data.kind) {
    case 'missing-child':
      return data.lastSeen.region;
    case 'unidentified-child':
      return data.foundAt.region;
    case 'suspected-trafficking':
      return data.location.region;
    case 'sighting':
      return data.seenAt.region;
  }
}
