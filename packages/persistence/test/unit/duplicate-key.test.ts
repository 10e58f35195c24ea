import { MongoBulkWriteError, MongoServerError } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { isDuplicateKey } from '../../src/index.ts';

describe('isDuplicateKey', () => {
  it('recognises the duplicate-key codes MongoDB and FerretDB send', () => {
    expect(isDuplicateKey(new MongoServerError({ code: 11000, errmsg: 'E11000 duplicate key error' }))).toBe(
      true,
    );
    expect(
      isDuplicateKey(new MongoServerError({ code: 11001, errmsg: 'E11001 duplicate key on update' })),
    ).toBe(true);
    expect(isDuplicateKey({ code: 11000 })).toBe(true);
  });

  it('recognises a bulk write whose every failure is a duplicate, and a wrapped one', () => {
    const bulk = new MongoBulkWriteError(
      { message: 'bulk', code: 11000, writeErrors: [] } as never,
      { insertedCount: 0 } as never,
    );
    expect(isDuplicateKey(bulk)).toBe(true);
    expect(isDuplicateKey({ writeErrors: [{ code: 11000 }, { code: 11000 }] })).toBe(true);
    expect(isDuplicateKey({ writeErrors: [{ code: 11000 }, { code: 121 }] })).toBe(false);
    expect(isDuplicateKey({ code: 11000, writeErrors: [{ code: 11000 }, { code: 121 }] })).toBe(false);
    expect(isDuplicateKey({ errorResponse: { code: 11000 } })).toBe(true);
    expect(isDuplicateKey(new Error('outer', { cause: { code: 11000 } }))).toBe(true);
  });

  it('says no to everything else', () => {
    expect(isDuplicateKey(new MongoServerError({ code: 121, errmsg: 'Document failed validation' }))).toBe(
      false,
    );
    expect(isDuplicateKey({ code: '11000' })).toBe(false);
    expect(isDuplicateKey({ writeErrors: [] })).toBe(false);
    expect(isDuplicateKey(new Error('E11000 in a message is not a code'))).toBe(false);
    for (const v of [undefined, null, 11000, 'E11000', {}]) expect(isDuplicateKey(v)).toBe(false);
    // A cause chain that loops ends.
    const a: { cause?: unknown } = {};
    a.cause = a;
    expect(isDuplicateKey(a)).toBe(false);
  });
});
