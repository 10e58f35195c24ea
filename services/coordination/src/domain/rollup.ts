import { NATIONAL_REGION, type RegionLevel, regionLevel } from '@homeward/events';
import { addCounts, type Counts, type FigureRow, zeroCounts } from './figures.ts';
import { childOf } from './hierarchy.ts';

/** A submission as the roll-up lists it beside the platform's figures. */
export interface SubmissionSummary {
  submissionId: string;
  agencyId: string;
  role: string;
  region: string;
  status: string;
  version: number;
  submittedAt: string;
  late: boolean;
  own: { publicityCampaigns: number; trainingSessions: number; peopleScreened: number };
}

/** One division of the roll-up: the platform's figures, its submissions, the divisions below. */
export interface RollupNode {
  region: string;
  level: RegionLevel | 'national';
  /** Every department's figures within the division (its own code and everything below). */
  platform: Counts;
  /** The same by department. */
  byDepartment: Record<string, Counts>;
  /** Figures recorded at the division's own code, not at a division below (0 for a county's children). */
  direct: Counts;
  /** Submissions made for exactly this division (its departments', its office's). */
  submissions: SubmissionSummary[];
  /** The departments' own figures summed over this node's submissions. */
  ownTotals: SubmissionSummary['own'];
  children: RollupNode[];
}

/**
 * The roll-up below `root`: each node's platform figures are the sum of its children's plus
 * what is recorded at its own code, so every level reconciles with the one below.
 */
export function buildRollup(
  root: string,
  rows: readonly FigureRow[],
  submissions: readonly SubmissionSummary[],
): RollupNode {
  const node: RollupNode = {
    region: root,
    level: root === NATIONAL_REGION ? 'national' : regionLevel(root),
    platform: zeroCounts(),
    byDepartment: {},
    direct: zeroCounts(),
    submissions: submissions
      .filter((s) => s.region === root)
      .sort((a, b) => a.role.localeCompare(b.role) || a.agencyId.localeCompare(b.agencyId)),
    ownTotals: { publicityCampaigns: 0, trainingSessions: 0, peopleScreened: 0 },
    children: [],
  };
  for (const s of node.submissions) {
    node.ownTotals.publicityCampaigns += s.own.publicityCampaigns;
    node.ownTotals.trainingSessions += s.own.trainingSessions;
    node.ownTotals.peopleScreened += s.own.peopleScreened;
  }
  const below = new Map<string, { rows: FigureRow[]; subs: SubmissionSummary[] }>();
  const bucket = (child: string) => {
    let b = below.get(child);
    if (!b) {
      b = { rows: [], subs: [] };
      below.set(child, b);
    }
    return b;
  };
  for (const r of rows) {
    const child = childOf(root, r.region);
    if (child === undefined) continue;
    if (child === root) addCounts(node.direct, r.counts);
    else bucket(child).rows.push(r);
  }
  for (const s of submissions) {
    const child = childOf(root, s.region);
    if (child !== undefined && child !== root) bucket(child).subs.push(s);
  }
  node.children = [...below.keys()].sort().map((c) => buildRollup(c, below.get(c)!.rows, below.get(c)!.subs));
  addCounts(node.platform, node.direct);
  for (const c of node.children) addCounts(node.platform, c.platform);
  for (const r of rows) {
    if (childOf(root, r.region) === undefined) continue;
    node.byDepartment[r.department] = addCounts(node.byDepartment[r.department] ?? zeroCounts(), r.counts);
  }
  return node;
}
