import { MemoryPersistence } from '@homeward/persistence';
import { ManualClock, MemoryDueIndex, type Principal } from '@homeward/service-kit';
import { testLogger } from '@homeward/testing';
import { describe, expect, it } from 'vitest';
import { DEFAULT_OVERDUE_HOURS } from '../../src/domain/custody.ts';
import { ProfileIndex } from '../../src/domain/matcher.ts';
import type { StrProfile } from '../../src/domain/profile.ts';
import { SyntheticPopulation } from '../../src/domain/synthetic-population.ts';
import { MatchingService } from '../../src/matching-service.ts';
import { type NewSample, SampleService } from '../../src/sample-service.ts';
import { SamplingService } from '../../src/sampling-service.ts';
import { SearchPool } from '../../src/search-pool.ts';
import { DnaStore } from '../../src/store/dna-store.ts';
import { fbiTable } from '../domain/fixtures.ts';
import { caseOpenedData } from '../support.ts';

const police: Principal = { agencyId: 'hefei-psb', role: 'police', region: '340100' };
const lab: Principal = { agencyId: 'anhui-lab', role: 'dna-lab', region: '340000' };
const table = fbiTable();
const profileBody = (p: StrProfile) => ({
  loci: Object.fromEntries(Object.entries(p.loci).map(([l, g]) => [l, [...g!]])),
});

/** dna-tracking's services over memory stores: no broker, no database. */
function dna() {
  const persistence = new MemoryPersistence();
  const store = new DnaStore(persistence);
  const clock = new ManualClock('2026-11-28T02:00:00Z');
  const logger = testLogger();
  const index = new ProfileIndex(table);
  const search = SearchPool.onThisThread(index);
  const matching = new MatchingService({ store, clock, logger, index, search });
  const samples = new SampleService({
    store,
    clock,
    logger,
    matching,
    overduePolicy: DEFAULT_OVERDUE_HOURS,
    minimumLoci: 15,
  });
  const sampling = new SamplingService({
    store,
    index: new MemoryDueIndex(),
    clock,
    logger,
    limitHours: 72,
  });
  return { persistence, store, clock, index, matching, samples, sampling };
}

const sample = (kitBarcode: string, subject: NewSample['subject']): NewSample => ({
  subject,
  kitBarcode,
  collectedAt: '2026-11-28T01:00:00Z',
  place: 'Hefei PSB forensic centre',
  region: '340104',
  collector: 'officer-1',
});

async function atLab(d: ReturnType<typeof dna>, kit: string, subject: NewSample['subject']): Promise<string> {
  const { sample: s } = await d.samples.register(sample(kit, subject), police);
  const steps = [
    { step: 'sealed' as const, at: '2026-11-28T01:10:00Z' },
    { step: 'shipped' as const, at: '2026-11-28T01:20:00Z', trackingNumber: 'SF1' },
    { step: 'received' as const, at: '2026-11-28T01:30:00Z' },
  ];
  for (const st of steps) await d.samples.recordCustody(s._id, { ...st, by: 'tech', place: 'lab' }, lab);
  return s._id;
}

