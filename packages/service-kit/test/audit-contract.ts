import type { Persistence } from '@homeward/persistence';
import { describe, expect, it } from 'vitest';
import { AuditLog, ManualClock, type Principal, regionFilter, withScope } from '../src/index.ts';

const hefeiPolice: Principal = { agencyId: 'hefei-psb', role: 'police', region: '340100' };
const luanPolice: Principal = { agencyId: 'luan-psb', role: 'police', region: '341500' };
const anhuiOperator: Principal = { agencyId: 'anhui-office', role: 'operator', region: '340000' };
const hefeiOperator: Principal = { agencyId: 'hefei-office', role: 'operator', region: '340100' };
const luanOperator: Principal = { agencyId: 'luan-office', role: 'operator', region: '341500' };
const national: Principal = { agencyId: 'ministry', role: 'admin', region: '000000' };

/**
 * The audit log and the region filters over one persistence adapter: run over memory (mingo)
 * in test/unit and over MongoDB (FerretDB) in test/integration, so both answer alike.
 */
export function auditContract(
  name: string,
  make: () => Promise<{ p: Persistence; done?: () => Promise<void> }>,
) {
  describe(`audit log and region filters (${name})`, () => {
    it('keeps one record per read, with who, when, which ids and filters', async () => {
      const { p, done } = await make();
      try {
        const clock = new ManualClock(new Date('2026-12-01T10:00:00Z'));
        const audit = AuditLog.of(p, clock);
        await audit.record(hefeiPolice, {
          action: 'case.read',
          recordType: 'case',
          recordIds: ['c-1'],
          regions: ['340104'],
        });
        clock.advance(1000);
        await audit.record(hefeiPolice, {
          action: 'case.read',
          recordType: 'case',
          recordIds: ['c-1'],
          regions: ['340104'],
        });
        clock.advance(1000);
        await audit.record(
          luanPolice,
          {
            action: 'case.list',
            recordType: 'case',
            recordIds: ['c-7', 'c-8'],
            regions: ['341502', '341503'],
            filters: { status: 'open', nested: { no: 1 }, limit: 20 },
          },
          { route: '/v1/cases', requestId: 'r-1' },
        );
        const all = await audit.list(national, {});
        expect(all.items.map((r) => r.action)).toEqual(['case.list', 'case.read', 'case.read']);
        const [list] = all.items;
        expect(list).toMatchObject({
          actor: luanPolice,
          recordType: 'case',
          recordIds: ['c-7', 'c-8'],
          regions: ['341502', '341503'],
          filters: { status: 'open', limit: 20 },
          route: '/v1/cases',
          requestId: 'r-1',
        });
        expect(list!.at).toEqual(new Date('2026-12-01T10:00:02Z'));
        expect(all.nextOffset).toBeNull();
      } finally {
        await done?.();
      }
    });

    it('shows an operator only the reads of records or by readers in its region, filtered and paged', async () => {
      const { p, done } = await make();
      try {
        const clock = new ManualClock(new Date('2026-12-01T10:00:00Z'));
        const audit = AuditLog.of(p, clock);
        for (let i = 0; i < 5; i++) {
          clock.advance(1000);
          await audit.record(hefeiPolice, {
            action: 'case.read',
            recordType: 'case',
            recordIds: [`h-${i}`],
            regions: ['340104'],
          });
        }
        clock.advance(1000);
        await audit.record(luanPolice, {
          action: 'case.read',
          recordType: 'case',
          recordIds: ['l-1'],
          regions: ['341502'],
        });
        // A reader from Lu'an reading a Hefei record (through assistance): both prefectures see it.
        clock.advance(1000);
        await audit.record(luanPolice, {
          action: 'case.read',
          recordType: 'case',
          recordIds: ['h-0'],
          regions: ['340104'],
        });

        const ids = async (who: Principal, q = {}) =>
          (await audit.list(who, q)).items.map((r) => r.recordIds.join(','));
        expect(await ids(hefeiOperator)).toEqual(['h-0', 'h-4', 'h-3', 'h-2', 'h-1', 'h-0']);
        expect(await ids(luanOperator)).toEqual(['h-0', 'l-1']);
        expect((await ids(anhuiOperator)).length).toBe(7);
        expect(await ids(hefeiOperator, { agencyId: 'luan-psb' })).toEqual(['h-0']);
        expect(await ids(anhuiOperator, { recordId: 'h-0' })).toEqual(['h-0', 'h-0']);
        expect(await ids(anhuiOperator, { region: '341500' })).toEqual(['l-1']);
        expect(
          await ids(anhuiOperator, { since: '2026-12-01T10:00:02Z', until: '2026-12-01T10:00:04Z' }),
        ).toEqual(['h-2', 'h-1']);
        const first = await audit.list(anhuiOperator, { limit: 3 });
        expect(first.items).toHaveLength(3);
        expect(first.nextOffset).toBe(3);
        const last = await audit.list(anhuiOperator, { limit: 3, offset: 6 });
        expect(last.items.map((r) => r.recordIds[0])).toEqual(['h-0']);
        expect(last.nextOffset).toBeNull();
      } finally {
        await done?.();
      }
    });

    it('filters a list by region in the store query: province prefix, prefecture prefix, county, national, several', async () => {
      const { p, done } = await make();
      try {
        const store = p.aggregate<{ _id: string; region: string; regions?: string[] }>('scoped');
        const regions = ['340104', '340102', '340221', '341502', '320102'];
        for (const region of regions)
          await store.insertOnce({ _id: `r-${region}`, region, regions: [region, '110101'] });
        const ids = async (filter: Record<string, unknown>) =>
          (await store.list(filter as never, { sort: { region: 1 } })).map((d) => d.region);
        expect(await ids(regionFilter('region', '340000'))).toEqual(['340102', '340104', '340221', '341502']);
        expect(await ids(regionFilter('region', '340100'))).toEqual(['340102', '340104']);
        expect(await ids(regionFilter('region', '340104'))).toEqual(['340104']);
        expect(await ids(regionFilter('region', '000000'))).toEqual([
          '320102',
          '340102',
          '340104',
          '340221',
          '341502',
        ]);
        expect(await ids(regionFilter('region', ['340100', '341500']))).toEqual([
          '340102',
          '340104',
          '341502',
        ]);
        expect(await ids(regionFilter('region', []))).toEqual([]);
        expect(await ids(regionFilter('regions', '341500'))).toEqual(['341502']);
        expect(await ids(withScope({ region: { $ne: '340102' } }, regionFilter('region', '340100')))).toEqual(
          ['340104'],
        );
        expect(await store.count(regionFilter('region', '340000') as never)).toBe(4);
      } finally {
        await done?.();
      }
    });
  });
}
