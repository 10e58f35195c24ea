import { describe, expect, it } from 'vitest';
import { SseChunk } from '../../src/index.ts';

describe('SSE chunks', () => {
  it('frames text once as an HTTP chunk, its size in bytes (not characters)', () => {
    const chunk = new SseChunk('data: é\n\n');
    expect(chunk.framed.toString('utf8')).toBe('a\r\ndata: é\n\n\r\n');
    expect(chunk.body.toString('utf8')).toBe('data: é\n\n');
  });
});
