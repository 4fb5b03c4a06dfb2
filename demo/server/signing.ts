import { createHmac, timingSafeEqual } from 'node:crypto';

/** Klarna signs a webhook with HMAC-SHA256 over the raw body bytes, hex-encoded. */
export function signWebhook(rawBody: string | Uint8Array, secret: string): string {
  return createHmac('sha256', secret).update(rawBody).digest('hex');
}

export type SignatureCheck = { ok: true; keyId: string } | { ok: false; reason: string };

/**
 * Checks `Klarna-Signature` against the secret named by `Klarna-Signing-Key-Id`; several keys may
 * be active at once (rotation). Constant-time comparison; the body must be the bytes as received.
 */
export function verifyWebhookSignature(
  rawBody: Uint8Array,
  signature: string | undefined,
  keyId: string | undefined,
  keys: ReadonlyMap<string, string>,
): SignatureCheck {
  if (!signature) return { ok: false, reason: 'missing Klarna-Signature' };
  if (!keyId) return { ok: false, reason: 'missing Klarna-Signing-Key-Id' };
  const secret = keys.get(keyId);
  if (!secret) return { ok: false, reason: `unknown signing key ${keyId}` };
  const expected = Buffer.from(signWebhook(rawBody, secret), 'hex');
  const given = /^[0-9a-f]+$/i.test(signature) ? Buffer.from(signature, 'hex') : Buffer.alloc(0);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'signature does not match' };
  return { ok: true, keyId };
}

/** `id1:secret1,id2:secret2` → Map. */
export function parseSigningKeys(value: string | undefined): Map<string, string> {
  const keys = new Map<string, string>();
  for (const pair of (value ?? '').split(',')) {
    const index = pair.indexOf(':');
    if (index > 0) keys.set(pair.slice(0, index).trim(), pair.slice(index + 1).trim());
  }
  return keys;
}
