import type { Clock } from '@homeward/service-kit';
import { type Assessment, assess } from './domain/assessment.ts';
import { type DutyLimits, dutiesOf, type MissedDuty, missedDuties } from './domain/duties.ts';
import { buildRollup, type RollupNode, type SubmissionSummary } from './domain/rollup.ts';
import { type Caller, inScope } from './domain/scope.ts';
import { latest, type SubmissionDoc } from './domain/submission.ts';
import { CoordinationErrors as E } from './errors.ts';
import type { CoordinationStore } from './store/coordination-store.ts';

export interface OversightServiceDeps {
  store: CoordinationStore;
  clock: Clock;
  limits: DutyLimits;
  utcOffsetMinutes: number;
}

function summary(d: SubmissionDoc): SubmissionSummary {
  const v = latest(d);
  return {
    submissionId: d._id,
    agencyId: d.agencyId,
    role: d.role,
    region: d.region,
    status: d.status,
    version: v.version,
    submittedAt: v.submittedAt,
    late: v.late,
    own: v.own,
  };
}

/**
 * What an office oversees: the roll-up of its region (platform figures beside submissions),
 * the duties being missed now, and the year's assessment. Reads only; everything within the
 * caller's region (or a region inside it that the caller names).
 */
export class OversightService {
  constructor(private readonly deps: OversightServiceDeps) {}

  /** The region a request is about: the caller's, or one inside it (outside: 404). */
  private scopeOf(caller: Caller, region: string | undefined): string {
    if (region === undefined) return caller.region;
    if (!inScope(caller.region, region))
      throw E.submissionNotFound.error(`the region ${region} is not within your scope (${caller.region})`);
    return region;
  }

  async rollup(caller: Caller, year: number, region?: string): Promise<RollupNode> {
    const root = this.scopeOf(caller, region);
    const [rows, subs] = await Promise.all([
      this.deps.store.figureRows(year, root),
      this.deps.store.submissionsOf(year, root),
    ]);
    return buildRollup(
      root,
      rows.filter((r) => inScope(root, r.region)),
      subs.filter((s) => inScope(root, s.region)).map(summary),
    );
  }

  async supervision(
    caller: Caller,
    region?: string,
  ): Promise<{ region: string; asOf: string; missed: MissedDuty[] }> {
    const root = this.scopeOf(caller, region);
    const now = this.deps.clock.now();
    const records = await this.deps.store.recordsWithin(root);
    return {
      region: root,
      asOf: now.toISOString(),
      missed: missedDuties(records, now, this.deps.limits, this.deps.utcOffsetMinutes, (r) =>
        inScope(root, r),
      ),
    };
  }

  async assessment(caller: Caller, year: number, region?: string): Promise<Assessment> {
    const root = this.scopeOf(caller, region);
    const records = await this.deps.store.recordsWithin(root);
    const duties = records.flatMap((r) => dutiesOf(r, this.deps.limits, this.deps.utcOffsetMinutes));
    return assess(year, root, duties, this.deps.clock.now(), this.deps.utcOffsetMinutes);
  }
}
