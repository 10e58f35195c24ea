import { createRequire } from 'node:module';
import { Writable } from 'node:stream';
import { type CloudEvent, Topics } from '@homeward/events';
import type { Logger } from '@homeward/service-kit';
import {
  createTestTopics,
  deleteTestTopics,
  sendRaw,
  type TopicCollector,
  testDatabase,
  uniqueName,
  waitFor,
} from '@homeward/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHIPPED_FREQUENCY_SOURCE } from '../../src/config.ts';
import { loadFrequencyTable } from '../../src/domain/allele-frequencies.ts';
import { matchIdFor } from '../../src/domain/ids.ts';
import { parentPairIndex, singleParentIndex } from '../../src/domain/kinship.ts';
import type { StrProfile } from '../../src/domain/profile.ts';
import { SyntheticPopulation } from '../../src/domain/synthetic-population.ts';
import { fbiTableJson } from '../domain/fixtures.ts';
import {
  dnaEventsCollector,
  knownCase,
  profileBody,
  type RunningDna,
  sampleAtLab,
  startDna,
} from '../support.ts';

// The service's own configuration: the shipped table, its Caucasian population.
const table = loadFrequencyTable(fbiTableJson, { population: 'Caucasian', source: SHIPPED_FREQUENCY_SOURCE });
const population = new SyntheticPopulation(table, 2026);
// The kit's own pino (this package does not depend on pino), without the kit's redaction: the
// test shows that the code logs no genotypes, not that a censor hides them.
const pino = createRequire(new URL('../../node_modules/@homeward/service-kit/package.json', import.meta.url))(
  'pino',
) as (opts: { level: string }, stream: Writable) => Logger;
const logLines: string[] = [];
const sink = new Writable({
  write(chunk, _enc, done) {
    logLines.push(chunk.toString());
    done();
  },
});
/** Every profile entered in this file, to look for its genotypes in logs and events. */
const entered: StrProfile[] = [];

let prefix: string;
let dna: RunningDna;
let events: TopicCollector;

beforeAll(async () => {
  prefix = await createTestTopics('dna-matching');
  dna = await startDna({ prefix, logger: pino({ level: 'debug' }, sink) });
  events = await dnaEventsCollector(prefix);
});

afterAll(async () => {
  await events.stop();
  await dna.stop();
  await deleteTestTopics(prefix);
});

const relClose = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b)) < 1e-9;

async function enter(sampleId: string, profile: StrProfile) {
  entered.push(profile);
  const res = await dna.call('POST', `/v1/samples/${sampleId}/profile`, profileBody(profile));
  if (res.status !== 201) throw new Error(`profile refused: ${JSON.stringify(res.body)}`);
  return res.body;
}

async function family() {
  const caseId = uniqueName('case');
  const mother = population.person();
  const father = population.person();
  const child = population.childOf(mother, father);
  const ids = {
    mother: await sampleAtLab(dna, { kind: 'parent', relation: 'mother', caseId }),
    father: await sampleAtLab(dna, { kind: 'parent', relation: 'father', caseId }),
    child: await sampleAtLab(dna, { kind: 'unidentified-child' }),
  };
  return { caseId, profiles: { mother, father, child }, ids };
}

const matchesOfCase = async (caseId: string) =>
  (await dna.call('GET', `/v1/matches?caseId=${caseId}`, undefined, 'police')).body.matches as Array<{
    matchId: string;
    kind: string;
    combinedIndex: number;
    status: string;
    parentSampleIds: string[];
    childSampleId: string;
    inconsistentLoci: string[];
    probability: number;
    frequencyTable: { version: string };
  }>;

