import { serviceConfig } from '@homeward/service-kit';
import { Type } from '@sinclair/typebox';
import { DEFAULT_DUPLICATE_WINDOW_DAYS } from './domain/duplicate-child.ts';

export const IntakeConfig = serviceConfig({
  PORT: Type.Integer({ default: 8081, minimum: 1, maximum: 65535 }),
  /** Reports per agency per minute, over HTTP, shared by every instance through Redis. */
  RATE_LIMIT_PER_MINUTE: Type.Integer({ default: 1200, minimum: 1 }),
  DUPLICATE_CHILD_WINDOW_DAYS: Type.Integer({
    default: DEFAULT_DUPLICATE_WINDOW_DAYS,
    minimum: 1,
    maximum: 3650,
  }),
  MONGO_DB: Type.String({ default: 'intake' }),
});
