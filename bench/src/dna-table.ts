// The allele-frequency table every DNA benchmark searches with: the FBI's expanded CODIS
// frequencies, Caucasian population, as the service loads them.
import { readFileSync } from 'node:fs';
import {
  type FrequencyTable,
  loadFrequencyTable,
} from '../../services/dna-tracking/src/domain/allele-frequencies.ts';

/** The benchmarks' frequency table, read from the service's own data file. */
export function benchFrequencyTable(): FrequencyTable {
  const raw: unknown = JSON.parse(
    readFileSync(
      new URL('../../services/dna-tracking/data/fbi-2015-expanded-codis.json', import.meta.url),
      'utf8',
    ),
  );
  return loadFrequencyTable(raw, { population: 'Caucasian', source: 'fbi-2015-expanded-codis.json' });
}