describe('kinship matching through the HTTP API', () => {
  const decoyCases: string[] = [];

  beforeAll(async () => {
    // Decoys: unrelated parent pairs and unrelated children, entered first.
    for (let i = 0; i < 6; i++) {
      const caseId = uniqueName('decoy');
      decoyCases.push(caseId);
      for (const relation of ['mother', 'father'] as const) {
        const id = await sampleAtLab(dna, { kind: 'parent', relation, caseId });
        await enter(id, population.person());
      }
    }
    for (let i = 0; i < 3; i++)
      await enter(await sampleAtLab(dna, { kind: 'rescued-child' }), population.person());
  });

  it('finds a true family among decoys when the child arrives last, with the index of kinship.ts', async () => {
    const f = await family();
    expect((await enter(f.ids.mother, f.profiles.mother)).matches).toEqual([]);
    const afterFather = await enter(f.ids.father, f.profiles.father);
    expect(afterFather.matches).toEqual([]);
    const afterChild = await enter(f.ids.child, f.profiles.child);
    const pairId = matchIdFor(f.ids.child, [f.ids.mother, f.ids.father]);
    expect(afterChild.matches.map((m: { matchId: string }) => m.matchId).sort()).toEqual(
      [pairId, matchIdFor(f.ids.child, [f.ids.mother]), matchIdFor(f.ids.child, [f.ids.father])].sort(),
    );

    const found = await matchesOfCase(f.caseId);
    const pair = found.find((m) => m.kind === 'pair')!;
    const expected = parentPairIndex(table, f.profiles.child, f.profiles.mother, f.profiles.father);
    expect(pair).toMatchObject({
      matchId: pairId,
      childSampleId: f.ids.child,
      parentSampleIds: [f.ids.mother, f.ids.father],
      status: 'pending-review',
      inconsistentLoci: [],
      frequencyTable: { version: table.meta.version, population: 'Caucasian' },
    });
    expect(relClose(pair.combinedIndex, expected.combinedIndex)).toBe(true);
    expect(pair.combinedIndex).toBeGreaterThan(10_000);
    const mother = found.find((m) => m.kind === 'single' && m.parentSampleIds[0] === f.ids.mother)!;
    expect(
      relClose(
        mother.combinedIndex,
        singleParentIndex(table, f.profiles.child, f.profiles.mother).combinedIndex,
      ),
    ).toBe(true);

    const event = await events.waitForEvent(
      (e) => e.type === 'homeward.dna.match-found' && (e.data as { matchId: string }).matchId === pairId,
    );
    expect(event.subject).toBe(f.ids.child);
    expect(event.data).toMatchObject({
      childSampleId: f.ids.child,
      parentSampleIds: [f.ids.mother, f.ids.father],
      caseId: f.caseId,
      inconsistentLoci: [],
      frequencyVersion: table.meta.version,
    });
    const data = event.data as { combinedIndex: number; probability: number };
    expect(relClose(data.combinedIndex, expected.combinedIndex)).toBe(true);
    expect(data.probability).toBeCloseTo(expected.probabilityOfParentage, 12);

    // No decoy case got a candidate, and kinship.ts agrees that they are excluded.
    for (const caseId of decoyCases) expect(await matchesOfCase(caseId)).toEqual([]);
  });

  it('raises the same matches from the parents side when the child arrives first', async () => {
    const f = await family();
    expect((await enter(f.ids.child, f.profiles.child)).matches).toEqual([]);
    const afterMother = await enter(f.ids.mother, f.profiles.mother);
    expect(afterMother.matches).toMatchObject([
      { kind: 'single', matchId: matchIdFor(f.ids.child, [f.ids.mother]), status: 'pending-review' },
    ]);
    const afterFather = await enter(f.ids.father, f.profiles.father);
    const pairId = matchIdFor(f.ids.child, [f.ids.mother, f.ids.father]);
    expect(afterFather.matches.map((m: { matchId: string }) => m.matchId).sort()).toEqual(
      [pairId, matchIdFor(f.ids.child, [f.ids.father])].sort(),
    );
    const pair = (await matchesOfCase(f.caseId)).find((m) => m.matchId === pairId)!;
    expect(
      relClose(
        pair.combinedIndex,
        parentPairIndex(table, f.profiles.child, f.profiles.mother, f.profiles.father).combinedIndex,
      ),
    ).toBe(true);
    expect(pair.parentSampleIds).toEqual([f.ids.mother, f.ids.father]);
    await events.waitForEvent(
      (e) => e.type === 'homeward.dna.match-found' && (e.data as { matchId: string }).matchId === pairId,
    );
  });

  it('makes one review task of a family: the pair folds in the single-parent matches', async () => {
    const f = await family();
    const u = uniqueName('case-u');
    await knownCase(dna, u, 'unidentified-child');
    const child = await sampleAtLab(dna, { kind: 'unidentified-child', caseId: u });
    await enter(child, f.profiles.child);
    // The mother first: her single match is a review task, until the father completes the pair.
    await enter(f.ids.mother, f.profiles.mother);
    const motherSingle = matchIdFor(child, [f.ids.mother]);
    await events.waitForEvent(
      (e) =>
        e.type === 'homeward.dna.match-found' && (e.data as { matchId: string }).matchId === motherSingle,
    );
    const afterFather = await enter(f.ids.father, f.profiles.father);
    const pairId = matchIdFor(child, [f.ids.mother, f.ids.father]);
    const fatherSingle = matchIdFor(child, [f.ids.father]);
    expect(
      Object.fromEntries(
        afterFather.matches.map((m: { matchId: string; status: string }) => [m.matchId, m.status]),
      ),
    ).toEqual({ [pairId]: 'pending-review', [fatherSingle]: 'folded' });

    const pairFound = await events.waitForEvent(
      (e) => e.type === 'homeward.dna.match-found' && (e.data as { matchId: string }).matchId === pairId,
    );
    expect(pairFound.data).toMatchObject({
      caseId: f.caseId,
      childCaseId: u,
      parents: [
        { sampleId: f.ids.mother, relation: 'mother' },
        { sampleId: f.ids.father, relation: 'father' },
      ],
      foldedMatchIds: [motherSingle],
    });
    await new Promise((r) => setTimeout(r, 300));
    const found = events.events.filter(
      (e) =>
        e.type === 'homeward.dna.match-found' &&
        (e.data as { childSampleId: string }).childSampleId === child,
    );
    expect(found.map((e) => (e.data as { matchId: string }).matchId).sort()).toEqual(
      [motherSingle, pairId].sort(),
    );
    // One review task: the pair.
    const pending = await dna.call('GET', `/v1/matches?status=pending-review&caseId=${u}`);
    expect(pending.body.matches.map((m: { matchId: string }) => m.matchId)).toEqual([pairId]);
    const single = await dna.call('GET', `/v1/matches/${motherSingle}`);
    expect(single.body).toMatchObject({ status: 'folded', foldedInto: pairId, childCaseId: u });
  });

  it('excludes an unrelated pair and stores nothing for it', async () => {
    const caseId = uniqueName('unrelated');
    const m = population.person();
    const fa = population.person();
    const child = population.person();
    const ids = [
      await sampleAtLab(dna, { kind: 'parent', relation: 'mother', caseId }),
      await sampleAtLab(dna, { kind: 'parent', relation: 'father', caseId }),
      await sampleAtLab(dna, { kind: 'unidentified-child' }),
    ];
    await enter(ids[0]!, m);
    await enter(ids[1]!, fa);
    expect(parentPairIndex(table, child, m, fa).status).toBe('excluded');
    const res = await enter(ids[2]!, child);
    expect(res.matches).toEqual([]);
    expect(await matchesOfCase(caseId)).toEqual([]);
    const missing = await dna.call('GET', `/v1/matches/${matchIdFor(ids[2]!, [ids[0]!, ids[1]!])}`);
    expect(missing.status).toBe(404);
  });

  it('changes nothing on replayed requests and redelivered events', async () => {
    const f = await family();
    await enter(f.ids.mother, f.profiles.mother);
    await enter(f.ids.father, f.profiles.father);
    const first = await enter(f.ids.child, f.profiles.child);
    const pairId = matchIdFor(f.ids.child, [f.ids.mother, f.ids.father]);
    await events.waitForEvent(
      (e) => e.type === 'homeward.dna.match-found' && (e.data as { matchId: string }).matchId === pairId,
    );

    const again = await dna.call('POST', `/v1/samples/${f.ids.child}/profile`, profileBody(f.profiles.child));
    expect(again.status).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body.matches.map((m: { matchId: string }) => m.matchId).sort()).toEqual(
      first.matches.map((m: { matchId: string }) => m.matchId).sort(),
    );
    const other = population.person();
    const conflict = await dna.call('POST', `/v1/samples/${f.ids.child}/profile`, profileBody(other));
    expect(conflict.status).toBe(409);
    expect(conflict.body.code).toBe('DNA_ERR_PROFILE_EXISTS');

    // Redeliver the child's profile-entered as it was, and once more under a new id.
    const original = events.messages.find((m) => m.event?.id === `${f.ids.child}.profile`)!;
    const headers = Object.fromEntries(
      Object.entries(original.message.headers ?? {}).map(([k, v]) => [k, String(v)]),
    );
    const topic = `${prefix}${Topics.dnaEvents}`;
    await sendRaw(topic, [{ key: f.ids.child, value: original.message.value, headers }]);
    const newId = uniqueName('redelivered');
    await sendRaw(topic, [
      { key: f.ids.child, value: original.message.value, headers: { ...headers, ce_id: newId } },
    ]);
    const { client, close } = await testDatabase('unused');
    try {
      const processed = client.db(dna.dbName).collection<{ _id: string }>('processed_events');
      await waitFor(() => processed.findOne({ _id: `${dna.group}:homeward/dna-tracking|${newId}` }), {
        what: 'the redelivered event handled',
      });
    } finally {
      await close();
    }
    await new Promise((r) => setTimeout(r, 500));
    const found = events.events.filter(
      (e) =>
        e.type === 'homeward.dna.match-found' &&
        (e.data as { childSampleId: string }).childSampleId === f.ids.child,
    );
    // One review task for the family: the pair's; its singles are folded in, silently.
    expect(found.map((e) => e.id)).toEqual([`${pairId}.found`]);
    expect(first.matches.map((m: { matchId: string }) => m.matchId).sort()).toEqual(
      [pairId, matchIdFor(f.ids.child, [f.ids.mother]), matchIdFor(f.ids.child, [f.ids.father])].sort(),
    );
    expect((await matchesOfCase(f.caseId)).length).toBe(3);
  });

  it('learns of a profile another instance entered, from its event', async () => {
    const second = await startDna({ prefix, dbName: dna.dbName, keepDatabase: true });
    try {
      const before = second.app.index.size;
      expect(before).toBe(dna.app.index.size);
      const id = await sampleAtLab(dna, { kind: 'rescued-child' });
      await enter(id, population.person());
      await waitFor(() => second.app.index.has(id), { what: 'the second instance to index the profile' });
      expect(second.app.index.size).toBe(before + 1);
    } finally {
      await second.stop();
    }
  });
});

