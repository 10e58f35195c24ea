import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DueIndex } from '../src/index.ts';

/** Makes a fresh, empty index for one test, and disposes of it afterwards. */
export interface DueIndexFixture {
  make(): Promise<DueIndex>;
  dispose?(): Promise<void>;
}

const at = (minute: number) => new Date(Date.UTC(2026, 10, 28, 8, minute));

/** The behaviour every `DueIndex` adapter shares; run once per adapter. */
export function dueIndexContract(adapter: string, fixture: DueIndexFixture): void {
  describe(`DueIndex contract: ${adapter}`, () => {
    let index: DueIndex;
    beforeEach(async () => {
      index = await fixture.make();
    });
    afterEach(async () => {
      await fixture.dispose?.();
    });

    it('starts empty and names nothing due', async () => {
      expect(await index.size()).toBe(0);
      expect(await index.due(at(59), 10)).toEqual([]);
    });

    it('names what is due at or before now, earliest first, ties by id, at most limit', async () => {
      await index.set('c', at(10));
      await index.set('b', at(5));
      await index.set('a', at(10));
      await index.set('later', at(30));
      expect(await index.due(at(10), 10)).toEqual(['b', 'a', 'c']);
      expect(await index.due(at(9), 10)).toEqual(['b']);
      expect(await index.due(at(10), 2)).toEqual(['b', 'a']);
      expect(await index.due(at(10), 0)).toEqual([]);
      expect(await index.due(at(4), 10)).toEqual([]);
      expect(await index.size()).toBe(4);
    });

    it('set replaces the due time either way, and null or undefined removes the id', async () => {
      await index.set('a', at(10));
      await index.set('a', at(20));
      expect(await index.due(at(15), 10)).toEqual([]);
      await index.set('a', at(5));
      expect(await index.due(at(5), 10)).toEqual(['a']);
      await index.set('a', null);
      expect(await index.size()).toBe(0);
      await index.set('b', at(1));
      await index.set('b', undefined);
      await index.set('never-there', null);
      expect(await index.size()).toBe(0);
    });

    it('bringForward adds a new id and moves an existing one only earlier', async () => {
      await index.bringForward('a', at(20));
      expect(await index.due(at(20), 10)).toEqual(['a']);
      await index.bringForward('a', at(30));
      expect(await index.due(at(20), 10)).toEqual(['a']);
      await index.bringForward('a', at(10));
      expect(await index.due(at(10), 10)).toEqual(['a']);
      expect(await index.due(at(9), 10)).toEqual([]);
      await index.bringForward('a', null);
      await index.bringForward('b', undefined);
      expect(await index.size()).toBe(1);
    });

    it('bringForwardAll brings many forward at once, across chunks', async () => {
      await index.set('kept-earlier', at(1));
      await index.set('moved', at(50));
      const entries: Array<[string, Date]> = [
        ['kept-earlier', at(40)],
        ['moved', at(2)],
      ];
      for (let i = 0; i < 2500; i++) entries.push([`id-${String(i).padStart(4, '0')}`, at(30)]);
      await index.bringForwardAll(entries);
      await index.bringForwardAll([]);
      expect(await index.size()).toBe(2502);
      expect(await index.due(at(29), 10)).toEqual(['kept-earlier', 'moved']);
      const due = await index.due(at(30), 3000);
      expect(due).toHaveLength(2502);
      expect(due.slice(0, 4)).toEqual(['kept-earlier', 'moved', 'id-0000', 'id-0001']);
    });
  });
}
