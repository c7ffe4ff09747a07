// The signature of a webhook delivery, as receivers check it (README, "Webhooks"):
//   Passerelle-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
// The timestamp is inside the signed text, so a captured delivery cannot be replayed later with a fresh
// timestamp; receivers refuse a `t` older than a few minutes, and deduplicate on Passerelle-Delivery.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export function signatureHeader(secret: string, body: string, timestamp: number): string {
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** A receiver's check: the header's HMAC matches the body, and its timestamp is within `toleranceSeconds` of now. */
export function verifySignature(secret: string, body: string, header: string, toleranceSeconds = 300, now = Date.now()): boolean {
  const parts = Object.fromEntries(header.split(',').map((part) => part.split('=', 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || !parts.v1 || Math.abs(now / 1000 - t) > toleranceSeconds) return false;
  const expected = Buffer.from(createHmac('sha256', secret).update(`${t}.${body}`).digest('hex'));
  const got = Buffer.from(parts.v1);
  return expected.length === got.length && timingSafeEqual(expected, got);
}

/** A new endpoint secret: 32 random bytes, `whsec_` + base64url. */
export function newSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}
