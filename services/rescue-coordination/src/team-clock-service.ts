import { type Scoped, scopeFilter, withScope } from '@homeward/service-kit';
import type { CaseServiceDeps } from './case-service.ts';
import type { CaseDoc } from './domain/case.ts';
import { teamDeadline, teamOverdueAt, teamOverdueEvent } from './domain/team-clock.ts';

/** That a case's team-overdue was raised, with that event: `_id` the case id, so once. */
export interface TeamClaim {
  _id: string;
  detectedAt: string;
}

/**
 * The application service of the special team clock: a case that waits too long for its team
 * raises `homeward.case.team-overdue` once (decided by domain/team-clock), and its due-time
 * index is kept in step. Nothing else: no rule lives here.
 */
export class TeamClockService {
  constructor(
    private readonly deps: Pick<
      CaseServiceDeps,
      'cases' | 'clock' | 'logger' | 'teamIndex' | 'teamClaims' | 'teamPolicy'
    >,
  ) {}

  /**
   * The team clock for one case: if it ran out, raises `homeward.case.team-overdue` in the outbox
   * of a claim whose `_id` is the case id (a taken `_id` fails atomically: any number of
   * checkers, and restarts, raise it once); then leaves the index right (the deadline still to
   * come, or no entry). Returns how many it raised (0 or 1).
   */
  async raiseTeamOverdue(caseId: string): Promise<number> {
    const doc = await this.deps.cases.get(caseId);
    const now = this.deps.clock.now();
    const deadline = doc ? teamDeadline(doc, this.deps.teamPolicy) : undefined;
    if (!doc || !deadline || now.getTime() < deadline.getTime()) {
      await this.deps.teamIndex.set(caseId, deadline ?? null);
      return 0;
    }
    const raised = await this.deps.teamClaims.insertOnce({ _id: caseId, detectedAt: now.toISOString() }, [
      teamOverdueEvent(doc, this.deps.teamPolicy, now),
    ]);
    await this.deps.teamIndex.set(caseId, null);
    if (raised) this.deps.logger.info({ caseId, deadline }, 'special team overdue');
    return raised ? 1 : 0;
  }

  /** Refills the team clock's index from MongoDB (at start): every case still waiting for its team. */
  async rebuildTeamClock(): Promise<number> {
    const waiting = await this.deps.cases.list(
      { team: { $exists: false }, status: { $ne: 'closed' } },
      { projection: { _id: 1, kind: 1, openedAt: 1, status: 1 } },
    );
    const entries: Array<[string, Date]> = [];
    for (const doc of waiting) {
      const at = teamDeadline(doc, this.deps.teamPolicy);
      if (at) entries.push([doc._id, at]);
    }
    await this.deps.teamIndex.bringForwardAll(entries);
    return entries.length;
  }

  /** Cases in the caller's scope whose team is overdue now, longest overdue first (a listing: reads the cases). */
  async overdueTeams(caller: Scoped): Promise<Array<{ doc: CaseDoc; dueAt: Date }>> {
    const now = this.deps.clock.now();
    const waiting = await this.deps.cases.list(
      withScope({ team: { $exists: false }, status: { $ne: 'closed' } }, scopeFilter(caller, 'region')),
      { projection: { timeline: 0, leads: 0, report: 0, alerts: 0 } },
    );
    return waiting
      .filter((d) => teamOverdueAt(d, this.deps.teamPolicy, now))
      .map((doc) => ({ doc, dueAt: teamDeadline(doc, this.deps.teamPolicy)! }))
      .sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime() || a.doc._id.localeCompare(b.doc._id));
  }
}
