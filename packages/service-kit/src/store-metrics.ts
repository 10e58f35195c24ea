import type { CommandFailedEvent, CommandStartedEvent, CommandSucceededEvent, MongoClient } from 'mongodb';
import { Counter, Histogram, type Registry } from 'prom-client';

/** The commands that change the store: what "writes per request" counts. */
const WRITES = new Set(['insert', 'update', 'delete', 'findAndModify']);

/**
 * Counts and times every command the service sends its document store, by command and
 * collection (`homeward_store_commands_total`, `homeward_store_command_seconds`), from the
 * driver's command monitoring: where a request's time goes, and how many writes it costs (on
 * FerretDB's single-writer SQLite each write is a transaction of its own, the scarce resource).
 * The client must be built with `monitorCommands: true`.
 */
export function monitorStoreCommands(client: MongoClient, registry: Registry): void {
  const commands = new Counter({
    name: 'homeward_store_commands_total',
    help: 'Commands sent to the document store, by command, collection, whether it writes, and outcome',
    labelNames: ['command', 'collection', 'write', 'outcome'],
    registers: [registry],
  });
  const seconds = new Histogram({
    name: 'homeward_store_command_seconds',
    help: 'Round trip of a document-store command, by command',
    labelNames: ['command'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  // Started events carry the collection; the outcome events only the request id.
  const started = new Map<number, { command: string; collection: string }>();
  client.on('commandStarted', (e: CommandStartedEvent) => {
    const target = e.command[e.commandName];
    started.set(e.requestId, {
      command: e.commandName,
      collection: typeof target === 'string' ? target : '',
    });
  });
  const finished = (outcome: 'ok' | 'failed') => (e: CommandSucceededEvent | CommandFailedEvent) => {
    const s = started.get(e.requestId);
    started.delete(e.requestId);
    if (!s) return;
    commands.inc({ ...s, write: String(WRITES.has(s.command)), outcome });
    seconds.observe({ command: s.command }, e.duration / 1000);
  };
  client.on('commandSucceeded', finished('ok'));
  client.on('commandFailed', finished('failed'));
}
