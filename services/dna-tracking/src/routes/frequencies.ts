import { Roles } from '@homeward/events';
import { type HttpServer, problemResponses } from '@homeward/service-kit';
import type { LoadedFrequencyTable } from '../frequency-table-file.ts';
import { FrequencyTableView } from './schemas.ts';

/** Why the shipped populations are not the ones casework in China needs; served with the table. */
export const POPULATION_NOTE =
  'None of the populations in the shipped FBI table is Han Chinese. A deployment for casework in China loads the table its laboratory uses ' +
  '(a published Han population study) in the same shape through FREQUENCY_TABLE_FILE, FREQUENCY_POPULATION and FREQUENCY_SOURCE. ' +
  'Alleles a table lacks get the NRC II minimum frequency 5/(2n), n the people typed at the locus.';

/** `GET /v1/allele-frequencies`: the table in use, its source, version and minimum-frequency rule. */
export async function frequencyRoutes(
  app: HttpServer,
  deps: { loaded: LoadedFrequencyTable },
): Promise<void> {
  const { table, raw, populations, sampleSizeUnit } = deps.loaded;
  // Built once: the table does not change while the process runs.
  const body = {
    ...table.meta,
    sampleSizeUnit,
    note: POPULATION_NOTE,
    populationsInFile: populations,
    loci: table.loci.map((locus) => {
      const name = Object.keys(raw.frequencies).find((k) => k === locus) ?? locus;
      return {
        locus,
        sampleSize: raw.sampleSizeByLocus[name] ?? 0,
        individuals: table.individuals(locus),
        minimumFrequency: table.minimumFrequency(locus),
        frequencies: raw.frequencies[name] ?? {},
      };
    }),
  };
  app.get(
    '/v1/allele-frequencies',
    {
      schema: {
        tags: ['population data'],
        summary: 'The allele-frequency table in use, with its source and version',
        description: 'Every match records the version (a hash of the population entry) it was computed with.',
        response: { 200: FrequencyTableView, ...problemResponses(401) },
      },
      config: { access: { roles: Roles, scope: 'none: population data, no personal data' } },
    },
    async () => body,
  );
}
