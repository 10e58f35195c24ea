import { readFileSync } from 'node:fs';
import { type FrequencyTable, loadFrequencyTable } from '../../src/domain/allele-frequencies.ts';
import { type StrProfile, validateProfile } from '../../src/domain/profile.ts';

/** The FBI 2015 expanded-CODIS table as shipped in data/. */
export const fbiTableJson: unknown = JSON.parse(
  readFileSync(new URL('../../data/fbi-2015-expanded-codis.json', import.meta.url), 'utf8'),
);

export const FBI_SOURCE =
  'FBI expanded CODIS core 2015 (Moretti et al. 2016, doi:10.1016/j.fsigen.2016.07.022)';

export function fbiTable(population = 'Caucasian'): FrequencyTable {
  return loadFrequencyTable(fbiTableJson, { population, source: FBI_SOURCE });
}

/** A validated profile, or a thrown error naming what was wrong. */
export function profile(loci: Record<string, Array<number | string>>): StrProfile {
  const result = validateProfile({ loci }, { minimumLoci: 1 });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.profile;
}
