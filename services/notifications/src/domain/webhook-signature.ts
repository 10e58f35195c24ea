import { createHmac } from 'node:crypto';

const WHSEC = 'whsec_';

/**
 * The HMAC key of a unit's secret, as Standard Webhooks define it: a secret written
 * `whsec_<base64>` is the base64-decoded bytes; any other secret is used as its UTF-8 bytes.
 */
export function signingKey(secret: string): Buffer {
  if (secret.startsWith(WHSEC)) return Buffer.from(secret.slice(WHSEC.length), 'base64');
  return Buffer.from(secret, 'utf8');
}

/** `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`. */
export function signWebhook(key: Buffer, id: string, timestampSeconds: number, body: string): string {
  const mac = createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`).digest('base64');
  return `v1,${mac}`;
}

/** The three Standard Webhooks headers for one attempt. */
export function webhookHeaders(
  key: Buffer,
  id: string,
  timestampSeconds: number,
  body: string,
): Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string> {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': signWebhook(key, id, timestampSeconds, body),
  };
}
