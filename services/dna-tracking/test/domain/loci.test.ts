import { describe, expect, it } from 'vitest';
import {
  ADDITIONAL_LOCI,
  CODIS_CORE_LOCI,
  normaliseLocusName,
  repeatUnitLength,
  STANDARD_LOCI,
} from '../../src/domain/loci.ts';

describe('normaliseLocusName', () => {
  it('gives every standard locus back under its own spelling, in any case', () => {
    for (const locus of STANDARD_LOCI) {
      expect(normaliseLocusName(locus)).toBe(locus);
      expect(normaliseLocusName(locus.toLowerCase())).toBe(locus);
    }
  });

  it('ignores spaces, underscores and hyphens, runs of them too', () => {
    expect(normaliseLocusName('Penta  E')).toBe('Penta E');
    expect(normaliseLocusName('penta_-_e')).toBe('Penta E');
    expect(normaliseLocusName('D 2 S 441')).toBe('D2S441');
  });

  it('reads the older spellings: the letter O for zero and the reverse, and SE33 as ACTBP2', () => {
    expect(normaliseLocusName('THO1')).toBe('TH01');
    expect(normaliseLocusName('CSF1P0')).toBe('CSF1PO');
    expect(normaliseLocusName('csf1p0')).toBe('CSF1PO');
    expect(normaliseLocusName('ACTBP2')).toBe('SE33');
    expect(normaliseLocusName('actbp2')).toBe('SE33');
  });

  it('knows no other locus', () => {
    expect(normaliseLocusName('')).toBeUndefined();
    expect(normaliseLocusName('Amelogenin')).toBeUndefined();
    expect(normaliseLocusName('DYS391')).toBeUndefined();
  });

  it('lists the 20 CODIS core loci and four more, without repeats', () => {
    expect(CODIS_CORE_LOCI).toHaveLength(20);
    expect(ADDITIONAL_LOCI).toEqual(['Penta D', 'Penta E', 'D6S1043', 'SE33']);
    expect(new Set(STANDARD_LOCI).size).toBe(24);
  });
});

describe('repeatUnitLength', () => {
  it('is 5 bases for the pentanucleotide Penta loci', () => {
    expect(repeatUnitLength('Penta D')).toBe(5);
    expect(repeatUnitLength('Penta E')).toBe(5);
  });

  it('is 3 bases for D22S1045 and 4 for every other locus', () => {
    expect(repeatUnitLength('D22S1045')).toBe(3);
    for (const locus of STANDARD_LOCI.filter((l) => !['Penta D', 'Penta E', 'D22S1045'].includes(l))) {
      expect(repeatUnitLength(locus), locus).toBe(4);
    }
  });
});
