import { describe, expect, it } from 'vitest';
import { formatTable, modulesBelow, scoreModules } from '../../src/mutation/score-table.ts';

const mutants = (statuses: Record<string, number>) =>
  Object.entries(statuses).flatMap(([status, n]) => Array.from({ length: n }, () => ({ status })));

describe('the per-module mutation score', () => {
  const scores = scoreModules({
    files: {
      'services/b/src/domain/rules.ts': {
        mutants: mutants({ Killed: 8, Timeout: 1, Survived: 1, NoCoverage: 5, CompileError: 2 }),
      },
      'services/a/src/domain/dates.ts': { mutants: mutants({ Killed: 17, Survived: 3 }) },
      'services/a/src/domain/ids.ts': { mutants: mutants({ NoCoverage: 2 }) },
      'services/a/src/domain/types.ts': { mutants: [] },
    },
  });

  it('counts timeouts as detected, leaves out uncovered and invalid mutants, sorts by module', () => {
    expect(scores.map((s) => [s.module, s.coveredScore])).toEqual([
      ['services/a/src/domain/dates.ts', 85],
      ['services/a/src/domain/ids.ts', undefined],
      ['services/a/src/domain/types.ts', undefined],
      ['services/b/src/domain/rules.ts', 90],
    ]);
    expect(scores[3]).toMatchObject({ killed: 8, timeout: 1, survived: 1, noCoverage: 5, invalid: 2 });
  });

  it('fails modules under the minimum and modules no test reaches, not modules without mutants', () => {
    expect(modulesBelow(scores, 90).map((s) => s.module)).toEqual([
      'services/a/src/domain/dates.ts',
      'services/a/src/domain/ids.ts',
    ]);
    expect(modulesBelow(scores, 85).map((s) => s.module)).toEqual(['services/a/src/domain/ids.ts']);
  });

  it('prints a row per module and a total over all', () => {
    const lines = formatTable(scores).split('\n');
    expect(lines).toHaveLength(6);
    expect(lines[1]).toMatch(/^services\/a\/src\/domain\/dates\.ts\s+17\s+0\s+3\s+0\s+85\.0%$/);
    expect(lines[5]).toMatch(/^all modules\s+25\s+1\s+4\s+7\s+86\.7%$/);
  });
});
