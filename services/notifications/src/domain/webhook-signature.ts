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

/** The shortest signing key accepted, in bytes (an HMAC-SHA256 key well short of 32 is guessable). */
export const MIN_KEY_BYTES = 24;

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Why a unit's secret is refused, or undefined: after `whsec_` it must be valid base64 (the
 * decoder would silently skip what is not, and sign with a key nobody meant), and the key, decoded
 * or as UTF-8 text, must be at least {@link MIN_KEY_BYTES} bytes.
 */
export function refuseSecret(secret: string): string | undefined {
  if (secret.startsWith(WHSEC)) {
    const encoded = secret.slice(WHSEC.length);
    if (!BASE64.test(encoded)) return 'is not valid base64 after whsec_';
  }
  if (signingKey(secret).length < MIN_KEY_BYTES) return `makes a key shorter than ${MIN_KEY_BYTES} bytes`;
  return undefined;
}

/**
 * `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`; the body as a string (its UTF-8 bytes) or as
 * those bytes already encoded. Fed in parts: no copy of the body is made per signature.
 */
export function signWebhook(
  key: Buffer,
  id: string,
  timestampSeconds: number,
  body: string | Buffer,
): string {
  const mac = createHmac('sha256', key).update(`${id}.${timestampSeconds}.`).update(body).digest('base64');
  return `v1,${mac}`;
}

/**
 * The three Standard Webhooks headers of one attempt, as the flat name/value list an HTTP client
 * takes (undici reads it without listing an object's keys). `timestampText` is the seconds as
 * text, passed in so that a sender writes it once a second, not once a request.
 */
export function webhookHeaderList(
  key: Buffer,
  id: string,
  timestampSeconds: number,
  body: string | Buffer,
  timestampText = String(timestampSeconds),
): string[] {
  return [
    'webhook-id',
    id,
    'webhook-timestamp',
    timestampText,
    'webhook-signature',
    signWebhook(key, id, timestampSeconds, body),
  ];
}
