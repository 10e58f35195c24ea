import type { CloudEvent } from '@homeward/events';
import { createTestTopics, deleteTestTopics, type TopicCollector, uniqueName } from '@homeward/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHIPPED_FREQUENCY_SOURCE } from '../../src/config.ts';
import { loadFrequencyTable } from '../../src/domain/allele-frequencies.ts';
import { matchIdFor } from '../../src/domain/ids.ts';
import { pedigreeIndex } from '../../src/domain/kinship-pedigree.ts';
import { relativeIndex } from '../../src/domain/kinship-relatives.ts';
import type { StrProfile } from '../../src/domain/profile.ts';
import { SyntheticPopulation } from '../../src/domain/synthetic-population.ts';
import { fbiTableJson } from '../domain/fixtures.ts';
import { dnaEventsCollector, profileBody, type RunningDna, sampleAtLab, startDna } from '../support.ts';

const table = loadFrequencyTable(fbiTableJson, { population: 'Caucasian', source: SHIPPED_FREQUENCY_SOURCE });
const population = new SyntheticPopulation(table, 1818);

let prefix: string;
let dna: RunningDna;
let events: TopicCollector;

beforeAll(async () => {
  prefix = await createTestTopics('dna-relatives');
  dna = await startDna({ prefix });
  events = await dnaEventsCollector(prefix);
});

afterAll(async () => {
  await events?.stop();
  await dna?.stop();
  await deleteTestTopics(prefix);
});

// biome-ignore lint/suspicious/noExplicitAny: event data asserted field by field
const dataOf = (e: CloudEvent) => e.data as any;

async function enter(sampleId: string, profile: StrProfile) {
  const res = await dna.call('POST', `/v1/samples/${sampleId}/profile`, profileBody(profile));
  if (res.status !== 201) throw new Error(`profile refused: ${JSON.stringify(res.body)}`);
  return res.body as {
    matches: Array<{ matchId: string; kind: string; combinedIndex: number; status: string }>;
  };
}

/** A family whose two siblings of the missing child have indices that clear the bar, drawn until they do. */
function strongSiblings() {
  for (;;) {
    const mother = population.person();
    const father = population.person();
    const child = population.childOf(mother, father);
    const sib1 = population.childOf(mother, father);
    const sib2 = population.childOf(mother, father);
    const one = relativeIndex(table, child, sib1, 'full-sibling').combinedIndex;
    if (one >= 100_000) return { child, sib1, sib2 };
  }
}

describe('relatives as references', () => {
  it('registers a relative with its relation and case, and refuses one without', async () => {
    const caseId = uniqueName('case');
    const ok = await dna.call(
      'POST',
      '/v1/samples',
      {
        subject: { kind: 'relative', relation: 'grandparent', caseId },
        kitBarcode: uniqueName('KIT').replaceAll('_', '-'),
        collectedAt: '2026-11-27T10:00:00+08:00',
        place: 'Hefei',
        region: '340104',
        collector: 'officer-1',
      },
      'police',
    );
    expect(ok.status).toBe(201);
    expect(ok.body.subject).toEqual({ kind: 'relative', relation: 'grandparent', caseId });
    const bad = await dna.call(
      'POST',
      '/v1/samples',
      {
        subject: { kind: 'relative', relation: 'cousin', caseId },
        kitBarcode: uniqueName('KIT').replaceAll('_', '-'),
        collectedAt: '2026-11-27T10:00:00+08:00',
        place: 'Hefei',
        region: '340104',
        collector: 'officer-1',
      },
      'police',
    );
    expect(bad.status).toBe(400);
    const none = await dna.call(
      'POST',
      '/v1/samples',
      {
        subject: { kind: 'relative', caseId },
        kitBarcode: uniqueName('KIT').replaceAll('_', '-'),
        collectedAt: '2026-11-27T10:00:00+08:00',
        place: 'Hefei',
        region: '340104',
        collector: 'officer-1',
      },
      'police',
    );
    expect(none.status).toBe(400);
    expect(JSON.stringify(none.body)).toContain('/subject/relation');
  });

  it('finds a child through a sibling, then scores two siblings jointly; the lab confirms the family', async () => {
    const caseId = uniqueName('case');
    const { child, sib1, sib2 } = strongSiblings();
    const ids = {
      sib1: await sampleAtLab(dna, { kind: 'relative', relation: 'full-sibling', caseId }),
      sib2: await sampleAtLab(dna, { kind: 'relative', relation: 'full-sibling', caseId }),
      child: await sampleAtLab(dna, { kind: 'unidentified-child' }),
    };
    // Two samples of siblings of one case: no "relation taken" (that rule is for parents).
    expect((await enter(ids.sib1, sib1)).matches).toEqual([]);
    const afterChild = await enter(ids.child, child);
    const single = afterChild.matches.find((m) => m.kind === 'relative');
    expect(single).toMatchObject({
      matchId: matchIdFor(ids.child, [ids.sib1]),
      status: 'pending-review',
    });
    expect(single!.combinedIndex).toBeCloseTo(
      relativeIndex(table, child, sib1, 'full-sibling').combinedIndex,
      6,
    );

    // The second sibling: the case now has two references, scored jointly with the child.
    const afterSib2 = await enter(ids.sib2, sib2);
    const family = afterSib2.matches.find((m) => m.kind === 'family');
    const joint = pedigreeIndex(table, child, [
      { sampleId: ids.sib1, relation: 'full-sibling', profile: sib1 },
      { sampleId: ids.sib2, relation: 'full-sibling', profile: sib2 },
    ]);
    expect(family).toBeDefined();
    expect(Math.abs(Math.log(family!.combinedIndex / joint.combinedIndex))).toBeLessThan(1e-9);

    const view = await dna.call('GET', `/v1/matches/${family!.matchId}`, undefined, 'police');
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({
      kind: 'family',
      relationship: 'family',
      caseId,
      childSampleId: ids.child,
    });
    expect(view.body.references.map((r: { sampleId: string }) => r.sampleId).sort()).toEqual(
      [ids.sib1, ids.sib2].sort(),
    );
    const found = await events.waitForEvent(
      (e) => e.type === 'homeward.dna.match-found' && dataOf(e).matchId === family!.matchId,
    );
    expect(dataOf(found)).toMatchObject({ relationship: 'family', caseId });
    expect(dataOf(found).references).toHaveLength(2);

    const confirmed = await dna.call('POST', `/v1/matches/${family!.matchId}/confirm`, {
      reviewer: 'dr-wang',
      note: 'two full siblings, joint index',
    });
    expect(confirmed.status).toBe(200);
    const event = await events.waitForEvent(
      (e) => e.type === 'homeward.dna.match-confirmed' && dataOf(e).matchId === family!.matchId,
    );
    expect(dataOf(event)).toMatchObject({ caseId, relationship: 'family' });
    const again = await dna.call('POST', `/v1/matches/${family!.matchId}/reject`, {
      reviewer: 'x',
      note: 'y',
    });
    expect(again.status).toBe(409);
  });

  it('finds nothing for an unrelated relative', async () => {
    const caseId = uniqueName('case');
    const id = await sampleAtLab(dna, { kind: 'relative', relation: 'aunt-uncle', caseId });
    const child = await sampleAtLab(dna, { kind: 'rescued-child' });
    await enter(id, population.person());
    const res = await enter(child, population.person());
    expect(res.matches.filter((m) => m.kind === 'relative' || m.kind === 'family')).toEqual([]);
  });
});
