import { describe, expect, it } from 'vitest';
import { STANDARD_LOCI } from '../../src/domain/loci.ts';
import { validateProfile } from '../../src/domain/profile.ts';

const full = (n: number) => Object.fromEntries(STANDARD_LOCI.slice(0, n).map((l) => [l, [10, 11]]));

describe('validateProfile', () => {
  it('accepts integers and microvariants, normalises loci and sorts alleles', () => {
    const r = validateProfile({ loci: { ...full(15), PENTA_D: ['12', 9], TH01: [9.3, '6'], se33: [17] } });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.profile.loci['Penta D']).toEqual(['9', '12']);
    expect(r.profile.loci.TH01).toEqual(['6', '9.3']);
    // One allele is a homozygote.
    expect(r.profile.loci.SE33).toEqual(['17', '17']);
    expect(r.lociTyped).toBe(17);
    expect(r.matchable).toBe(true);
  });

  it('marks a profile with fewer loci than the minimum as valid but not matchable', () => {
    const r = validateProfile({ loci: full(14) });
    expect(r).toMatchObject({ ok: true, lociTyped: 14, matchable: false });
    expect(validateProfile({ loci: full(10) }, { minimumLoci: 10 })).toMatchObject({
      ok: true,
      matchable: true,
    });
  });

  it('allows .4 only at pentanucleotide loci and .1-.2 at D22S1045', () => {
    expect(validateProfile({ loci: { 'Penta E': ['16.4', 12] } }).ok).toBe(true);
    expect(validateProfile({ loci: { D22S1045: ['15.2'] } }).ok).toBe(true);
    const r = validateProfile({ loci: { TH01: ['9.4'], D22S1045: ['15.3'] } });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => e.field)).toEqual(['loci.TH01[0]', 'loci.D22S1045[0]']);
    expect(r.errors[0]!.message).toMatch(/TH01.*1 to 3/);
    expect(r.errors[1]!.message).toMatch(/D22S1045.*1 to 2/);
  });

  it('reports every problem, each naming the locus and why, never the allele value', () => {
    const r = validateProfile({
      loci: {
        D99S9: [10],
        FGA: [],
        D3S1358: [15, 16, 17],
        TPOX: ['8', 'eight'],
        CSF1PO: [10.25],
        D5S818: [0],
        D7S820: ['9.0'],
        D8S1179: [Number.NaN],
        D13S317: [{}],
        D16S539: '11',
        'd18 s51': [12],
        D18S51: [13],
      },
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const byField = Object.fromEntries(r.errors.map((e) => [e.field, e.message]));
    expect(Object.keys(byField)).toEqual([
      'loci.D99S9',
      'loci.FGA',
      'loci.D3S1358',
      'loci.TPOX[1]',
      'loci.CSF1PO[0]',
      'loci.D5S818[0]',
      'loci.D7S820[0]',
      'loci.D8S1179[0]',
      'loci.D13S317[0]',
      'loci.D16S539',
      'loci.D18S51',
    ]);
    expect(byField['loci.D99S9']).toMatch(/unknown locus/);
    expect(byField['loci.FGA']).toMatch(/FGA: no alleles/);
    expect(byField['loci.D3S1358']).toMatch(/D3S1358: 3 alleles/);
    expect(byField['loci.TPOX[1]']).toMatch(/TPOX, allele 2: not a repeat number/);
    expect(byField['loci.D18S51']).toMatch(/given twice/);
    for (const message of Object.values(byField)) expect(message).not.toMatch(/eight|10\.25/);
  });

  it('refuses input that is not a profile', () => {
    expect(validateProfile(null)).toEqual({
      ok: false,
      errors: [{ field: '', message: 'expected an object with loci' }],
    });
    expect(validateProfile({ loci: [] })).toMatchObject({ ok: false, errors: [{ field: 'loci' }] });
    expect(validateProfile({ loci: {} })).toMatchObject({
      ok: false,
      errors: [{ field: 'loci', message: 'no locus typed' }],
    });
  });
});

describe('validateProfile: what each refusal says', () => {
  const errorsOf = (input: unknown) => {
    const r = validateProfile(input);
    if (r.ok) throw new Error('expected a refusal');
    return r.errors;
  };

  it('refuses loci that are not an object of locus to alleles', () => {
    for (const loci of [null, [], 'D8S1179', 3, undefined]) {
      expect(errorsOf({ loci })).toEqual([
        { field: 'loci', message: 'expected an object of locus to alleles' },
      ]);
    }
  });

  it('lists the accepted loci for an unknown one, and asks for an array', () => {
    expect(errorsOf({ loci: { D99S1: [10, 11] } })).toEqual([
      { field: 'loci.D99S1', message: `unknown locus; accepted loci: ${STANDARD_LOCI.join(', ')}` },
    ]);
    expect(errorsOf({ loci: { TH01: 9 } })).toEqual([
      { field: 'loci.TH01', message: 'locus TH01: expected an array of one or two alleles' },
    ]);
  });

  it('refuses alleles that are not finite numbers or strings, naming the position', () => {
    expect(errorsOf({ loci: { TH01: [Number.POSITIVE_INFINITY, 6] } })).toEqual([
      { field: 'loci.TH01[0]', message: 'locus TH01, allele 1: not a finite number' },
    ]);
    expect(errorsOf({ loci: { TH01: [6, true] } })).toEqual([
      { field: 'loci.TH01[1]', message: 'locus TH01, allele 2: expected a number or a string' },
    ]);
    expect(errorsOf({ loci: { TH01: [6, { n: 7 }] } })[0]?.message).toBe(
      'locus TH01, allele 2: expected a number or a string',
    );
    expect(errorsOf({ loci: { TH01: [6, null] } })[0]?.message).toBe(
      'locus TH01, allele 2: expected a number or a string',
    );
  });

  it('names the repeat unit when a microvariant is too long for the locus', () => {
    expect(errorsOf({ loci: { D22S1045: ['15.3', 16] } })[0]?.message).toBe(
      'locus D22S1045, allele 1: a microvariant at this locus has one digit from 1 to 2 after the point (repeat unit of 3 bases)',
    );
    expect(errorsOf({ loci: { TH01: ['9.4', 6] } })[0]?.message).toBe(
      'locus TH01, allele 1: a microvariant at this locus has one digit from 1 to 3 after the point (repeat unit of 4 bases)',
    );
  });
});
