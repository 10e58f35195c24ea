import { MongoClient } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { GroupCommit, WriteLane, writeLaneOf } from '../../src/index.ts';

/** A promise and the function that settles it. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open = () => {};
  const opened = new Promise<void>((r) => {
    open = r;
  });
  return { opened, open };
}

describe('WriteLane', () => {
  it('runs one write at a time, in the order asked, and goes on after one fails', async () => {
    const lane = new WriteLane();
    const log: string[] = [];
    const first = gate();
    const a = lane.run(async () => {
      log.push('a starts');
      await first.opened;
      log.push('a ends');
      throw new Error('a failed');
    });
    const b = lane.run(async () => {
      log.push('b starts');
      return 'b';
    });
    await new Promise((r) => setTimeout(r, 10));
    // b waits for a, however long a takes.
    expect(log).toEqual(['a starts']);
    first.open();
    await expect(a).rejects.toThrow('a failed');
    expect(await b).toBe('b');
    expect(log).toEqual(['a starts', 'a ends', 'b starts']);
  });

  it('is one per client and database name, whichever Db handle asks', async () => {
    // Not connected: handles only.
    const client = new MongoClient('mongodb://127.0.0.1:1');
    const other = new MongoClient('mongodb://127.0.0.1:1');
    expect(writeLaneOf(client.db('a'))).toBe(writeLaneOf(client.db('a')));
    expect(writeLaneOf(client.db('a'))).not.toBe(writeLaneOf(client.db('b')));
    expect(writeLaneOf(client.db('a'))).not.toBe(writeLaneOf(other.db('a')));
  });
});

describe('GroupCommit on a write lane', () => {
  it('waits for the lane before taking its round, so the round carries what queued meanwhile', async () => {
    const lane = new WriteLane();
    const rounds: number[][] = [];
    const gc = new GroupCommit<number, number>(
      async (items) => {
        rounds.push(items);
        return items;
      },
      undefined,
      lane,
    );
    // Another writer of the database holds the lane.
    const held = gate();
    const other = lane.run(() => held.opened);
    const writes = [gc.run(1), gc.run(2)];
    await new Promise((r) => setTimeout(r, 10));
    expect(rounds).toEqual([]);
    writes.push(gc.run(3));
    held.open();
    await other;
    expect(await Promise.all(writes)).toEqual([1, 2, 3]);
    expect(rounds).toEqual([[1, 2, 3]]);
  });

  it('starts a lone write at once when the lane is free', async () => {
    const lane = new WriteLane();
    const started: number[] = [];
    const gc = new GroupCommit<number, number>(
      async (items) => {
        started.push(...items);
        return items;
      },
      undefined,
      lane,
    );
    const done = gc.run(7);
    // The lane's turn comes after the current microtasks, not after a timer.
    await Promise.resolve();
    await Promise.resolve();
    expect(started).toEqual([7]);
    expect(await done).toBe(7);
  });
});
