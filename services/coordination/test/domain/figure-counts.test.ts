import { COUNTERS as DEPARTMENT_COUNTERS, VICTIM_COUNTERS } from '@homeward/figures';
import { describe, expect, it } from 'vitest';
import {
  addCounts,
  COUNTERS,
  type Counter,
  counterLabel,
  type FigureRow,
  isVictimCounter,
  nonZero,
  sumRows,
  zeroCounts,
} from '../../src/domain/figures.ts';

describe('the figures a submission carries', () => {
  it('are every department counter, then every victims counter, each once', () => {
    expect(COUNTERS).toEqual([...DEPARTMENT_COUNTERS, ...VICTIM_COUNTERS]);
    expect(new Set(COUNTERS).size).toBe(COUNTERS.length);
    // Five measures × three sexes × four age groups.
    expect(COUNTERS.filter(isVictimCounter)).toHaveLength(60);
  });

  it('start at zero for every counter', () => {
    const zero = zeroCounts();
    expect(Object.keys(zero)).toEqual([...COUNTERS]);
    expect(Object.values(zero).every((v) => v === 0)).toBe(true);
  });

  it('a victims counter is one whose key starts with "victims:", not one that merely mentions victims', () => {
    expect(isVictimCounter('victims:rescued:female:under-14')).toBe(true);
    expect(isVictimCounter('casesOpened')).toBe(false);
    expect(isVictimCounter('alertsEnded:found')).toBe(false);
    expect(isVictimCounter('placements:victims:' as Counter)).toBe(false);
  });
});

describe('adding figures up', () => {
  it('adds every counter given, and leaves the others as they were', () => {
    const total = addCounts(zeroCounts(), { casesOpened: 2, 'victims:placed:male:14-17': 1 });
    const returned = addCounts(total, { casesOpened: 3, childrenRescued: 4 });
    expect(returned).toBe(total);
    expect(total.casesOpened).toBe(5);
    expect(total.childrenRescued).toBe(4);
    expect(total['victims:placed:male:14-17']).toBe(1);
    expect(total.casesClosed).toBe(0);
    expect(Object.values(total).reduce((a, b) => a + b, 0)).toBe(10);
  });

  it('sums only the rows the predicate picks, into a fresh total', () => {
    const rows: FigureRow[] = [
      { year: 2026, region: '340104', department: 'police', counts: { casesOpened: 1, casesClosed: 2 } },
      { year: 2026, region: '340103', department: 'police', counts: { casesOpened: 5 } },
      { year: 2026, region: '340103', department: 'health', counts: { followupsOverdue: 1 } },
    ];
    const luyang = sumRows(rows, (r) => r.region === '340103');
    expect(nonZero(luyang)).toEqual({ casesOpened: 5, followupsOverdue: 1 });
    expect(nonZero(sumRows(rows, () => false))).toEqual({});
    expect(nonZero(sumRows(rows, () => true))).toEqual({
      casesOpened: 6,
      casesClosed: 2,
      followupsOverdue: 1,
    });
    // The rows themselves are not changed by summing them.
    expect(rows[1]!.counts).toEqual({ casesOpened: 5 });
  });

  it('an event carries only its non-zero counters (a correction below zero is carried too)', () => {
    const counts = zeroCounts();
    counts.casesOpened = 2;
    counts.casesClosed = -1;
    expect(nonZero(counts)).toEqual({ casesOpened: 2, casesClosed: -1 });
    expect(nonZero(zeroCounts())).toEqual({});
  });
});

describe('the labels people read on pages and in the PDF', () => {
  it('name each department counter', () => {
    expect(Object.fromEntries(DEPARTMENT_COUNTERS.map((c) => [c, counterLabel(c)]))).toEqual({
      reportsReceived: 'Reports received',
      casesOpened: 'Cases opened',
      casesClosed: 'Cases closed',
      teamsAssigned: 'Special teams assigned',
      alertsIssued: 'Alerts issued',
      ...Object.fromEntries(
        DEPARTMENT_COUNTERS.filter((c) => c.startsWith('alertsEnded:')).map((c) => [
          c,
          `Alerts ended: ${c.slice('alertsEnded:'.length)}`,
        ]),
      ),
      childrenLocated: 'Children located',
      childrenRescued: 'Children rescued',
      samplesCollected: 'DNA samples collected',
      matchesFound: 'DNA matches found',
      matchesConfirmed: 'DNA matches confirmed',
      matchesRejected: 'DNA matches rejected',
      ...Object.fromEntries(
        DEPARTMENT_COUNTERS.filter((c) => c.startsWith('placements:')).map((c) => [
          c,
          `Placements: ${c.slice('placements:'.length)}`,
        ]),
      ),
      followupsScheduled: 'Follow-ups scheduled',
      followupsCompleted: 'Follow-ups done',
      followupsOverdue: 'Follow-ups overdue',
    });
    expect(counterLabel('alertsEnded:found')).toBe('Alerts ended: found');
    expect(counterLabel('placements:foster-family')).toBe('Placements: foster-family');
  });

  it('name each victims counter by measure, sex and age group', () => {
    expect(counterLabel('victims:rescued:female:under-14')).toBe('Victims rescued: female, under 14');
    expect(counterLabel('victims:returnedHome:male:14-17')).toBe('Victims returned home: male, 14–17');
    expect(counterLabel('victims:placed:unknown:18-and-over')).toBe('Victims placed: unknown, 18 and over');
    expect(counterLabel('victims:inTraining:female:age-unknown')).toBe(
      'Victims in training: female, age unknown',
    );
    expect(counterLabel('victims:employed:male:under-14')).toBe('Victims employed: male, under 14');
  });

  it('show a key nobody labelled as it is, rather than nothing', () => {
    expect(counterLabel('somethingNew' as Counter)).toBe('somethingNew');
  });
});
