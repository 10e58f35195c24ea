import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProfileIndex } from '../../src/domain/matcher.ts';
import type { StrProfile } from '../../src/domain/profile.ts';
import { SyntheticPopulation } from '../../src/domain/synthetic-population.ts';
import { SearchPool } from '../../src/search-pool.ts';
import { FBI_SOURCE, fbiTable, fbiTableJson } from '../domain/fixtures.ts';

const table = fbiTable('Caucasian');
const tableOptions = { population: 'Caucasian', source: FBI_SOURCE };
let pool: SearchPool;
const local = new ProfileIndex(table);
const population = new SyntheticPopulation(table, 99);
const children: StrProfile[] = [];

beforeAll(async () => {
  pool = await SearchPool.start({
    rawTable: fbiTableJson,
    tableOptions,
    indexOptions: {},
    shards: 3,
    frequencyTable: table.meta,
  });
  const add = async (id: string, p: StrProfile, role: 'child' | 'parent' | 'relative', meta = {}) => {
    local.add(id, p, role, meta);
    await pool.add(id, p, role, meta);
  };
  for (let i = 0; i < 60; i++) {
    const mother = population.person();
    const father = population.person();
    const child = population.childOf(mother, father);
    await add(`m${i}`, mother, 'parent', { caseId: `c${i}`, relation: 'mother' });
    if (i % 2 === 0) await add(`f${i}`, father, 'parent', { caseId: `c${i}`, relation: 'father' });
    if (i % 3 === 0)
      await add(`s${i}`, population.childOf(mother, father), 'relative', {
        caseId: `c${i}`,
        relation: 'full-sibling',
      });
    if (i % 4 === 0)
      await add(`g${i}`, population.person(), 'relative', { caseId: `c${i}`, relation: 'grandparent' });
    if (i % 5 === 0) {
      children.push(child);
      await add(`k${i}`, child, 'child');
    }
  }
});

afterAll(async () => {
  await pool?.close();
});

describe('SearchPool: the index over worker threads', () => {
  it('holds what it was given, spread over its shards', async () => {
    expect(pool.shards).toBe(3);
    expect(pool.size).toBe(local.size);
    expect(pool.has('m0')).toBe(true);
    expect(pool.has('nobody')).toBe(false);
    await expect(pool.add('m0', population.person(), 'parent')).rejects.toMatchObject({
      code: 'DNA_ERR_DUPLICATE_PROFILE',
    });
    expect(pool.size).toBe(local.size);
  });

  it('answers every search as the single index does', async () => {
    for (const child of [...children, population.person()]) {
      expect(await pool.searchParentsForChild(child, { floor: 1 })).toEqual(
        local.searchParentsForChild(child, { floor: 1 }),
      );
      expect(await pool.searchRelativesForChild(child, { floor: 1 })).toEqual(
        local.searchRelativesForChild(child, { floor: 1 }),
      );
    }
    const parent = local.profileOf('m10')!;
    expect(await pool.profileOf('m10')).toEqual(parent);
    expect(await pool.searchChildrenForParent(parent, { floor: 1 })).toEqual(
      local.searchChildrenForParent(parent, { floor: 1 }),
    );
    const sibling = local.profileOf('s30')!;
    expect(await pool.searchChildrenForRelative(sibling, 'full-sibling', { floor: 1 })).toEqual(
      local.searchChildrenForRelative(sibling, 'full-sibling', { floor: 1 }),
    );
    expect(await pool.referencesOf('c0')).toEqual(local.referencesOf('c0'));
    expect(await pool.familyIndex(children[0]!, 'c0')).toEqual(local.familyIndex(children[0]!, 'c0'));
  });

  it('loads a batch as the single adds do, and refuses a batch with an id it holds', async () => {
    const batch = Array.from(
      { length: 30 },
      (_, i) =>
        [`b${i}`, population.person(), 'parent', { caseId: `bc${i}`, relation: 'mother' }] as [
          string,
          StrProfile,
          'parent',
          { caseId: string; relation: 'mother' },
        ],
    );
    await pool.addMany(batch);
    for (const [id, p, role, meta] of batch) local.add(id, p, role, meta);
    expect(pool.size).toBe(local.size);
    await expect(pool.addMany([['b0', population.person(), 'child']])).rejects.toMatchObject({
      code: 'DNA_ERR_DUPLICATE_PROFILE',
    });
    expect(pool.size).toBe(local.size);
    const child = population.childOf(batch[3]![1], population.person());
    expect(await pool.searchParentsForChild(child, { floor: 1 })).toEqual(
      local.searchParentsForChild(child, { floor: 1 }),
    );
  });

  it('removes from the right shard', async () => {
    expect(await pool.remove('k0')).toBe(true);
    expect(await pool.remove('k0')).toBe(false);
    local.remove('k0');
    expect(pool.has('k0')).toBe(false);
    expect(await pool.searchParentsForChild(children[0]!, { floor: 1 })).toEqual(
      local.searchParentsForChild(children[0]!, { floor: 1 }),
    );
  });
});
