import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { serviceConfig } from '@homeward/service-kit';
import { Type } from '@sinclair/typebox';
import { DEFAULT_OVERDUE_HOURS } from './domain/custody.ts';
import { DEFAULT_KINSHIP_OPTIONS } from './domain/kinship.ts';
import {
  DEFAULT_RELATIVE_THRESHOLDS,
  type RelativeRelation,
  RelativeRelations,
  type RelativeThresholds,
} from './domain/kinship-relatives.ts';
import { DEFAULT_MINIMUM_LOCI } from './domain/profile.ts';

/** The table shipped with the service (FBI expanded CODIS, see data/README.md). */
export const SHIPPED_FREQUENCY_TABLE = fileURLToPath(
  new URL('../data/fbi-2015-expanded-codis.json', import.meta.url),
);
export const SHIPPED_FREQUENCY_SOURCE =
  'FBI expanded CODIS core population data 2015 (Moretti T.R. et al. 2016, Forensic Sci. Int. Genet. 25:175-181, doi:10.1016/j.fsigen.2016.07.022)';

/** `full-sibling` → `FULL_SIBLING`: the relationship's part of its threshold variables. */
const envName = (relation: RelativeRelation) => relation.toUpperCase().replaceAll('-', '_');

// RELATIVE_MATCH_THRESHOLD_<RELATION> and RELATIVE_INCONCLUSIVE_THRESHOLD_<RELATION>, one pair per
// relationship, defaults from kinship-relatives.ts.
const relativeThresholdVariables = Object.fromEntries(
  RelativeRelations.flatMap((r) => [
    [
      `RELATIVE_MATCH_THRESHOLD_${envName(r)}`,
      Type.Number({ default: DEFAULT_RELATIVE_THRESHOLDS[r].match, exclusiveMinimum: 1 }),
    ],
    [
      `RELATIVE_INCONCLUSIVE_THRESHOLD_${envName(r)}`,
      Type.Number({ default: DEFAULT_RELATIVE_THRESHOLDS[r].inconclusive, exclusiveMinimum: 1 }),
    ],
  ]),
) as Record<`RELATIVE_${'MATCH' | 'INCONCLUSIVE'}_THRESHOLD_${string}`, ReturnType<typeof Type.Number>>;

/** The relatives' thresholds a configuration gives, per relationship. */
export function relativeThresholdsOf(
  config: Record<string, unknown>,
): Record<RelativeRelation, RelativeThresholds> {
  return Object.fromEntries(
    RelativeRelations.map((r) => [
      r,
      {
        match: config[`RELATIVE_MATCH_THRESHOLD_${envName(r)}`] as number,
        inconclusive: config[`RELATIVE_INCONCLUSIVE_THRESHOLD_${envName(r)}`] as number,
      },
    ]),
  ) as Record<RelativeRelation, RelativeThresholds>;
}

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
  ...relativeThresholdVariables,
  /**
   * Lowest relatives index a search keeps (unset: the lowest inconclusive threshold), so that a
   * case with several references is scored jointly from a reference weaker alone.
   */
  RELATIVE_FLOOR: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
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
   * index lives in each process, so every instance needs a group of its own: unset, it is
   * {@link defaultIndexConsumerGroup} (one per host and port). Set it only to a name no other
   * instance uses.
   */
  INDEX_CONSUMER_GROUP: Type.Optional(Type.String({ minLength: 1 })),
  /**
   * Worker threads scanning the kinship index for a child's search (search-pool.ts); unset, one
   * per core; 0 scans on the event loop.
   */
  SEARCH_WORKERS: Type.Optional(Type.Integer({ minimum: 0, maximum: 64 })),
  /** Fewest profiles of a kind (parents, relatives) for their scan to go to the workers. */
  SEARCH_PARALLEL_FROM: Type.Integer({ default: 50_000, minimum: 0 }),
});

/**
 * The index consumer group of an instance: `dna-tracking.index.<host>.<port>` (the consumer
 * runner puts TOPIC_PREFIX before it, as before every group, so prefixed deployments stay apart;
 * the name starts with the service's principal, the only groups the broker lets it use).
 * Each instance keeps its whole index in memory, so each must see every `profile-entered`: a
 * group shared by two instances splits the partitions between them and each misses the
 * other's share. Host and port name an instance (a pod's host name, or two processes on one
 * machine on two ports) and stay the same across its restarts, so a restart resumes its group
 * instead of leaving one behind.
 */
export function defaultIndexConsumerGroup(
  config: { TOPIC_PREFIX: string; PORT: number },
  host: string = hostname(),
): string {
  return `dna-tracking.index.${host}.${config.PORT}`;
}
