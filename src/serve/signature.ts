import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures (api notes §6, §9): HMAC-SHA256 over the raw request body, keyed with the HMAC
 * key as UTF-8 bytes, sent in a request header. ServiceTitan documents only "an HMAC of the payload
 * in a request header" with a 32–64 character key
 * (https://developer-next.servicetitan.io/docs/webhooks), so the header name and the encoding are
 * configuration: the header defaults to `X-ServiceTitan-Signature`, and the receiver accepts
 * lowercase hex or base64, with or without a `sha256=` prefix, unless told which one.
 */
export type SignatureEncoding = 'hex' | 'base64';

export const DEFAULT_SIGNATURE_HEADER = 'x-servicetitan-signature';

/** The signature of a raw body. */
export function signBody(key: string, body: Buffer | string, encoding: SignatureEncoding): string {
  return createHmac('sha256', Buffer.from(key, 'utf8')).update(body).digest(encoding);
}

/**
 * True when `header` carries the HMAC of `body` under `key` in one of `encodings`. The comparison of
 * the digests is constant-time; a header of the wrong shape or length is refused without comparing.
 */
export function verifySignature(
  key: string,
  body: Buffer,
  header: string | undefined,
  encodings: readonly SignatureEncoding[] = ['hex', 'base64'],
): boolean {
  if (header === undefined) return false;
  const value = header.trim().replace(/^sha256=/i, '');
  if (value === '' || value.length > 200) return false;
  const expected = createHmac('sha256', Buffer.from(key, 'utf8')).update(body).digest();
  let ok = false;
  for (const encoding of encodings) {
    const given = decode(value, encoding);
    // Every configured encoding is tried, so the time taken does not tell which one matched.
    if (given && given.length === expected.length && timingSafeEqual(given, expected)) ok = true;
  }
  return ok;
}

function decode(value: string, encoding: SignatureEncoding): Buffer | undefined {
  if (encoding === 'hex') return /^[0-9a-f]{64}$/i.test(value) ? Buffer.from(value, 'hex') : undefined;
  if (!/^[A-Za-z0-9+/_-]{43}=?$/.test(value)) return undefined;
  return Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}
