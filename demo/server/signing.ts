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
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: 'signature does not match' };
  return { ok: true, keyId };
}

/**
 * `id1:secret1,id2:secret2` → Map. Throws on anything else (an entry without `id:` or without a
 * secret, an id given twice, no key at all): a key silently dropped would refuse every webhook it
 * signs. The message names entries by position, never by what they hold.
 */
export function parseSigningKeys(value: string | undefined): Map<string, string> {
  const keys = new Map<string, string>();
  const entries = (value ?? '').split(',');
  entries.forEach((pair, index) => {
    if (!pair.trim() && entries.length > 1) return; // a trailing comma
    const colon = pair.indexOf(':');
    const id = pair.slice(0, Math.max(colon, 0)).trim();
    const secret = pair.slice(colon + 1).trim();
    const where = `KLARNA_WEBHOOK_SIGNING_KEYS entry ${index + 1}`;
    if (colon < 0 || !id) throw new Error(`${where} is not id:secret (no signing key id before a colon).`);
    if (!secret) throw new Error(`${where} has no secret after its id.`);
    if (keys.has(id)) throw new Error(`${where} repeats the signing key id ${id}.`);
    keys.set(id, secret);
  });
  if (!keys.size) throw new Error('KLARNA_WEBHOOK_SIGNING_KEYS holds no signing key (id:secret[,id2:secret2]).');
  return keys;
}
