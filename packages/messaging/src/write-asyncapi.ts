// Writes packages/messaging/asyncapi.json from the catalogue and the ACL table (`npm run catalogue`).
import { writeFileSync } from 'node:fs';
import { renderAsyncApi } from './asyncapi.ts';

writeFileSync(new URL('../asyncapi.json', import.meta.url), `${JSON.stringify(renderAsyncApi(), null, 2)}\n`);
