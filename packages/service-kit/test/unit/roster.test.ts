import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Roster } from '../../src/index.ts';

const officer = {
  officerId: 'hf-1',
  name: 'Li Ming',
  agencyId: 'hefei-psb',
  rank: 'prefecture' as const,
  region: '340100',
};

function file(content: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), 'roster-')), 'roster.json');
  writeFileSync(path, JSON.stringify(content));
  return path;
}

describe('the police roster', () => {
  it('loads the development roster beside the credentials', () => {
    const roster = Roster.fromFile(
      new URL('../../../../infra/local/dev-roster.json', import.meta.url).pathname,
    );
    expect(roster.size).toBeGreaterThanOrEqual(10);
    expect(roster.officer('hf-psb-0001')).toMatchObject({ rank: 'prefecture', region: '340100' });
    expect(roster.officer('la-psb-0001')).toMatchObject({ rank: 'prefecture', region: '341500' });
    expect(roster.officer('nobody')).toBeUndefined();
  });

  it('refuses a malformed file, an unknown rank, extra fields, a head whose rank is not its region level, a duplicate', () => {
    expect(() => Roster.fromFile('/nonexistent/roster.json')).toThrow(/cannot read the roster file/);
    expect(() => Roster.fromFile(file([{ ...officer, rank: 'general' }]))).toThrow(/invalid/);
    expect(() => Roster.fromFile(file([{ ...officer, phone: '1' }]))).toThrow(/invalid/);
    expect(() => Roster.fromFile(file([{ ...officer, region: '000000' }]))).toThrow(/invalid/);
    expect(() => new Roster([{ ...officer, rank: 'county' }])).toThrow(
      /heads at county level but region 340100 is a prefecture/,
    );
    expect(() => new Roster([officer, officer])).toThrow(/twice/);
    expect(new Roster([{ ...officer, rank: 'officer', region: '340104' }]).officer('hf-1')?.rank).toBe(
      'officer',
    );
  });

  it('hands out copies', () => {
    const roster = new Roster([officer]);
    roster.officer('hf-1')!.region = '000000';
    expect(roster.officer('hf-1')!.region).toBe('340100');
  });
});
