import { describe, expect, it } from 'vitest';
import { FrequencyTableError, loadFrequencyTable } from '../../src/domain/allele-frequencies.ts';
import { CODIS_CORE_LOCI, normaliseLocusName, STANDARD_LOCI } from '../../src/domain/loci.ts';
import { FBI_SOURCE, fbiTable, fbiTableJson } from './fixtures.ts';

type Raw = Record<
  string,
  { sampleSizeByLocus: Record<string, number>; frequencies: Record<string, Record<string, number>> }
>;
const raw = fbiTableJson as Raw;

describe('locus names', () => {
  it('normalises case, spaces, underscores and known aliases to one canonical name', () => {
    for (const name of ['Penta D', 'PENTA_D', 'PentaD', 'penta-d', ' penta d ']) {
      expect(normaliseLocusName(name)).toBe('Penta D');
    }
    expect(normaliseLocusName('VWA')).toBe('vWA');
    expect(normaliseLocusName('vWA')).toBe('vWA');
    expect(normaliseLocusName('THO1')).toBe('TH01');
    expect(normaliseLocusName('csf1po')).toBe('CSF1PO');
    expect(normaliseLocusName('D6S1043')).toBe('D6S1043');
    expect(normaliseLocusName('D99S1')).toBeUndefined();
    expect(normaliseLocusName('Amelogenin')).toBeUndefined();
  });

  it('lists the 20 CODIS core loci and 24 accepted loci', () => {
    expect(CODIS_CORE_LOCI).toHaveLength(20);
    expect(STANDARD_LOCI).toHaveLength(24);
    expect(new Set(STANDARD_LOCI.map((l) => l.toUpperCase())).size).toBe(24);
  });

  it('maps every locus key of the FBI file', () => {
    for (const population of Object.values(raw)) {
      const keys = Object.keys(population.frequencies);
      expect(keys).toHaveLength(23);
      for (const key of keys) expect(normaliseLocusName(key), key).toBeDefined();
    }
  });
});

