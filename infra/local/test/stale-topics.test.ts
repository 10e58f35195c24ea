import { describe, expect, it } from 'vitest';
import { staleTestPrefixes } from '../src/topics.ts';

const HOUR = 60 * 60 * 1000;
const now = Date.UTC(2026, 11, 2, 3, 0, 0);
const stamp = (msAgo: number) => (now - msAgo).toString(36);

describe('staleTestPrefixes', () => {
  it('finds the prefixes of test and benchmark runs older than the limit, once each', () => {
    const old = stamp(7 * HOUR);
    const topics = [
      `intake-http-${old}-a1b2c3.case.events.v1`,
      `intake-http-${old}-a1b2c3.case.events.v1.dlq`,
      `bench-${old}.report.intake.v1`,
      `bench-sse-${old}.dashboard.events.v1`,
    ];
    expect(staleTestPrefixes(topics, now, 6 * HOUR)).toEqual([
      `bench-${old}.`,
      `bench-sse-${old}.`,
      `intake-http-${old}-a1b2c3.`,
    ]);
  });

  it('keeps a run younger than the limit, even by a second', () => {
    const young = stamp(6 * HOUR - 1000);
    expect(staleTestPrefixes([`shutdown-${young}-ffffff.case.events.v1`], now, 6 * HOUR)).toEqual([]);
    const justOver = stamp(6 * HOUR + 1000);
    expect(staleTestPrefixes([`shutdown-${justOver}-ffffff.case.events.v1`], now, 6 * HOUR)).toEqual([
      `shutdown-${justOver}-ffffff.`,
    ]);
  });

  it('never takes the contract topics, the broker internals or a prefix without a time stamp', () => {
    const topics = [
      'case.events.v1',
      'case.events.v1.dlq',
      '__consumer_offsets',
      'bench-notif-b9dbfe.notification.events.v1', // a random run id, no time: its age is unknown
      'province-east.case.events.v1', // a tenant's prefix: words, not a stamp
      'tenant-mongolia.case.events.v1', // a word that decodes to a time in range, without the hex
      'bench-notif-b9dbfe1.notification.events.v1',
      `future-${(now + HOUR).toString(36)}-abcdef.case.events.v1`,
      'ancient-00000001-abcdef.case.events.v1', // decodes to 1970: not a stamp
    ];
    expect(staleTestPrefixes(topics, now, 6 * HOUR)).toEqual([]);
  });
});
