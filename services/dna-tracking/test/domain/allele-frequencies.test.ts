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

describe('loadFrequencyTable: every refusal names where', () => {
  const ok = { sampleSizeByLocus: { TH01: 10 }, frequencies: { TH01: { '6': 0.5, '7': 0.5 } } };
  const refusal = (t: unknown, population = 'P') => {
    try {
      loadFrequencyTable(t, { population, source: 'x' });
    } catch (err) {
      expect(err).toBeInstanceOf(FrequencyTableError);
      const e = err as FrequencyTableError;
      expect(e.code).toBe('DNA_ERR_FREQUENCY_TABLE');
      expect(e.name).toBe('FrequencyTableError');
      return { message: e.message, field: e.field };
    }
    throw new Error('expected a refusal');
  };

  it('refuses what is not a table, a population or its two objects', () => {
    expect(refusal(null)).toEqual({ message: 'The table is not an object', field: '' });
    expect(refusal([ok])).toEqual({ message: 'The table is not an object', field: '' });
    expect(refusal({ P: ok }, 'Q')).toEqual({ message: 'No population Q', field: 'Q' });
    expect(refusal({ P: [] })).toEqual({ message: 'No population P', field: 'P' });
    const both = { message: 'Expected sampleSizeByLocus and frequencies objects', field: 'P' };
    expect(refusal({ P: { frequencies: ok.frequencies } })).toEqual(both);
    expect(refusal({ P: { sampleSizeByLocus: ok.sampleSizeByLocus } })).toEqual(both);
    expect(refusal({ P: { sampleSizeByLocus: [], frequencies: ok.frequencies } })).toEqual(both);
    expect(refusal({ P: { sampleSizeByLocus: {}, frequencies: {} } })).toEqual({
      message: 'The population has no loci',
      field: 'P',
    });
  });

  it('refuses unknown or repeated loci, and sample sizes that are not positive integers', () => {
    expect(refusal({ P: { sampleSizeByLocus: { X1: 10 }, frequencies: { X1: { '6': 1 } } } })).toEqual({
      message: 'Unknown locus X1',
      field: 'P.frequencies.X1',
    });
    expect(
      refusal({
        P: { sampleSizeByLocus: { TH01: 10, THO1: 10 }, frequencies: { TH01: { '6': 1 }, THO1: { '6': 1 } } },
      }),
    ).toEqual({ message: 'Locus TH01 appears twice', field: 'P.frequencies.THO1' });
    for (const size of [0, -2, 2.5, '10', undefined]) {
      expect(refusal({ P: { ...ok, sampleSizeByLocus: { TH01: size } } })).toEqual({
        message: 'No positive integer sample size for TH01',
        field: 'P.frequencies.TH01',
      });
    }
    expect(refusal({ P: { ...ok, frequencies: { TH01: [0.5, 0.5] } } })).toEqual({
      message: 'Expected an allele table',
      field: 'P.frequencies.TH01',
    });
  });

  it('takes frequencies in (0, 1] summing to 1 within 0.001', () => {
    const locus = (alleles: Record<string, unknown>) => ({ P: { ...ok, frequencies: { TH01: alleles } } });
    for (const bad of [0, -0.1, 1.5, '0.5', null]) {
      expect(refusal(locus({ '6': bad, '7': 0.5 }))).toEqual({
        message: 'Allele 6: frequency must be in (0, 1]',
        field: 'P.frequencies.TH01',
      });
    }
    expect(() => loadFrequencyTable(locus({ '6': 1 }), { population: 'P', source: 'x' })).not.toThrow();
    expect(() =>
      loadFrequencyTable(locus({ '6': 0.5, '7': 0.5009 }), { population: 'P', source: 'x' }),
    ).not.toThrow();
    expect(() =>
      loadFrequencyTable(locus({ '6': 0.5, '7': 0.4991 }), { population: 'P', source: 'x' }),
    ).not.toThrow();
    expect(refusal(locus({ '6': 0.5, '7': 0.502 })).message).toBe('Frequencies sum to 1.002, not 1');
    expect(refusal(locus({ '6': 0.5, '7': 0.498 })).message).toMatch(/^Frequencies sum to 0.998/);
    expect(refusal(locus({ '6': 0.5, '7.12': 0.5 })).message).toBe(
      'Allele 7.12 is neither a repeat number nor a bin',
    );
    expect(refusal(locus({ '6': 0.5, '>7.12': 0.5 })).message).toBe(
      'Allele >7.12 is neither a repeat number nor a bin',
    );
    expect(refusal(locus({ '6': 0.5, '123': 0.5 })).message).toMatch(/neither/);
  });
});

describe('FrequencyTable lookups', () => {
  const t = loadFrequencyTable(
    {
      P: {
        sampleSizeByLocus: { TH01: 200, FGA: 100 },
        frequencies: { TH01: { '<6': 0.1, '6': 0.4, '7': 0.4, '>9': 0.1 }, FGA: { '20': 0.25, '21': 0.75 } },
      },
    },
    { population: 'P', source: 'lookups' },
  );

  it('knows its loci in canonical order, and refuses a locus it lacks', () => {
    expect(t.loci).toEqual(['FGA', 'TH01']);
    expect(t.hasLocus('TH01')).toBe(true);
    expect(t.hasLocus('vWA')).toBe(false);
    expect(() => t.frequency('vWA', '16')).toThrow(RangeError);
    expect(() => t.alleles('vWA')).toThrow('The frequency table has no locus vWA');
  });

  it('reads bins on both sides, the minimum between them, and bins are not alleles', () => {
    expect(t.alleles('TH01')).toEqual(['6', '7']);
    expect(t.frequency('TH01', '5')).toBe(0.1);
    expect(t.frequency('TH01', '10.3')).toBe(0.1);
    // 8 lies between the bins: not listed, so the minimum 5/(2·100).
    expect(t.frequency('TH01', '8')).toBeCloseTo(5 / 200, 15);
    // On a bound: neither bin holds it.
    expect(t.frequency('TH01', '9')).toBeCloseTo(5 / 200, 15);
    expect(t.frequency('TH01', '6')).toBe(0.4);
    expect(t.individuals('TH01')).toBe(100);
    expect(t.individuals('FGA')).toBe(50);
  });

  it('records its source, population, rule and a content version', () => {
    expect(t.meta).toMatchObject({
      source: 'lookups',
      population: 'P',
      minimumFrequencyRule: 'nrc-ii-5/2n:unobserved',
    });
    expect(t.meta.version).toMatch(/^[0-9a-f]{12}$/);
    const all = loadFrequencyTable(
      { P: { sampleSizeByLocus: { FGA: 100 }, frequencies: { FGA: { '20': 0.25, '21': 0.75 } } } },
      { population: 'P', source: 's', minimumFrequencyScope: 'all' },
    );
    expect(all.meta.minimumFrequencyRule).toBe('nrc-ii-5/2n:all');
    // Scope `all` leaves a figure above the minimum as it is.
    expect(all.frequency('FGA', '21')).toBe(0.75);
  });
});
