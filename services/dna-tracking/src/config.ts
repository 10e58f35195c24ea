import { fileURLToPath } from 'node:url';
import { serviceConfig } from '@homeward/service-kit';
import { Type } from '@sinclair/typebox';
import { DEFAULT_OVERDUE_HOURS } from './domain/custody.ts';
import { DEFAULT_KINSHIP_OPTIONS } from './domain/kinship.ts';
import { DEFAULT_MINIMUM_LOCI } from './domain/profile.ts';

/** The table shipped with the service (FBI expanded CODIS, see data/README.md). */
export const SHIPPED_FREQUENCY_TABLE = fileURLToPath(
  new URL('../data/fbi-2015-expanded-codis.json', import.meta.url),
);
export const SHIPPED_FREQUENCY_SOURCE =
  'FBI expanded CODIS core population data 2015 (Moretti T.R. et al. 2016, Forensic Sci. Int. Genet. 25:175-181, doi:10.1016/j.fsigen.2016.07.022)';

const hours = (step: keyof typeof DEFAULT_OVERDUE_HOURS) =>
  Type.Number({ default: DEFAULT_OVERDUE_HOURS[step], exclusiveMinimum: 0 });

export const DnaTrackingConfig = serviceConfig({
  PORT: Type.Integer({ default: 8084, minimum: 1, maximum: 65535 }),
  MONGO_DB: Type.String({ default: 'dna_tracking' }),
  /** A frequency table file in the shipped shape: `{ population: { sampleSizeByLocus, frequencies } }`. */
  FREQUENCY_TABLE_FILE: Type.String({ default: SHIPPED_FREQUENCY_TABLE }),
  FREQUENCY_POPULATION: Type.String({ default: 'Caucasian' }),
  /** The citation recorded with every match; describe the lab's own table when loading one. */
  FREQUENCY_SOURCE: Type.String({ default: SHIPPED_FREQUENCY_SOURCE }),
  FREQUENCY_SAMPLE_SIZE_UNIT: Type.Union([Type.Literal('chromosomes'), Type.Literal('individuals')], {
    default: 'chromosomes',
  }),
  MINIMUM_FREQUENCY_SCOPE: Type.Union([Type.Literal('unobserved'), Type.Literal('all')], {
    default: 'unobserved',
  }),
  MATCH_THRESHOLD: Type.Number({ default: DEFAULT_KINSHIP_OPTIONS.matchThreshold, exclusiveMinimum: 1 }),
  INCONCLUSIVE_THRESHOLD: Type.Number({
    default: DEFAULT_KINSHIP_OPTIONS.inconclusiveThreshold,
    exclusiveMinimum: 1,
  }),
  MUTATION_RATE: Type.Number({
    default: DEFAULT_KINSHIP_OPTIONS.mutationRate,
    exclusiveMinimum: 0,
    maximum: 0.1,
  }),
  /** Loci a profile needs to enter kinship searches. */
  MINIMUM_LOCI: Type.Integer({ default: DEFAULT_MINIMUM_LOCI, minimum: 1, maximum: 24 }),
  OVERDUE_COLLECTED_HOURS: hours('collected'),
  OVERDUE_SEALED_HOURS: hours('sealed'),
  OVERDUE_SHIPPED_HOURS: hours('shipped'),
  OVERDUE_RECEIVED_HOURS: hours('received'),
  OVERDUE_PROFILED_HOURS: hours('profiled'),
  /** Hours a case's DNA sample may stay owed before `homeward.dna.sampling-overdue` is raised (once). */
  SAMPLING_OVERDUE_HOURS: Type.Number({ default: 72, exclusiveMinimum: 0 }),
  /** Real milliseconds between two looks at the sampling clock (the injected clock decides what is due). */
  SAMPLING_CHECK_INTERVAL_MS: Type.Integer({ default: 60_000, minimum: 100 }),
  /** Due cases handled per look at most. */
  SAMPLING_CHECK_BATCH: Type.Integer({ default: 500, minimum: 1, maximum: 10_000 }),
  /** The group in which instances share the case events (what each case owes). */
  CASE_CONSUMER_GROUP: Type.String({ default: 'dna-tracking.cases', minLength: 1 }),
  /**
   * Consumer group through which this process learns of profiles other processes entered. The
   * index lives in each process, so with several instances give each its own group.
   */
  INDEX_CONSUMER_GROUP: Type.String({ default: 'dna-tracking.index', minLength: 1 }),
});
