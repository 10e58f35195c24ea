import { describe, expect, it } from 'vitest';
import { defineErrors, describeErrors } from '../../src/error-catalogue.ts';
import {
  AppError,
  ConflictError,
  InputError,
  NotFoundError,
  RuleViolationError,
  UnauthorizedError,
} from '../../src/errors.ts';

const Errors = defineErrors({
  caseNotFound: { code: 'TEST_ERR_CASE_NOT_FOUND', status: 404, summary: 'no such case in your scope.' },
  alertActive: { code: 'TEST_ERR_ALERT_ACTIVE', status: 409, summary: 'an alert is already running.' },
  chiefRegion: { code: 'TEST_ERR_CHIEF_REGION', status: 422, summary: 'the chief is not of the region.' },
  malformed: { code: 'TEST_ERR_MALFORMED', status: 400, summary: 'the body is not a report.' },
  busy: { code: 'TEST_ERR_BUSY', status: 409, summary: 'another writer; retry.', retriable: true },
  sessionExpired: { code: 'TEST_ERR_SESSION_EXPIRED', status: 401, summary: 'the session is over.' },
});

describe('defineErrors', () => {
  it('makes errors of the kit class of their status, with the declared code', () => {
    const nf = Errors.caseNotFound.error('no case "c-1"');
    expect(nf).toBeInstanceOf(NotFoundError);
    expect([nf.code, nf.status, nf.message, nf.retriable]).toEqual([
      'TEST_ERR_CASE_NOT_FOUND',
      404,
      'no case "c-1"',
      false,
    ]);
    expect(Errors.alertActive.error('x')).toBeInstanceOf(ConflictError);
    const rv = Errors.chiefRegion.error('x', { errors: [{ field: '/chief/region', message: 'm' }] });
    expect(rv).toBeInstanceOf(RuleViolationError);
    expect(rv.errors).toEqual([{ field: '/chief/region', message: 'm' }]);
    const bad = Errors.malformed.error('x', { errors: [{ field: '/a', message: 'b' }] });
    expect(bad).toBeInstanceOf(InputError);
    expect(bad.errors).toEqual([{ field: '/a', message: 'b' }]);
    const expired = Errors.sessionExpired.error('sign in again');
    expect(expired).toBeInstanceOf(UnauthorizedError);
    expect([expired.code, expired.status, expired.title]).toEqual([
      'TEST_ERR_SESSION_EXPIRED',
      401,
      'Unauthorized',
    ]);
  });

  it('keeps the retriable flag and the problem type stable per code', () => {
    const busy = Errors.busy.error('case c-1 is being changed');
    expect(busy).toBeInstanceOf(AppError);
    expect([busy.status, busy.retriable, busy.title]).toEqual([409, true, 'Conflict']);
    expect(busy.type).toBe('urn:homeward:problem:test-err-busy');
  });

  it('refuses a malformed or repeated code', () => {
    expect(() => defineErrors({ a: { code: 'bad-code', status: 404, summary: 's' } })).toThrow(/form/);
    expect(() =>
      defineErrors({
        a: { code: 'X_ERR_A', status: 404, summary: 's' },
        b: { code: 'X_ERR_A', status: 409, summary: 's' },
      }),
    ).toThrow(/twice/);
  });

  it('writes the OpenAPI prose from the catalogue', () => {
    expect(describeErrors(Errors.alertActive, Errors.caseNotFound)).toBe(
      '409 TEST_ERR_ALERT_ACTIVE: an alert is already running.\n404 TEST_ERR_CASE_NOT_FOUND: no such case in your scope.',
    );
  });
});
