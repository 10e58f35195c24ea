import { describe, expect, it } from 'vitest';
import { loadFrequencyTable } from '../../src/domain/allele-frequencies.ts';
import { mulberry32, SyntheticPopulation } from '../../src/domain/synthetic-population.ts';
import { fbiTable, profile } from './fixtures.ts';

const table = loadFrequencyTable(
  {
    T: {
      sampleSizeByLocus: { TH01: 100, FGA: 100 },
      frequencies: { TH01: { '6': 0.25, '9.3': 0.75 }, FGA: { '20': 0.1, '21': 0.2, '22': 0.7 } },
    },
  },
  { population: 'T', source: 'test' },
);

describe('mulberry32', () => {
  it('gives the same sequence for the same seed (values pinned)', () => {
    const r = mulberry32(42);
    expect([r(), r(), r()]).toEqual([0.6011037519201636, 0.44829055899754167, 0.8524657934904099]);
    const z = mulberry32(0);
    expect([z(), z()]).toEqual([0.26642920868471265, 0.0003297457005828619]);
  });

  it('draws uniformly in [0, 1)', () => {
    const r = mulberry32(7);
    const xs = Array.from({ length: 20_000 }, r);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean).toBeGreaterThan(0.49);
    expect(mean).toBeLessThan(0.51);
    // Each tenth of the interval gets about a tenth of the draws.
    for (let d = 0; d < 10; d++) {
      const share = xs.filter((x) => x >= d / 10 && x < (d + 1) / 10).length / xs.length;
      expect(share, `decile ${d}`).toBeGreaterThan(0.09);
      expect(share, `decile ${d}`).toBeLessThan(0.11);
    }
  });
});

describe('SyntheticPopulation', () => {
  it('draws people at every locus of the table, alleles in proportion to their frequency, sorted', () => {
    const population = new SyntheticPopulation(table, 3);
    let six = 0;
    let fga22 = 0;
    const n = 4_000;
    for (let i = 0; i < n; i++) {
      const p = population.person();
      expect(Object.keys(p.loci).sort()).toEqual(['FGA', 'TH01']);
      const th01 = p.loci.TH01!;
      expect(Number(th01[0])).toBeLessThanOrEqual(Number(th01[1]));
      six += th01.filter((a) => a === '6').length;
      fga22 += p.loci.FGA!.filter((a) => a === '22').length;
    }
    expect(six / (2 * n)).toBeGreaterThan(0.23);
    expect(six / (2 * n)).toBeLessThan(0.27);
    expect(fga22 / (2 * n)).toBeGreaterThan(0.68);
    expect(fga22 / (2 * n)).toBeLessThan(0.72);
  });

  it('repeats itself for a seed and differs for another', () => {
    const a = new SyntheticPopulation(fbiTable(), 5);
    const b = new SyntheticPopulation(fbiTable(), 5);
    const c = new SyntheticPopulation(fbiTable(), 6);
    const pa = a.person();
    expect(b.person()).toEqual(pa);
    expect(c.person()).not.toEqual(pa);
  });

  it('gives a child one allele of each parent, each allele of a parent about half the time', () => {
    const population = new SyntheticPopulation(table, 9);
    const mother = profile({ TH01: [6, 9.3], FGA: [20, 21] });
    const father = profile({ TH01: [9.3, 9.3], FGA: [22, 22] });
    let fromMother20 = 0;
    const n = 2_000;
    for (let i = 0; i < n; i++) {
      const child = population.childOf(mother, father);
      const fga = child.loci.FGA!;
      // Father is 22/22, so the child is 20/22 or 21/22, sorted.
      expect(fga[1]).toBe('22');
      expect(['20', '21']).toContain(fga[0]);
      if (fga[0] === '20') fromMother20++;
      expect(['6', '9.3']).toContain(child.loci.TH01![0]);
      expect(child.loci.TH01![1]).toBe('9.3');
    }
    expect(fromMother20 / n).toBeGreaterThan(0.46);
    expect(fromMother20 / n).toBeLessThan(0.54);
  });

  it('leaves out of a child the loci a parent lacks', () => {
    const population = new SyntheticPopulation(table, 1);
    const child = population.childOf(profile({ TH01: [6, 6], FGA: [20, 21] }), profile({ TH01: [9.3, 9.3] }));
    expect(child.loci).toEqual({ TH01: ['6', '9.3'] });
  });

  it('draws integers in [0, n), each about as often', () => {
    const population = new SyntheticPopulation(table, 2);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 4_000; i++) counts[population.integer(4)]!++;
    for (const c of counts) {
      expect(c).toBeGreaterThan(900);
      expect(c).toBeLessThan(1_100);
    }
  });
});
