import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderAsyncApi } from '../../src/asyncapi.ts';

// What @asyncapi/parser says of the document is test/integration/asyncapi-document.test.ts.
describe('asyncapi.json', () => {
  it('is generated from the catalogue and the ACL table and up to date (run `npm run catalogue`)', () => {
    const committed = readFileSync(new URL('../../asyncapi.json', import.meta.url), 'utf8');
    expect(committed).toBe(`${JSON.stringify(renderAsyncApi(), null, 2)}\n`);
  });
});