describe('sample service over memory stores', () => {
  it('registers a kit once: a retry replays, another sample on the kit is refused', async () => {
    const d = dna();
    const first = await d.samples.register(sample('KIT-0001', { kind: 'unidentified-child' }), police);
    const again = await d.samples.register(sample('KIT-0001', { kind: 'unidentified-child' }), police);
    expect([first.replay, again.replay]).toEqual([false, true]);
    expect(again.sample).toEqual(first.sample);
    await expect(
      d.samples.register(
        { ...sample('KIT-0001', { kind: 'unidentified-child' }), place: 'elsewhere' },
        police,
      ),
    ).rejects.toMatchObject({ code: 'DNA_ERR_KIT_REUSED', status: 409 });
    expect(d.persistence.outbox.ofType('homeward.dna.sample-collected')).toHaveLength(1);
  });

  it('appends one record per step however many copies race, and keeps the chain valid', async () => {
    const d = dna();
    const { sample: s } = await d.samples.register(sample('KIT-0002', { kind: 'rescued-child' }), police);
    const sealed = { step: 'sealed' as const, at: '2026-11-28T01:10:00Z', by: 'tech', place: 'lab' };
    const raced = await Promise.all([1, 2, 3].map(() => d.samples.recordCustody(s._id, sealed, lab)));
    expect(raced.filter((r) => !r.replay)).toHaveLength(1);
    expect(new Set(raced.map((r) => r.record.hash)).size).toBe(1);
    const { records, verification } = await d.samples.custody(s._id);
    expect(records.map((r) => r.step)).toEqual(['collected', 'sealed']);
    expect(verification).toMatchObject({ valid: true, length: 2 });
    expect(d.persistence.outbox.ofType('homeward.dna.custody-recorded')).toHaveLength(1);
    await expect(
      d.samples.recordCustody(s._id, { ...sealed, step: 'received', at: '2026-11-28T01:20:00Z' }, lab),
    ).rejects.toMatchObject({ code: 'DNA_ERR_CUSTODY_OUT_OF_ORDER', extensions: { currentStep: 'sealed' } });
    await expect(d.samples.custody('smp-none')).rejects.toMatchObject({ code: 'DNA_ERR_SAMPLE_NOT_FOUND' });
  });

  it('lists what sits too long in its step, most overdue first', async () => {
    const d = dna();
    const a = (await d.samples.register(sample('KIT-0003', { kind: 'rescued-child' }), police)).sample._id;
    const b = await atLab(d, 'KIT-0004', { kind: 'rescued-child' });
    d.clock.set('2026-12-20T00:00:00Z');
    const late = await d.samples.overdue(lab);
    expect(late.map((x) => [x.sample._id, x.step])).toEqual([
      [a, 'collected'],
      [b, 'received'],
    ]);
  });

  it('enters a profile once the sample is at the lab, finds the parent, and is reviewed once', async () => {
    const d = dna();
    const population = new SyntheticPopulation(table, 11);
    const mother = population.person();
    const child = population.childOf(mother, population.person());
    await d.sampling.recordOpened(caseOpenedData('case-m'));
    const motherId = await atLab(d, 'KIT-0005', { kind: 'parent', relation: 'mother', caseId: 'case-m' });
    const early = (await d.samples.register(sample('KIT-0006', { kind: 'unidentified-child' }), police))
      .sample._id;
    await expect(d.samples.enterProfile(early, profileBody(child), lab)).rejects.toMatchObject({
      code: 'DNA_ERR_SAMPLE_NOT_AT_LAB',
      extensions: { currentStep: 'collected' },
    });
    const childId = await atLab(d, 'KIT-0007', { kind: 'unidentified-child' });
    expect((await d.samples.enterProfile(motherId, profileBody(mother), lab)).matches).toEqual([]);
    const entered = await d.samples.enterProfile(childId, profileBody(child), lab);
    expect(entered.matches).toEqual([
      expect.objectContaining({
        kind: 'single',
        childSampleId: childId,
        parentSampleIds: [motherId],
        created: true,
      }),
    ]);
    const replay = await d.samples.enterProfile(childId, profileBody(child), lab);
    expect(replay.replay).toBe(true);
    expect(replay.matches.map((m) => m.created)).toEqual([false]);
    await expect(d.samples.enterProfile(childId, profileBody(mother), lab)).rejects.toMatchObject({
      code: 'DNA_ERR_PROFILE_EXISTS',
    });
    const matchId = entered.matches[0]!.matchId;
    const decisions = await Promise.allSettled(
      ['confirmed', 'rejected'].map((decision) =>
        d.matching.review({
          matchId,
          decision: decision as 'confirmed',
          reviewer: 'a',
          note: 'n',
          principal: lab,
        }),
      ),
    );
    expect(decisions.map((x) => x.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(
      d.persistence.outbox.published.filter(
        (e) => e.type === 'homeward.dna.match-confirmed' || e.type === 'homeward.dna.match-rejected',
      ),
    ).toHaveLength(1);
    expect(d.persistence.outbox.ofType('homeward.dna.match-found')).toHaveLength(1);
    expect(d.persistence.outbox.ofType('homeward.dna.profile-entered')).toHaveLength(2);
  });
});
