import { OutboxRelay } from '@homeward/messaging';
import { testInfra, testLogger, uniqueName, waitFor } from '@homeward/testing';
import { type Document, MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DocumentNotFound, MongoPersistence } from '../../src/index.ts';
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

  it('inserts the documents of stores sharing one collection in one command, and each store sees only its own', async () => {
    const db = client.db(bed.db.databaseName);
    const collection = uniqueName('records').replaceAll('-', '_');
    const inserts: number[] = [];
    const counting = (e: { databaseName: string; commandName: string; command: Document }) => {
      if (e.databaseName === db.databaseName && e.commandName === 'insert' && e.command.insert === collection)
        inserts.push((e.command.documents as unknown[]).length);
    };
    client.on('commandStarted', counting);
    const relay = new OutboxRelay({ publisher: bed.publisher, db, logger });
    const persistence = new MongoPersistence({ db, leases: bed.leases, relay });
    type Item = { _id: string; n: number };
    const reports = persistence.facts<Item>('reports', { collection });
    const cases = persistence.aggregate<Item>('cases', { collection });
    const event = caseClosed('case-1');
    // What intake does with a report that opens a case: both inserts at once.
    const [storedReport, storedCase] = await Promise.all([
      reports.insertOnce({ _id: 'rpt-1', n: 1 }, [event]),
      cases.insertOnce({ _id: 'case-1', n: 2 }),
    ]);
    client.off('commandStarted', counting);
    expect([storedReport, storedCase]).toEqual([true, true]);
    expect(inserts).toEqual([2]);
    await waitFor(() => bed.collector.events.some((x) => x.id === event.id), { what: 'the report event' });
    await relay.stop();

    expect(await reports.get('rpt-1')).toEqual({ _id: 'rpt-1', n: 1 });
    expect(await reports.get('case-1')).toBeNull();
    expect(await cases.list()).toEqual([{ _id: 'case-1', n: 2 }]);
    expect(await cases.list({}, { projection: { _id: 0 } })).toEqual([{ n: 2 }]);
    expect(await cases.list({}, { projection: { n: 1 } })).toEqual([{ _id: 'case-1', n: 2 }]);
    expect(await reports.count()).toBe(1);
    expect(await reports.count({ n: 2 })).toBe(0);
    // Another store's id is not this store's document: not found, not changed, not removed;
    // an insert under it is refused as any duplicate id is.
    await expect(cases.update('rpt-1', (d) => ({ doc: { ...d, n: 9 } }))).rejects.toBeInstanceOf(
      DocumentNotFound,
    );
    expect(await cases.remove('rpt-1')).toBe(false);
    expect(await cases.insertOnce({ _id: 'rpt-1', n: 3 })).toBe(false);
    expect(await reports.get('rpt-1')).toEqual({ _id: 'rpt-1', n: 1 });
    // As stored: each document names its store.
    const raw = await db
      .collection(collection)
      .find({}, { projection: { outbox: 0 } })
      .sort({ _id: 1 })
      .toArray();
    expect(raw).toEqual([
      { _id: 'case-1', n: 2, _store: 'cases' },
      { _id: 'rpt-1', n: 1, _store: 'reports' },
    ]);
  });
});
