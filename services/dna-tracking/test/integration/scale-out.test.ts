import { hostname } from 'node:os';
import { createTestTopics, deleteTestTopics, uniqueName, waitFor } from '@homeward/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHIPPED_FREQUENCY_SOURCE } from '../../src/config.ts';
import { loadFrequencyTable } from '../../src/domain/allele-frequencies.ts';
import type { StrProfile } from '../../src/domain/profile.ts';
import { SyntheticPopulation } from '../../src/domain/synthetic-population.ts';
import { fbiTableJson } from '../domain/fixtures.ts';
import { profileBody, type RunningDna, sampleAtLab, startDna } from '../support.ts';

const table = loadFrequencyTable(fbiTableJson, { population: 'Caucasian', source: SHIPPED_FREQUENCY_SOURCE });
const population = new SyntheticPopulation(table, 18);

let prefix: string;
let first: RunningDna;
let second: RunningDna;

// Two instances of one deployment on one database, as two pods would be, each with the
// consumer group it derives itself (INDEX_CONSUMER_GROUP unset): two ports name two instances.
beforeAll(async () => {
  prefix = await createTestTopics('dna-scale-out');
  const dbName = uniqueName('dna_scale').replaceAll('-', '_');
  first = await startDna({
    prefix,
    dbName,
    keepDatabase: true,
    defaultIndexGroup: true,
    env: { PORT: '18184' },
  });
  // The second scans on worker threads whatever its index's size (the first on its event loop).
  second = await startDna({
    prefix,
    dbName,
    defaultIndexGroup: true,
    env: { PORT: '18185', SEARCH_WORKERS: '2', SEARCH_PARALLEL_FROM: '0' },
  });
});

afterAll(async () => {
  await first?.stop();
  await second?.stop();
  await deleteTestTopics(prefix);
});

async function enter(dna: RunningDna, sampleId: string, profile: StrProfile) {
  const res = await dna.call('POST', `/v1/samples/${sampleId}/profile`, profileBody(profile));
  if (res.status !== 201) throw new Error(`profile refused: ${JSON.stringify(res.body)}`);
  return res.body as { matches: Array<{ kind: string; parentSampleIds: string[]; status: string }> };
}

/** Parents entered through `parents`, their child through `child`: the child's search must find them. */
async function familyAcross(parents: RunningDna, child: RunningDna) {
  const caseId = uniqueName('case');
  const mother = population.person();
  const father = population.person();
  const ids = {
    mother: await sampleAtLab(parents, { kind: 'parent', relation: 'mother', caseId }),
    father: await sampleAtLab(parents, { kind: 'parent', relation: 'father', caseId }),
    child: await sampleAtLab(child, { kind: 'unidentified-child' }),
  };
  await enter(parents, ids.mother, mother);
  await enter(parents, ids.father, father);
  await waitFor(() => child.app.index.has(ids.mother) && child.app.index.has(ids.father), {
    what: 'the other instance to index both parents from their events',
  });
  const found = await enter(child, ids.child, population.childOf(mother, father));
  return { found, ids };
}

describe('two instances of dna-tracking', () => {
  it('derive two consumer groups of their own by default', () => {
    expect(first.group).toBe('');
    expect(first.app.consumers[0]?.groupId).toBe(`dna-tracking.index.${hostname()}.18184`);
    expect(second.app.consumers[0]?.groupId).toBe(`dna-tracking.index.${hostname()}.18185`);
  });

  it('each find a match for a profile entered through the other', async () => {
    for (const [parents, child] of [
      [first, second],
      [second, first],
    ] as const) {
      const { found, ids } = await familyAcross(parents, child);
      const pair = found.matches.find((c) => c.kind === 'pair');
      expect(pair?.parentSampleIds).toEqual([ids.mother, ids.father]);
      expect(pair?.status).toBe('pending-review');
    }
  });

  it('searches on worker threads where asked to, and stops them with the service', async () => {
    expect(first.app.search.running).toBe(0);
    expect(second.app.search.running).toBe(2);
    await second.stop();
    expect(second.app.search.running).toBe(0);
  });
});
