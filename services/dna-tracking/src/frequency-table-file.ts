import { readFileSync } from 'node:fs';
import type { Static } from '@sinclair/typebox';
import type { DnaTrackingConfig } from './config.ts';
import {
  type FrequencyTable,
  loadFrequencyTable,
  type RawFrequencyTable,
} from './domain/allele-frequencies.ts';

/** The table in use, the file's raw entry for its population (served as is), and the file's other populations. */
export interface LoadedFrequencyTable {
  table: FrequencyTable;
  raw: RawFrequencyTable[string];
  populations: string[];
  sampleSizeUnit: 'chromosomes' | 'individuals';
}

/** Reads and validates the configured frequency table; fails the start with the reason. */
export function loadFrequencyTableFile(config: Static<typeof DnaTrackingConfig>): LoadedFrequencyTable {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(config.FREQUENCY_TABLE_FILE, 'utf8'));
  } catch (err) {
    throw new Error(
      `cannot read FREQUENCY_TABLE_FILE ${config.FREQUENCY_TABLE_FILE}: ${(err as Error).message}`,
    );
  }
  const table = loadFrequencyTable(parsed, {
    population: config.FREQUENCY_POPULATION,
    source: config.FREQUENCY_SOURCE,
    sampleSizeUnit: config.FREQUENCY_SAMPLE_SIZE_UNIT,
    minimumFrequencyScope: config.MINIMUM_FREQUENCY_SCOPE,
  });
  const file = parsed as RawFrequencyTable;
  return {
    table,
    raw: file[config.FREQUENCY_POPULATION]!,
    populations: Object.keys(file).sort(),
    sampleSizeUnit: config.FREQUENCY_SAMPLE_SIZE_UNIT,
  };
}