describe('profiles: validation, rules, roles', () => {
  it('refuses invalid profiles, naming the locus and never the value', async () => {
    const id = await sampleAtLab(dna, { kind: 'unidentified-child' });
    const url = `/v1/samples/${id}/profile`;
    const bad: Array<[unknown, string, string]> = [
      [{ loci: { D99S999: [12, 13] } }, 'DNA_ERR_INVALID_PROFILE', '/loci/D99S999'],
      [{ loci: { D8S1179: [12, 13, 14] } }, 'DNA_ERR_INVALID_PROFILE', '/loci/D8S1179'],
      [{ loci: { TH01: ['9.7', 6] } }, 'DNA_ERR_INVALID_PROFILE', '/loci/TH01/0'],
      [{ loci: { FGA: [] } }, 'DNA_ERR_INVALID_PROFILE', '/loci/FGA'],
      [{ loci: { FGA: 22 } }, 'DNA_ERR_INVALID_PROFILE', '/loci/FGA'],
      [{ loci: {} }, 'DNA_ERR_INVALID_PROFILE', '/loci'],
      [{ genotypes: {} }, 'DNA_ERR_INVALID_PROFILE', '/loci'],
      [{ loci: { vWA: [16, 17], VWA: [16, 17] } }, 'DNA_ERR_INVALID_PROFILE', '/loci/VWA'],
      [{ loci: { $where: [1, 2] } }, 'DNA_ERR_UNSAFE_KEYS', '/loci/$where'],
    ];
    for (const [body, code, field] of bad) {
      const res = await dna.call('POST', url, body);
      expect({ field, status: res.status, code: res.body.code }).toEqual({ field, status: 400, code });
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      expect(JSON.stringify(res.body)).not.toContain('9.7');
    }
    expect((await dna.call('POST', '/v1/samples/smp-none/profile', { loci: { FGA: [22, 24] } })).status).toBe(
      404,
    );
  });

  it('stores a profile with too few loci as not matchable and does not search it', async () => {
    const id = await sampleAtLab(dna, { kind: 'unidentified-child' });
    const child = population.person();
    const few = Object.fromEntries(Object.entries(child.loci).slice(0, 8));
    entered.push({ loci: few } as unknown as StrProfile);
    const res = await dna.call(
      'POST',
      `/v1/samples/${id}/profile`,
      profileBody({ loci: few } as unknown as StrProfile),
    );
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ lociTyped: 8, matchable: false, matches: [] });
    expect(dna.app.index.has(id)).toBe(false);
    expect((await dna.call('GET', `/v1/samples/${id}`, undefined, 'police')).body.profile).toMatchObject({
      lociTyped: 8,
      matchable: false,
    });
    const e = await events.waitForEvent((x) => x.id === `${id}.profile`);
    expect(e.data).toEqual({ sampleId: id, enteredAt: expect.any(String), lociCount: 8, matchable: false });
  });

  it('needs the sample at the lab, and one mother and one father per case', async () => {
    const caseId = uniqueName('case');
    await knownCase(dna, caseId);
    const created = await dna.call(
      'POST',
      '/v1/samples',
      {
        subject: { kind: 'parent', relation: 'mother', caseId },
        kitBarcode: uniqueName('KIT'),
        collectedAt: '2026-11-27T10:00:00+08:00',
        place: 'Hefei',
        region: '340104',
        collector: 'officer-1',
      },
      'police',
    );
    const early = await dna.call(
      'POST',
      `/v1/samples/${created.body.sampleId}/profile`,
      profileBody(population.person()),
    );
    expect(early.status).toBe(409);
    expect(early.body).toMatchObject({ code: 'DNA_ERR_SAMPLE_NOT_AT_LAB', currentStep: 'collected' });

    const first = await sampleAtLab(dna, { kind: 'parent', relation: 'mother', caseId });
    const second = await sampleAtLab(dna, { kind: 'parent', relation: 'mother', caseId });
    await enter(first, population.person());
    const taken = await dna.call('POST', `/v1/samples/${second}/profile`, profileBody(population.person()));
    expect(taken.status).toBe(409);
    expect(taken.body.code).toBe('DNA_ERR_CASE_RELATION_TAKEN');
  });

  it('lets only dna-lab enter and read genotypes', async () => {
    const id = await sampleAtLab(dna, { kind: 'rescued-child' });
    const p = population.person();
    for (const role of ['police', 'operator', 'health']) {
      expect((await dna.call('POST', `/v1/samples/${id}/profile`, profileBody(p), role)).status).toBe(403);
    }
    expect((await dna.call('POST', `/v1/samples/${id}/profile`, profileBody(p), null)).status).toBe(401);
    await enter(id, p);
    for (const role of ['police', 'operator']) {
      const res = await dna.call('GET', `/v1/samples/${id}/profile`, undefined, role);
      expect({ role, status: res.status }).toEqual({ role, status: 403 });
    }
    const read = await dna.call('GET', `/v1/samples/${id}/profile`);
    expect(read.status).toBe(200);
    expect(read.body.loci).toEqual(profileBody(p).loci);
    const view = await dna.call('GET', `/v1/samples/${id}`, undefined, 'police');
    expect(view.status).toBe(200);
    expect(JSON.stringify(view.body)).not.toContain('"loci"');
  });
});

