// Writes CATALOGUE.md from the schemas: `npm run catalogue`.
import { writeFileSync } from 'node:fs';
import { renderCatalogue } from './catalogue-doc.ts';

writeFileSync(new URL('../CATALOGUE.md', import.meta.url), renderCatalogue());
