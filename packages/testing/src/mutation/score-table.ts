/** The part of Stryker's JSON report (mutation-testing-report-schema) the table reads. */
export interface MutationReport {
  files: Record<string, { mutants: Array<{ status: string }> }>;
}

/** One module's mutants by outcome, and its score over the mutants some test reaches. */
export interface ModuleScore {
  module: string;
  killed: number;
  timeout: number;
  survived: number;
  noCoverage: number;
  /** Mutants that do not compile or crash the run: not counted, as Stryker does not. */
  invalid: number;
  /** Detected (killed or timed out) over covered (detected or survived), in percent; undefined when no test reaches the module. */
  coveredScore: number | undefined;
}

/** Scores each mutated module, as Stryker's "score of covered code" but per module. */
export function scoreModules(report: MutationReport): ModuleScore[] {
  return Object.entries(report.files)
    .map(([module, { mutants }]) => {
      const count = (...statuses: string[]) => mutants.filter((m) => statuses.includes(m.status)).length;
      const killed = count('Killed');
      const timeout = count('Timeout');
      const survived = count('Survived');
      const covered = killed + timeout + survived;
      return {
        module,
        killed,
        timeout,
        survived,
        noCoverage: count('NoCoverage'),
        invalid: count('CompileError', 'RuntimeError'),
        coveredScore: covered === 0 ? undefined : (100 * (killed + timeout)) / covered,
      };
    })
    .sort((a, b) => a.module.localeCompare(b.module));
}

/**
 * The modules under `minScore`. A module with mutants that no test reaches fails too: nothing
 * there could fail. A module without mutants (types only) passes.
 */
export function modulesBelow(scores: ModuleScore[], minScore: number): ModuleScore[] {
  return scores.filter((s) => (s.coveredScore === undefined ? s.noCoverage > 0 : s.coveredScore < minScore));
}

/** The table as aligned plain text, one module a row, with a total row. */
export function formatTable(scores: ModuleScore[]): string {
  const pct = (v: number | undefined) => (v === undefined ? 'n/a' : `${v.toFixed(1)}%`);
  const total = scores.reduce(
    (t, s) => ({
      killed: t.killed + s.killed,
      timeout: t.timeout + s.timeout,
      survived: t.survived + s.survived,
      noCoverage: t.noCoverage + s.noCoverage,
    }),
    { killed: 0, timeout: 0, survived: 0, noCoverage: 0 },
  );
  const covered = total.killed + total.timeout + total.survived;
  const rows = [
    ['module', 'killed', 'timeout', 'survived', 'no cov', 'covered score'],
    ...scores.map((s) => [
      s.module,
      String(s.killed),
      String(s.timeout),
      String(s.survived),
      String(s.noCoverage),
      pct(s.coveredScore),
    ]),
    [
      'all modules',
      String(total.killed),
      String(total.timeout),
      String(total.survived),
      String(total.noCoverage),
      pct(covered === 0 ? undefined : (100 * (total.killed + total.timeout)) / covered),
    ],
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) =>
      r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  '),
    )
    .join('\n');
}