describe('review', () => {
  let pairId: string;
  let singleId: string;
  let caseId: string;

  beforeAll(async () => {
    const f = await family();
    caseId = f.caseId;
    await enter(f.ids.mother, f.profiles.mother);
    await enter(f.ids.father, f.profiles.father);
    await enter(f.ids.child, f.profiles.child);
    pairId = matchIdFor(f.ids.child, [f.ids.mother, f.ids.father]);
    singleId = matchIdFor(f.ids.child, [f.ids.father]);
  });

  it('confirms by dna-lab once, announcing the case; a second decision is 409', async () => {
    const body = { reviewer: 'lab-director-2', note: 'trio consistent at all 23 loci' };
    expect((await dna.call('POST', `/v1/matches/${pairId}/confirm`, body, 'police')).status).toBe(403);
    expect((await dna.call('POST', `/v1/matches/${pairId}/confirm`, body, null)).status).toBe(401);
    const noNote = await dna.call('POST', `/v1/matches/${pairId}/confirm`, { reviewer: 'x' });
    expect(noNote.status).toBe(400);
    expect(noNote.body.code).toBe('HOMEWARD_ERR_INVALID_INPUT');
    expect((await dna.call('POST', '/v1/matches/match-none/confirm', body)).status).toBe(404);

    const ok = await dna.call('POST', `/v1/matches/${pairId}/confirm`, body);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({
      status: 'confirmed',
      review: { reviewer: 'lab-director-2', agencyId: expect.any(String) },
    });
    const again = await dna.call('POST', `/v1/matches/${pairId}/confirm`, body);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({
      code: 'DNA_ERR_MATCH_ALREADY_REVIEWED',
      type: 'urn:homeward:problem:dna-err-match-already-reviewed',
    });
    expect((await dna.call('POST', `/v1/matches/${pairId}/reject`, body)).status).toBe(409);

    const e = await events.waitForEvent(
      (x) => x.type === 'homeward.dna.match-confirmed' && (x.data as { matchId: string }).matchId === pairId,
    );
    expect(e.data).toMatchObject({ caseId, confirmedBy: 'lab-director-2' });
    await new Promise((r) => setTimeout(r, 300));
    expect(
      events.events.filter(
        (x) =>
          x.type === 'homeward.dna.match-confirmed' && (x.data as { matchId: string }).matchId === pairId,
      ),
    ).toHaveLength(1);
  });

  it('rejects, and filters the list by status and case for the reading roles', async () => {
    // The family's singles are folded into its pair: not reviewed on their own.
    const folded = await dna.call('POST', `/v1/matches/${singleId}/reject`, {
      reviewer: 'lab-2',
      note: 'sample swap suspected',
    });
    expect(folded.status).toBe(409);
    expect(folded.body).toMatchObject({ code: 'DNA_ERR_MATCH_FOLDED', foldedInto: pairId });
    // A mother alone with her child is a review task of its own.
    const lone = await family();
    await enter(lone.ids.mother, lone.profiles.mother);
    await enter(lone.ids.child, lone.profiles.child);
    const loneId = matchIdFor(lone.ids.child, [lone.ids.mother]);
    const res = await dna.call('POST', `/v1/matches/${loneId}/reject`, {
      reviewer: 'lab-2',
      note: 'sample swap suspected',
    });
    expect(res.status).toBe(200);
    await events.waitForEvent(
      (x) => x.type === 'homeward.dna.match-rejected' && (x.data as { matchId: string }).matchId === loneId,
    );
    const confirmed = await dna.call(
      'GET',
      `/v1/matches?status=confirmed&caseId=${caseId}`,
      undefined,
      'operator',
    );
    expect(confirmed.body.matches.map((m: { matchId: string }) => m.matchId)).toEqual([pairId]);
    const pending = await dna.call(
      'GET',
      `/v1/matches?status=pending-review&caseId=${caseId}`,
      undefined,
      'dna-lab',
    );
    expect(pending.body.matches).toEqual([]);
    const foldedList = await dna.call('GET', `/v1/matches?status=folded&caseId=${caseId}`);
    expect(foldedList.body.matches.map((m: { foldedInto: string }) => m.foldedInto)).toEqual([
      pairId,
      pairId,
    ]);
    expect((await dna.call('GET', '/v1/matches?status=maybe')).status).toBe(400);
    expect((await dna.call('GET', '/v1/matches', undefined, 'health')).status).toBe(403);
    expect(JSON.stringify(confirmed.body)).not.toContain('"loci"');
  });
});

