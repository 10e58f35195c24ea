import { OutboxRelay } from '@homeward/messaging';
import { testInfra, testLogger, uniqueName, waitFor } from '@homeward/testing';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MongoPersistence } from '../../src/index.ts';
import { caseClosed } from '../contract/aggregate-store-contract.ts';
import { openMongoBed } from '../support/mongo-bed.ts';

const logger = testLogger();
const WRITES = new Set(['insert', 'update', 'delete', 'findAndModify']);

describe('the MongoDB adapter on one database', () => {
  let bed: Awaited<ReturnType<typeof openMongoBed>>;
  let client: MongoClient;
  beforeAll(async () => {
    bed = await openMongoBed('persistence-lane', logger);
    // Its own client, on the bed's database, watching every command it sends.
    client = await new MongoClient(testInfra().mongoUrl, { monitorCommands: true }).connect();
  });
  afterAll(async () => {
    await client.close();
    await bed.close();
  });

  it('sends one write command at a time: concurrent inserts, updates and their outbox pointers of three stores never overlap', async () => {
    const db = client.db(bed.db.databaseName);
    let inFlight = 0;
    let most = 0;
    const writing = new Set<number>();
    client.on('commandStarted', (e) => {
      if (e.databaseName !== db.databaseName || !WRITES.has(e.commandName)) return;
      writing.add(e.requestId);
      most = Math.max(most, ++inFlight);
    });
    const ended = (e: { requestId: number }) => {
      if (writing.delete(e.requestId)) inFlight--;
    };
    client.on('commandSucceeded', ended);
    client.on('commandFailed', ended);

    const relay = new OutboxRelay({ publisher: bed.publisher, db, logger });
    const persistence = new MongoPersistence({ db, leases: bed.leases, relay });
    const facts = persistence.facts<{ _id: string; n: number }>(uniqueName('facts').replaceAll('-', '_'));
    const a = persistence.aggregate<{ _id: string; n: number }>(uniqueName('a').replaceAll('-', '_'));
    const b = persistence.aggregate<{ _id: string; n: number }>(uniqueName('b').replaceAll('-', '_'));
    const ids = Array.from({ length: 12 }, (_, i) => `d-${i}`);
    const events = ids.map((id) => caseClosed(id));
    await Promise.all(
      ids.flatMap((id, i) => [
        facts.insertOnce({ _id: id, n: i }, [events[i]!]),
        a.insertOnce({ _id: id, n: i }),
        b.insertOnce({ _id: id, n: i }).then(() => b.update(id, (d) => ({ doc: { ...d, n: d.n + 1 } }))),
      ]),
    );
    await waitFor(() => events.every((e) => bed.collector.events.some((x) => x.id === e.id)), {
      what: 'every fact event on the topic',
    });
    await relay.stop();

    expect(await facts.count()).toBe(12);
    expect(await a.count()).toBe(12);
    expect((await b.list()).map((d) => d.n).sort((x, y) => x - y)).toEqual(ids.map((_, i) => i + 1));
    // Writes went out (pointers, inserts, updates, the pointers' removal), never two at once.
    expect(most).toBe(1);
  });
});
