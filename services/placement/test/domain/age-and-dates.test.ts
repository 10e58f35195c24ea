import { describe, expect, it } from 'vitest';
import { ageOnDate, fullYearsOn } from '../../src/domain/age.ts';
import {
  addDays,
  dateAt,
  isLeapYear,
  isOverdueAt,
  overdueFrom,
  parseDate,
  startOfDate,
} from '../../src/domain/dates.ts';

describe('full years', () => {
  it('counts a birthday in another month than the reference date', () => {
    // Birthday earlier in the year than the reference: had it this year.
    expect(fullYearsOn('2010-03-15', '2026-11-28')).toBe(16);
    // Birthday later in the year: not yet.
    expect(fullYearsOn('2010-12-01', '2026-11-28')).toBe(15);
    // A later month with an earlier day of the month is still after the birthday.
    expect(fullYearsOn('2010-03-31', '2026-04-01')).toBe(16);
    // An earlier month with a later day of the month is still before it.
    expect(fullYearsOn('2010-05-01', '2026-04-30')).toBe(15);
    expect(fullYearsOn('2010-01-01', '2026-12-31')).toBe(16);
    expect(fullYearsOn('2010-12-31', '2026-01-01')).toBe(15);
  });

  it('turns on the birthday itself, not the day before', () => {
    expect(fullYearsOn('2010-03-15', '2026-03-14')).toBe(15);
    expect(fullYearsOn('2010-03-15', '2026-03-15')).toBe(16);
    expect(fullYearsOn('2010-03-15', '2026-03-16')).toBe(16);
    expect(fullYearsOn('2026-03-15', '2026-03-15')).toBe(0);
    expect(fullYearsOn('2026-03-15', '2026-03-14')).toBe(-1);
  });

  it('moves a 29 February birthday to 1 March in a common year only', () => {
    expect(fullYearsOn('2020-02-29', '2027-02-28')).toBe(6);
    expect(fullYearsOn('2020-02-29', '2027-03-01')).toBe(7);
    expect(fullYearsOn('2020-02-29', '2028-02-28')).toBe(7);
    expect(fullYearsOn('2020-02-29', '2028-02-29')).toBe(8);
    expect(fullYearsOn('2020-02-29', '2028-03-01')).toBe(8);
    // 28 February and 1 March birthdays are untouched in leap years.
    expect(fullYearsOn('2019-02-28', '2028-02-28')).toBe(9);
    expect(fullYearsOn('2019-03-01', '2028-02-29')).toBe(8);
    expect(fullYearsOn('2019-03-01', '2028-03-01')).toBe(9);
    // Other 28ths and 29ths are untouched in common years.
    expect(fullYearsOn('2019-02-28', '2027-02-28')).toBe(8);
    expect(fullYearsOn('2010-05-29', '2027-05-28')).toBe(16);
    expect(fullYearsOn('2010-05-29', '2027-05-29')).toBe(17);
  });

  it('refuses what is not a calendar date', () => {
    expect(() => fullYearsOn('2020-02-30', '2026-01-01')).toThrow(RangeError);
    expect(() => fullYearsOn('2020-01-01', '26-01-01')).toThrow('not calendar dates: 2020-01-01, 26-01-01');
  });
});

describe('age on the decision date', () => {
  it('adds the full years since an apparent age was judged, never fewer than none', () => {
    const basis = { kind: 'apparent-age' as const, apparentAge: 5, observedOn: '2025-03-10' };
    expect(ageOnDate(basis, '2026-03-09')).toEqual({ ok: true, age: 5, basis: 'apparent-age' });
    expect(ageOnDate(basis, '2026-03-10')).toEqual({ ok: true, age: 6, basis: 'apparent-age' });
    expect(ageOnDate(basis, '2028-11-28')).toEqual({ ok: true, age: 8, basis: 'apparent-age' });
    // A decision dated before the observation keeps the apparent age.
    expect(ageOnDate(basis, '2024-12-01')).toEqual({ ok: true, age: 5, basis: 'apparent-age' });
  });

  it('takes a birth date exactly, and refuses a decision before the birth', () => {
    expect(ageOnDate({ kind: 'birth-date', birthDate: '2010-06-30' }, '2026-06-29')).toEqual({
      ok: true,
      age: 15,
      basis: 'birth-date',
    });
    expect(ageOnDate({ kind: 'stated-birth-date', birthDate: '2026-06-30' }, '2026-06-30')).toEqual({
      ok: true,
      age: 0,
      basis: 'stated-birth-date',
    });
    expect(ageOnDate({ kind: 'birth-date', birthDate: '2026-07-01' }, '2026-06-30')).toEqual({
      ok: false,
      reason: 'the decision date is before the birth date',
    });
    expect(ageOnDate(undefined, '2026-06-30')).toEqual({
      ok: false,
      reason: 'the case records neither a birth date nor an apparent age',
    });
  });
});

describe('calendar dates', () => {
  it('parses full-dates only, and real ones', () => {
    expect(parseDate('2024-02-29')).toEqual({ y: 2024, m: 2, d: 29 });
    expect(parseDate('2026-12-31')).toEqual({ y: 2026, m: 12, d: 31 });
    // Date.UTC reads years 0-99 as 1900-1999: such a date is not taken for another.
    expect(parseDate('0099-01-01')).toBeUndefined();
    for (const bad of [
      '2026-02-29',
      '2026-13-01',
      '2026-00-10',
      '2026-04-31',
      '2026-1-01',
      ' 2026-01-01',
      '2026-01-01T00:00:00Z',
    ])
      expect(parseDate(bad)).toBeUndefined();
  });

  it('knows the leap years of the Gregorian calendar', () => {
    expect([1900, 2000, 2023, 2024, 2100, 2400].map(isLeapYear)).toEqual([
      false,
      true,
      false,
      true,
      false,
      true,
    ]);
  });

  it('adds days across months and years, and back', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2027-01-01', -1)).toBe('2026-12-31');
    expect(addDays('2027-02-28', 1)).toBe('2027-03-01');
    expect(addDays('2026-11-28', 60)).toBe('2027-01-27');
    expect(addDays('2026-11-28', 0)).toBe('2026-11-28');
    expect(() => addDays('2026-02-30', 1)).toThrow('not a calendar date: 2026-02-30');
  });

  it('turns instants into dates at an offset, and dates into their first instant', () => {
    expect(dateAt(new Date('2026-11-28T15:59:59Z'), 480)).toBe('2026-11-28');
    expect(dateAt(new Date('2026-11-28T16:00:00Z'), 480)).toBe('2026-11-29');
    expect(dateAt(new Date('2026-11-28T03:00:00Z'), -300)).toBe('2026-11-27');
    expect(startOfDate('2026-11-29', 480).toISOString()).toBe('2026-11-28T16:00:00.000Z');
    expect(startOfDate('2026-11-29', -300).toISOString()).toBe('2026-11-29T05:00:00.000Z');
  });

  it('makes a follow-up overdue from the first moment of the day after its due date', () => {
    expect(overdueFrom('2026-12-31', 480).toISOString()).toBe('2026-12-31T16:00:00.000Z');
    expect(overdueFrom('2026-12-31', 0).toISOString()).toBe('2027-01-01T00:00:00.000Z');
    expect(isOverdueAt('2026-12-31', new Date('2026-12-31T15:59:59.999Z'), 480)).toBe(false);
    expect(isOverdueAt('2026-12-31', new Date('2026-12-31T16:00:00.000Z'), 480)).toBe(true);
    expect(isOverdueAt('2026-12-31', new Date('2027-03-01T00:00:00.000Z'), 480)).toBe(true);
  });
});
