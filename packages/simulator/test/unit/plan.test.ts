import { describe, expect, it } from 'vitest';
import {
  type Agency,
  expectedEndState,
  loadScenario,
  materialise,
  parseScenario,
  planScenario,
  radiusKmAfter,
} from '../../src/index.ts';

// The agencies of a deployment, without keys: one police force per prefecture in play, the
// province's lab, operator and admin, and a unit agency.
const agencies: Agency[] = [
  { role: 'police', agencyId: 'hefei-psb', region: '340100' },
  { role: 'police', agencyId: 'luan-psb', region: '341500' },
  { role: 'civil-affairs', agencyId: 'anhui-civil-affairs', region: '340000' },
  { role: 'transport', agencyId: 'hefei-south-station', region: '340104' },
  { role: 'hotline', agencyId: 'anhui-12355-hotline', region: '340000' },
  { role: 'health', agencyId: 'anhui-provincial-hospital', region: '340104' },
  { role: 'dna-lab', agencyId: 'anhui-forensic-dna-lab', region: '340000' },
  { role: 'unit', agencyId: 'hefei-south-station-police-post', region: '340104' },
  { role: 'admin', agencyId: 'homeward-platform', region: '340000' },
];
const NOW = new Date('2026-12-01T06:00:00Z');

describe('the same seed tells the same story', () => {
  for (const name of ['drill', 'campaign-day', 'quiet-week']) {
    it(`${name}: the same plan and the same requests, event for event`, () => {
      const scenario = loadScenario(name);
      const a = planScenario(scenario, 42, agencies);
      const b = planScenario(structuredClone(scenario), 42, [...agencies]);
      expect(b).toEqual(a);
      expect(JSON.stringify(materialise(b, 'run1', NOW))).toBe(JSON.stringify(materialise(a, 'run1', NOW)));
      expect(a.actions.length).toBeGreaterThan(a.stories.length);
    });

    it(`${name}: another seed, another story`, () => {
      const scenario = loadScenario(name);
      const a = materialise(planScenario(scenario, 42, agencies), 'run1', NOW);
      const b = materialise(planScenario(scenario, 43, agencies), 'run1', NOW);
      expect(JSON.stringify(b)).not.toBe(JSON.stringify(a));
    });
  }

  it('keeps a story the same when the scenario adds stories of another kind', () => {
    const drill = loadScenario('drill');
    const more = { ...drill, suspectedTrafficking: { count: drill.suspectedTrafficking.count + 3 } };
    const a = planScenario(drill, 9, agencies).stories.filter((s) => s.kind === 'missing-child');
    const b = planScenario(more, 9, agencies).stories.filter((s) => s.kind === 'missing-child');
    expect(b).toEqual(a);
  });

  it('plans in time order, each step of a story after the one before', () => {
    const plan = planScenario(loadScenario('campaign-day'), 1, agencies);
    const times = plan.actions.map((a) => a.at);
    expect(times).toEqual([...times].sort((x, y) => x - y));
    expect(plan.actions[0]).toEqual({ at: 0, do: 'register-units' });
  });
});

describe('the story stays within each credential’s scope', () => {
  it('opens cases only where a police agency reaches, and acts with agencies that cover the case', () => {
    const plan = planScenario(loadScenario('campaign-day'), 5, agencies);
    expect(new Set(plan.stories.map((s) => s.prefecture))).toEqual(new Set(['340100', '341500']));
    for (const a of plan.actions) {
      if (!('agency' in a) || !a.story) continue;
      const story = plan.stories.find((s) => s.id === a.story)!;
      const reach = a.agency.region.replace(/(00)+$/, '');
      expect(story.region.startsWith(reach), `${a.do} by ${a.agency.agencyId} in ${story.region}`).toBe(true);
    }
  });

  it('says which credential is missing instead of planning what would be refused', () => {
    const noPolice = agencies.filter((a) => a.role !== 'police');
    expect(() => planScenario(loadScenario('drill'), 1, noPolice)).toThrow(/no police credential/);
  });
});

describe('scenario files', () => {
  it('refuses a scenario with a field it does not know or a share above 1', () => {
    const drill = loadScenario('drill');
    expect(() => parseScenario({ ...drill, extra: 1 }, 'x.json')).toThrow(/x.json/);
    expect(() => parseScenario({ ...drill, kafkaShare: 2 })).toThrow(/kafkaShare/);
  });
});

describe('the expected end state', () => {
  it('follows the contract’s escalation steps', () => {
    expect([0.5, 1, 1.01, 2, 2.5, 3, 3.2].map(radiusKmAfter)).toEqual([100, 100, 200, 200, 300, 300, 500]);
  });

  it('counts the drill’s story exactly', () => {
    const plan = planScenario(
      loadScenario('drill'),
      2026,
      agencies.filter((a) => a.agencyId !== 'luan-psb'),
    );
    const e = expectedEndState(plan, '2026-12-01');
    expect(e.cases.map((c) => `${c.story}:${c.status}`)).toEqual([
      'mc1:closed',
      'mc2:rescued',
      'mc3:rescued',
      'mc4:searching',
      'uc1:rescued',
      'st1:closed',
      'st2:opened',
    ]);
    expect(e.annual.casesOpened).toBe(7);
    expect(e.alerts).toHaveLength(4);
  });
});
