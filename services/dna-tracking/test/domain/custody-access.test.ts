import { describe, expect, it } from 'vitest';
import { labInCustody, mayHandle } from '../../src/domain/custody-access.ts';
import { custodyStepErrors } from '../../src/domain/sample-rules.ts';

const r = (step: string, agencyId: string) => ({ step, agencyId }) as never;

describe('the lab that holds a sample', () => {
  it('is the agency of the last received or profiled step, none before', () => {
    expect(labInCustody([r('collected', 'psb'), r('sealed', 'lab-a')])).toBeUndefined();
    expect(labInCustody([r('collected', 'psb'), r('received', 'lab-a')])).toBe('lab-a');
    expect(labInCustody([r('received', 'lab-a'), r('profiled', 'lab-b'), r('stored', 'lab-c')])).toBe(
      'lab-b',
    );
    // A chain whose first record is the lab's (a sample registered at the lab that types it).
    expect(labInCustody([r('received', 'lab-a')])).toBe('lab-a');
    expect(labInCustody([r('profiled', 'lab-b')])).toBe('lab-b');
    expect(labInCustody([])).toBeUndefined();
  });

  it('alone handles the sample once it holds it; before that, any lab may', () => {
    const held = [r('collected', 'psb'), r('received', 'lab-a')];
    expect(mayHandle(held, 'lab-a')).toBe(true);
    expect(mayHandle(held, 'lab-b')).toBe(false);
    expect(mayHandle([r('collected', 'psb')], 'lab-b')).toBe(true);
  });
});

describe('destroying a sample', () => {
  const at = '2026-11-27T10:00:00Z';
  const now = new Date('2026-11-28T00:00:00Z');
  it('needs its reason', () => {
    const base = { step: 'destroyed', at, by: 'tech', place: 'lab' } as never;
    expect(custodyStepErrors(base, now)).toEqual([
      { field: '/note', message: 'a destruction needs its reason' },
    ]);
    expect(custodyStepErrors({ ...(base as object), note: '  ' } as never, now)).toHaveLength(1);
    expect(custodyStepErrors({ ...(base as object), note: 'consent withdrawn' } as never, now)).toEqual([]);
  });
});
