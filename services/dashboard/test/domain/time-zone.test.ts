import { describe, expect, it } from 'vitest';
import { deploymentTimeZone } from '../../src/domain/time-zone.ts';

describe('the deployment’s time zone', () => {
  it('takes an IANA zone, and refuses one the runtime does not know', () => {
    expect(deploymentTimeZone('Asia/Shanghai')).toBe('Asia/Shanghai');
    expect(deploymentTimeZone('Asia/Urumqi')).toBe('Asia/Urumqi');
    expect(() => deploymentTimeZone('Mars/Olympus_Mons')).toThrow(
      /TIME_ZONE "Mars\/Olympus_Mons" is not a time zone/,
    );
  });
});
