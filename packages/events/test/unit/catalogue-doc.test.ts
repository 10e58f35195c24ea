import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderCatalogue } from '../../src/catalogue-doc.ts';
import { EventTypes } from '../../src/index.ts';

describe('CATALOGUE.md', () => {
  it('is generated from the schemas and up to date (run `npm run catalogue`)', () => {
    const committed = readFileSync(new URL('../../CATALOGUE.md', import.meta.url), 'utf8');
    expect(committed).toBe(renderCatalogue());
  });

  it('documents every event type of the catalogue', () => {
    const doc = renderCatalogue();
    for (const type of EventTypes) expect(doc).toContain(`### \`${type}\``);
  });
});