describe('loadFrequencyTable', () => {
  const table = fbiTable('Caucasian');

  it('loads the 23 loci in canonical order with metadata', () => {
    expect(table.loci).toHaveLength(23);
    expect(table.loci.slice(0, 5)).toEqual(['CSF1PO', 'FGA', 'TH01', 'TPOX', 'vWA']);
    expect(table.hasLocus('D6S1043')).toBe(false);
    expect(table.meta.source).toBe(FBI_SOURCE);
    expect(table.meta.population).toBe('Caucasian');
    expect(table.meta.version).toMatch(/^[0-9a-f]{12}$/);
    expect(table.meta.minimumFrequencyRule).toBe('nrc-ii-5/2n:unobserved');
    expect(table.frequency('TH01', '9.3')).toBe(0.304455);
  });

  it('versions the content: stable across key order, different when a figure changes', () => {
    const reverse = (o: Record<string, unknown>): Record<string, unknown> =>
      Object.fromEntries(
        Object.entries(o)
          .reverse()
          .map(([k, v]) => [
            k,
            typeof v === 'object' && v !== null ? reverse(v as Record<string, unknown>) : v,
          ]),
      );
    const reordered = { Caucasian: reverse(raw.Caucasian!) };
    expect(Object.keys(reordered.Caucasian.frequencies as object)[0]).toBe('vWA');
    const again = loadFrequencyTable(reordered, { population: 'Caucasian', source: 'x' });
    expect(again.meta.version).toBe(table.meta.version);
    const changed = structuredClone(raw);
    changed.Caucasian!.frequencies.TH01!['6'] = 0.225249;
    expect(loadFrequencyTable(changed, { population: 'Caucasian', source: 'x' }).meta.version).not.toBe(
      table.meta.version,
    );
    expect(fbiTable('Navajo').meta.version).not.toBe(table.meta.version);
  });

  it('reads the sample size as chromosomes: every figure is a whole count out of N', () => {
    for (const population of Object.values(raw)) {
      for (const [locus, alleles] of Object.entries(population.frequencies)) {
        const n = population.sampleSizeByLocus[locus]!;
        for (const f of Object.values(alleles))
          expect(Math.abs(f * n - Math.round(f * n))).toBeLessThan(0.01);
      }
    }
  });

  it('gives an allele the table lacks the NRC II minimum 5/(2n), n people typed', () => {
    // Caucasian: N = 404 chromosomes, so n = 202 people and 5/(2n) = 5/404.
    expect(table.individuals('TH01')).toBe(202);
    expect(table.minimumFrequency('TH01')).toBeCloseTo(5 / 404, 15);
    expect(table.frequency('TH01', '13.3')).toBeCloseTo(0.012376237623762377, 15);
    // An observed allele keeps its figure (1/404) under the default scope...
    expect(table.frequency('TH01', '10')).toBe(0.002475);
    // ...and is raised to the minimum when the scope is `all`.
    const strict = loadFrequencyTable(fbiTableJson, {
      population: 'Caucasian',
      source: 'x',
      minimumFrequencyScope: 'all',
    });
    expect(strict.frequency('TH01', '10')).toBeCloseTo(5 / 404, 15);
    expect(strict.frequency('TH01', '9.3')).toBe(0.304455);
    // A table counting people: 5/(2N).
    const people = loadFrequencyTable(fbiTableJson, {
      population: 'Caucasian',
      source: 'x',
      sampleSizeUnit: 'individuals',
    });
    expect(people.minimumFrequency('TH01')).toBeCloseTo(5 / 808, 15);
  });

  it('gives an allele beyond a bin bound the bin frequency (D18S51 >27, SE Hispanic)', () => {
    const se = fbiTable('SE Hispanic');
    expect(se.frequency('D18S51', '28')).toBe(0.001901);
    expect(se.frequency('D18S51', '27.2')).toBe(0.001901);
    expect(se.alleles('D18S51')).not.toContain('>27');
  });

  it('computes mean exclusion powers that agree with enumeration', () => {
    const small = loadFrequencyTable(
      {
        T: {
          sampleSizeByLocus: { TH01: 100, FGA: 100 },
          frequencies: { TH01: { '6': 0.5, '7': 0.5 }, FGA: { '20': 0.2, '21': 0.3, '22': 0.5 } },
        },
      },
      { population: 'T', source: 'test' },
    );
    // Two alleles at ½: only a homozygous child (¼ each) can be excluded, by the opposite homozygote (¼).
    expect(small.meanExclusionSingle('TH01')).toBeCloseTo(0.125, 15);
    // Pair: PP child excluded unless both carry P (¾ each): 2·¼·(1 − 9/16) + ½·(1 − (2·¾·¾ − ¼)) = 0.28125.
    expect(small.meanExclusionPair('TH01')).toBeCloseTo(0.28125, 15);
    const p = [0.2, 0.3, 0.5];
    const genotypes: [number, number, number][] = [];
    for (let i = 0; i < 3; i++)
      for (let j = i; j < 3; j++) genotypes.push([i, j, (i === j ? 1 : 2) * p[i]! * p[j]!]);
    let single = 0;
    let pair = 0;
    for (const [a, b, pc] of genotypes) {
      for (const [m1, m2, pm] of genotypes) {
        if (![m1, m2].includes(a) && ![m1, m2].includes(b)) single += pc * pm;
        for (const [f1, f2, pf] of genotypes) {
          const canMake = [m1, m2].some((x) =>
            [f1, f2].some((y) => (x === a && y === b) || (x === b && y === a)),
          );
          if (!canMake) pair += pc * pm * pf;
        }
      }
    }
    expect(small.meanExclusionSingle('FGA')).toBeCloseTo(single, 12);
    expect(small.meanExclusionPair('FGA')).toBeCloseTo(pair, 12);
  });

  it('refuses malformed tables', () => {
    const load =
      (t: unknown, population = 'P') =>
      () =>
        loadFrequencyTable(t, { population, source: 'x' });
    const ok = { sampleSizeByLocus: { TH01: 10 }, frequencies: { TH01: { '6': 0.5, '7': 0.5 } } };
    expect(load({ P: ok })).not.toThrow();
    expect(load({ P: ok }, 'Q')).toThrow(FrequencyTableError);
    expect(load([])).toThrow(FrequencyTableError);
    expect(
      load({ P: { ...ok, frequencies: { XYZ1: { '6': 1 } }, sampleSizeByLocus: { XYZ1: 10 } } }),
    ).toThrow(/Unknown locus/);
    expect(load({ P: { ...ok, frequencies: { TH01: { '6': 0.5, '7': 0.3 } } } })).toThrow(/sum/);
    expect(load({ P: { ...ok, frequencies: { TH01: { '6': 0.5, x: 0.5 } } } })).toThrow(/neither/);
    expect(load({ P: { ...ok, sampleSizeByLocus: {} } })).toThrow(/sample size/);
    expect(
      load({
        P: { sampleSizeByLocus: { TH01: 10, THO1: 10 }, frequencies: { TH01: { '6': 1 }, THO1: { '6': 1 } } },
      }),
    ).toThrow(/twice/);
  });
});
