import { describe, expect, it } from 'vitest';
import { searcherView } from '../../src/domain/alert-content.ts';
import { alertEventIds, alertIdFor } from '../../src/domain/ids.ts';
import { CaseStatuses, transition } from '../../src/domain/lifecycle.ts';
import { chiefMayLead, chiefRefusal, regionContains, regionLevel } from '../../src/domain/regions.ts';

describe('the chief rule against the roster', () => {
  const head = (rank: 'county' | 'prefecture' | 'province', region: string) => ({
    officerId: `h-${region}`,
    name: 'Head',
    agencyId: 'psb',
    rank,
    region,
  });
  it('admits a head whose region contains the case, at each level', () => {
    expect(chiefRefusal(head('county', '340104'), '340104')).toBeNull();
    expect(chiefRefusal(head('prefecture', '340100'), '340104')).toBeNull();
    expect(chiefRefusal(head('province', '340000'), '340104')).toBeNull();
  });
  it('refuses an unknown officer, a plain officer, and a head of another region', () => {
    expect(chiefRefusal(undefined, '340104')).toBe('unknown-officer');
    expect(chiefRefusal({ ...head('county', '340104'), rank: 'officer' }, '340104')).toBe('not-a-head');
    expect(chiefRefusal(head('county', '340102'), '340104')).toBe('outside-region');
    expect(chiefRefusal(head('county', '340104'), '340100')).toBe('outside-region');
    expect(chiefRefusal(head('prefecture', '341500'), '340104')).toBe('outside-region');
  });
});

describe('the chief rule', () => {
  it('accepts the case county, its prefecture and its province, at each boundary', () => {
    expect(['340104', '340100', '340000'].map((r) => chiefMayLead(r, '340104'))).toEqual([true, true, true]);
  });

  it('refuses a sibling county, another prefecture, another province', () => {
    expect(['340102', '340200', '320100', '320000', '340105'].map((r) => chiefMayLead(r, '340104'))).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
  });

  it('for a case filed at prefecture level, a county chief is too low', () => {
    expect(chiefMayLead('340104', '340100')).toBe(false);
    expect(chiefMayLead('340100', '340100')).toBe(true);
    expect(regionLevel('340000')).toBe('province');
    expect(regionLevel('340100')).toBe('prefecture');
    expect(regionContains('340000', '349999')).toBe(true);
  });
});

describe('the case lifecycle', () => {
  it('moves forward only: opened, searching, located, rescued, closed', () => {
    expect(transition('opened', 'issue-alert')).toEqual({ ok: true, next: 'searching' });
    expect(transition('searching', 'locate')).toEqual({ ok: true, next: 'located' });
    expect(transition('located', 'rescue')).toEqual({ ok: true, next: 'rescued' });
    expect(transition('rescued', 'close')).toEqual({ ok: true, next: 'closed' });
    expect(transition('opened', 'rescue')).toEqual({ ok: true, next: 'rescued' });
  });

  it('refuses a step out of order, naming where it may come from', () => {
    for (const [status, action] of [
      ['located', 'issue-alert'],
      ['located', 'locate'],
      ['rescued', 'locate'],
      ['rescued', 'rescue'],
      ['closed', 'close'],
      ['closed', 'assign-team'],
    ] as const) {
      const t = transition(status, action);
      expect(t.ok, `${action} from ${status}`).toBe(false);
      if (!t.ok) expect(t.reason).toContain(`"${status}"`);
    }
    // A lead may still arrive on any case, even a closed one (kept for the record).
    expect(CaseStatuses.every((s) => transition(s, 'record-lead').ok)).toBe(true);
  });
});

describe('what an alert carries', () => {
  it('what a searcher needs, never the name or the reporter', () => {
    const view = searcherView({
      kind: 'missing-child',
      child: { name: 'Li Xiaoming', sex: 'male', birthDate: '2019-05-01', description: 'red jacket' },
      lastSeen: {
        at: '2026-11-28T08:50:00+08:00',
        place: 'station',
        lat: 31.8,
        lon: 117.3,
        region: '340104',
      },
      reporter: { name: 'Li Wei', phone: '+86 138 0000 0000' },
    });
    expect(view).toEqual({
      child: { sex: 'male', birthDate: '2019-05-01', description: 'red jacket' },
      sought: 'child',
      lastSeenAt: '2026-11-28T08:50:00+08:00',
      lastSeenPlace: 'station',
      center: { lat: 31.8, lon: 117.3 },
      region: '340104',
    });
    expect(JSON.stringify(view)).not.toMatch(/Li Xiaoming|Li Wei|138/);
  });

  it('for a missing woman: her sex, age and looks, never her name or the reporter', () => {
    const view = searcherView({
      kind: 'missing-woman',
      woman: { name: 'Wang Fang', apparentAge: 30, description: 'green coat' },
      lastSeen: { at: '2026-11-28T08:50:00Z', place: 'station', lat: 31.8, lon: 117.3, region: '340104' },
      trafficked: true,
      reporter: { name: 'Wang Jun', phone: '+86 138 0000 0000', relation: 'brother' },
    });
    expect(view.child).toStrictEqual({ sex: 'female', description: 'green coat' });
    expect(view.sought).toBe('adult');
    expect(JSON.stringify(view)).not.toMatch(/Wang|138/);
  });

  it('leaves out a description and a photo the report does not have', () => {
    const view = searcherView({
      kind: 'missing-child',
      child: { name: 'Li Xiaoming', sex: 'female', birthDate: '2019-05-01' },
      lastSeen: { at: '2026-11-28T08:50:00Z', place: 'station', lat: 31.8, lon: 117.3, region: '340104' },
    });
    expect(view.child).toStrictEqual({ sex: 'female', birthDate: '2019-05-01' });
  });

  it('has ids a retry recomputes', () => {
    const id = alertIdFor('case-1', 1);
    expect(id).toBe('case-1.alert-1');
    expect(alertEventIds.step(id, 2)).toBe('case-1.alert-1.step-2');
  });
});