describe('population data', () => {
  it('serves the table in use with its source, version and minimum-frequency rule', async () => {
    const res = await dna.call('GET', '/v1/allele-frequencies', undefined, 'volunteer');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      source: SHIPPED_FREQUENCY_SOURCE,
      version: table.meta.version,
      population: 'Caucasian',
      minimumFrequencyRule: 'nrc-ii-5/2n:unobserved',
      sampleSizeUnit: 'chromosomes',
    });
    expect(res.body.note).toContain('Han Chinese');
    expect(res.body.loci).toHaveLength(23);
    const th01 = res.body.loci.find((l: { locus: string }) => l.locus === 'TH01');
    expect(th01.frequencies['9.3']).toBeGreaterThan(0.2);
    expect(th01.minimumFrequency).toBeCloseTo(5 / (2 * th01.individuals), 12);
    expect((await dna.call('GET', '/v1/allele-frequencies', undefined, null)).status).toBe(401);
  });
});

describe('privacy', () => {
  it('keeps genotypes out of the logs and out of every event on the topic', async () => {
    await waitFor(() => events.events.some((e) => e.type === 'homeward.dna.match-rejected'));
    const log = logLines.join('');
    expect(log).toContain('profile entered');
    expect(log).toContain('kinship search done');
    const events_ = events.events as CloudEvent[];
    expect(events_.length).toBeGreaterThan(50);
    const texts = events_.map((e) => JSON.stringify(e.data));
    for (const forbidden of ['"loci"', '"genotypes"', '"alleles"']) {
      expect(log).not.toContain(forbidden);
      for (const t of texts) expect(t).not.toContain(forbidden);
    }
    // Each genotype as any serialisation would write it.
    for (const p of entered) {
      for (const [locus, g] of Object.entries(p.loci)) {
        for (const needle of [`"${locus}":["${g![0]}","${g![1]}"]`, `["${g![0]}","${g![1]}"]`]) {
          expect(log.includes(needle), `log holds ${locus}`).toBe(false);
          for (const t of texts) expect(t.includes(needle)).toBe(false);
        }
      }
    }
    expect(entered.length).toBeGreaterThan(30);
  });
});
