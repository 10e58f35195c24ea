import { describe, expect, it } from 'vitest';
import { compareStreamIds, isStreamId, sseFrame } from '../../src/index.ts';

describe('stream ids and frames', () => {
  it('recognises stream ids and orders them as Redis does', () => {
    expect(isStreamId('1700000000000-0')).toBe(true);
    expect(isStreamId('yesterday')).toBe(false);
    expect(isStreamId('1-2-3')).toBe(false);
    expect(compareStreamIds('9-5', '10-0')).toBe(-1);
    expect(compareStreamIds('10-2', '10-10')).toBe(-1);
    expect(compareStreamIds('10-10', '10-2')).toBe(1);
    expect(compareStreamIds('10-2', '10-2')).toBe(0);
  });

  it('frames an event with and without a name', () => {
    expect(sseFrame({ id: '1-0', data: '{"a":1}' })).toBe('id: 1-0\ndata: {"a":1}\n\n');
    expect(sseFrame({ id: '1-0', event: 'homeward.alert.issued', data: '{}' })).toBe(
      'id: 1-0\nevent: homeward.alert.issued\ndata: {}\n\n',
    );
  });
});
